"""``lab``: the learner's loop. ``lab`` alone watches; see ``lab --help``.

Exit codes: 0 every selected exercise is done, 1 not yet, 2 a usage or environment error.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path

from plugin.lab.kit import START_METHODS, CatalogError, KitNotFound, find_root, say
from plugin.lab.reset import ResetError, reset_function
from plugin.lab.results import DONE
from plugin.lab.screen import exercise_lines, list_lines, status_word, step_lines
from plugin.lab.session import Lab, LabError
from plugin.lab.solutions import solution_source

DONE_EXIT, NOT_YET_EXIT, ERROR_EXIT = 0, 1, 2


def _add_common(parser: argparse.ArgumentParser, default) -> None:
    # On the subcommands the default is SUPPRESS: argparse would otherwise let a subcommand's default
    # overwrite the same option given before the subcommand (lab --start-method spawn run).
    parser.add_argument(
        "--start-method",
        choices=START_METHODS,
        default=default,
        help="multiprocessing start method for the tests (passed on to pytest; default: the kit's)",
    )


def _add_manual(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument(
        "--manual-run",
        action="store_true",
        default=default,
        help="run only when you press r (for file systems whose changes are not reported: WSL2 /mnt, network mounts)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lab", description=say("lab_help"))
    _add_common(parser, None)
    _add_manual(parser, False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    helps = {
        "watch": "lab_help_watch",
        "list": "lab_help_list",
        "run": "lab_help_run",
        "hint": "lab_help_hint",
        "reset": "lab_help_reset",
        "solution": "lab_help_solution",
    }
    sub = {name: commands.add_parser(name, help=say(key)) for name, key in helps.items()}
    for command in sub.values():
        _add_common(command, argparse.SUPPRESS)
    _add_manual(sub["watch"], argparse.SUPPRESS)
    sub["run"].add_argument("id", nargs="?", metavar="ID", help="stepN.<function_name>")
    sub["hint"].add_argument("id", nargs="?", metavar="ID", help="stepN.<function_name>")
    sub["reset"].add_argument("id", metavar="ID", help="stepN.<function_name>")
    sub["reset"].add_argument("--yes", action="store_true", help="do not ask for confirmation")
    sub["solution"].add_argument("id", metavar="ID", help="stepN.<function_name>")
    return parser


def _chosen(lab: Lab, exercise_id: str | None):
    return lab.exercise(exercise_id) if exercise_id else lab.current


def _print(lines: list[str]) -> None:
    print("\n".join(lines))


def do_list(lab: Lab, args) -> int:
    _print(step_lines(lab) + [""] + list_lines(lab))
    return DONE_EXIT if all(lab.status(e) == DONE for e in lab.exercises) else NOT_YET_EXIT


def do_run(lab: Lab, args) -> int:
    exercise = _chosen(lab, args.id)
    print(say("lab_running_once", exercise=exercise.id), flush=True)
    lab.check(exercise)
    _print(exercise_lines(lab, exercise))
    if lab.status(exercise) != DONE:
        lab.move_to(exercise)
        return NOT_YET_EXIT
    upcoming = lab.next_pending(exercise)
    if upcoming is None:
        print(say("lab_all_done"))
    else:
        lab.move_to(upcoming)
        print(say("lab_moved_on", exercise=exercise.id, next=upcoming.id))
    return DONE_EXIT


def do_hint(lab: Lab, args) -> int:
    exercise = _chosen(lab, args.id)
    heading = say("lab_current", exercise=exercise.id, title=exercise.title)
    _print([heading, ""] + exercise.hint_full.strip().splitlines())
    return DONE_EXIT if lab.status(exercise) == DONE else NOT_YET_EXIT


def do_reset(lab: Lab, args) -> int:
    exercise = lab.exercise(args.id)
    if not args.yes:
        try:
            answer = input(say("lab_reset_confirm", exercise=exercise.id))
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print(say("lab_reset_cancelled"))
            return NOT_YET_EXIT
    path = reset_function(lab.root, exercise)
    lab.forget(exercise)
    print(say("lab_reset_done", exercise=exercise.id, file=path.relative_to(lab.root)))
    return NOT_YET_EXIT


def do_solution(lab: Lab, args) -> int:
    exercise = lab.exercise(args.id)
    if lab.state.status(exercise.id) != DONE:  # what the last run says; else find out now
        lab.check(exercise)
    result = lab.state.results.get(exercise.id)
    if result is None or result.status != DONE:
        passed, tests = (result.passed, result.tests) if result else (0, "?")
        status = status_word(result.status if result else None)
        print(say("lab_solution_not_done", exercise=exercise.id, status=status, tests_passed=passed, tests=tests))
        return NOT_YET_EXIT
    source = solution_source(exercise.id, lab.root)
    if source is None:
        print(say("lab_solution_none"))
        return NOT_YET_EXIT
    print(say("lab_solution_header", exercise=exercise.id) + "\n\n" + source, end="")
    return DONE_EXIT


def do_watch(lab: Lab, args) -> int:
    from plugin.lab.watch import watch

    return watch(lab, manual=args.manual_run)


COMMANDS = {
    "watch": do_watch,
    "list": do_list,
    "run": do_run,
    "hint": do_hint,
    "reset": do_reset,
    "solution": do_solution,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "watch"
    try:
        if args.start_method and args.start_method not in multiprocessing.get_all_start_methods():
            raise LabError(
                say(
                    "lab_bad_start_method",
                    method=args.start_method,
                    methods=", ".join(multiprocessing.get_all_start_methods()),
                )
            )
        lab = Lab(find_root(Path.cwd()), args.start_method, warm=command == "watch")
        try:
            return COMMANDS[command](lab, args)
        finally:
            lab.close()
    except (KitNotFound, LabError, CatalogError, ResetError) as error:
        print(error, file=sys.stderr)
        return ERROR_EXIT
    except KeyboardInterrupt:
        return NOT_YET_EXIT


if __name__ == "__main__":
    sys.exit(main())
