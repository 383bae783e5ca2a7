"""``python -m plugin.grade``: kept at this path for README, CI and graders' scripts; the command
lives in ``plugin.grading.command``."""

import sys

from plugin.grading.command import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
