"""The options of ``python -m plugin.grade``: one per output format of ``FORMATS``, and the run's own."""

from __future__ import annotations

import argparse
from pathlib import Path

from plugin.messages import LANGUAGES, say
from plugin.outputs.formats import FORMATS
from plugin.safety.start_method import START_METHODS, default_start_method


def arguments(argv: list[str], doc: str, kit: Path) -> argparse.Namespace:
    """The grading command's options; ``doc`` gives its description, ``kit`` the default kit."""
    parser = argparse.ArgumentParser(
        prog="python -m plugin.grade", description=doc.split("\n\n")[0], epilog=say("class_epilog")
    )
    parser.add_argument(
        "submission",
        type=Path,
        help="folder with the learner's modules (step3/shared.py, exercises/step3/shared.py or shared.py)",
    )
    for output in FORMATS:
        parser.add_argument(output.option, dest=output.dest, type=Path, metavar="PATH", help=output.help)
    parser.add_argument("--timeout", type=float, default=600, help="whole-run timeout in seconds (default 600)")
    parser.add_argument(
        "--start-method",
        choices=START_METHODS,
        # A start method that pickles every target and argument, as macOS and Python 3.14 do.
        default=default_start_method(),
        help="default: forkserver (spawn where there is none), under which code that works only with fork fails",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the per-exercise lines and of the failure output in the reports "
        "(default: zh for a zh* locale in LC_ALL, LC_MESSAGES or LANG, else en)",
    )
    parser.add_argument("--kit", type=Path, default=kit, help=argparse.SUPPRESS)  # the plugin's own tests
    return parser.parse_args(argv)
