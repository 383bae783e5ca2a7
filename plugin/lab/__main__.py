import sys

from plugin.lab.cli import main

sys.exit(main())
