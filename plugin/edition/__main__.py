import sys

from plugin.edition import main

sys.exit(main(sys.argv[1:]))
