"""The `tinytorch-tracker` command line.

Only argparse is imported up front so `--help` is instant; each command imports what it needs
(sqlite-utils and numpy only on the paths that write). Errors are one line and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tracker import __version__

PROG = "tinytorch-tracker"
DEBUG_ENV = "TINYTORCH_TRACKER_DEBUG"


def _workspace_args(p: argparse.ArgumentParser, db: bool = True) -> None:
    p.add_argument("--workspace", "-w", metavar="DIR", default=".",
                   help="the folder holding tinytorch/ (default: the current directory)")
    if db:
        p.add_argument("--db", metavar="PATH",
                       help="progress database (default: $TINYTORCH_TRACKER_DB or DIR/.tinytorch/progress.db)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; every command has --help."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Checks your TinyTorch code on every save, records your progress and unlocks showcases.",
        epilog="Start with: tinytorch-tracker init mywork && cd mywork && tinytorch-tracker watch",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="write a fresh student workspace: DIR/tinytorch/ with stubs to fill in",
                       description="Write DIR/tinytorch/: the framework with every solution replaced by "
                                   "`raise NotImplementedError(hint)`. Never overwrites an existing one.")
    p.add_argument("dir", metavar="DIR", help="folder to create the workspace in (created if missing)")

    p = sub.add_parser("watch", help="check on every save, record progress, celebrate unlocks (Ctrl-C stops)",
                       description="Check every module once, then re-check each module (and its dependents) "
                                   "whenever you save its file.")
    _workspace_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON event per line instead of the live view")
    p.add_argument("--no-showcase", action="store_true", help="do not play a showcase when a module unlocks")
    p.add_argument("--poll", action="store_true",
                   help="poll for changes (for file systems without change events: network, WSL, VMs)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="time limit per module check (10)")

    p = sub.add_parser("check", help="check modules now (all by default); exit 0 only if all are complete",
                       description="Check the given modules (and what they need) now and record the results.")
    p.add_argument("modules", nargs="*", metavar="MODULE", help="module id or number, e.g. tensor or 2")
    _workspace_args(p)
    p.add_argument("--json", action="store_true", help="print a JSON list of the checked modules")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="time limit per module check (10)")

    p = sub.add_parser("status", help="every module's state and overall progress",
                       description="Every module's state from the last recorded checks.")
    _workspace_args(p)
    p.add_argument("--json", action="store_true", help="print a JSON list, one entry per module")

    p = sub.add_parser("history", help="the timeline of unlocked modules",
                       description="When each module was first completed.")
    _workspace_args(p)
    p.add_argument("--json", action="store_true", help="print a JSON list of unlocks, oldest first")

    p = sub.add_parser("showcase", help="play showcase N (01-11) on your own code",
                       description="Play one of the 11 showcases on the workspace's tinytorch.")
    p.add_argument("number", metavar="N", help="showcase number, 1-11")
    _workspace_args(p, db=False)
    p.add_argument("--fast", action="store_true", help="a quick run (smaller data, fewer steps)")

    p = sub.add_parser("demo", help="a self-running tour: a fresh workspace solved module by module",
                       description="Watch the real tracker unlock every module as a script solves a fresh "
                                   "workspace.", add_help=False)
    p.add_argument("-h", "--help", action="store_true", help="show the demo's options and exit")
    return parser


# command -> (module under tracker.commands, function): imported only when run, so --help stays light
_COMMANDS = {
    "init": ("setup", "cmd_init"),
    "watch": ("watch", "cmd_watch"),
    "check": ("watch", "cmd_check"),
    "status": ("report", "cmd_status"),
    "history": ("report", "cmd_history"),
    "showcase": ("setup", "cmd_showcase"),
    "demo": ("setup", "cmd_demo"),
}


def _dispatch(args: argparse.Namespace) -> int:
    module, function = _COMMANDS[args.command]
    return getattr(importlib.import_module(f"tracker.commands.{module}"), function)(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command != "demo" and extra:  # the command's own usage line, not the top-level one
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        commands.choices.get(args.command, parser).error(f"unrecognized arguments: {' '.join(extra)}")
    args.rest = extra
    if args.command is None:
        parser.print_help()
        return 2
    import os

    from tracker.errors import TrackerError

    try:
        return _dispatch(args)
    except TrackerError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        if args.command == "watch":
            return 0
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except OSError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - never a traceback for the user; DEBUG env shows it
        if os.environ.get(DEBUG_ENV):
            raise
        if type(err).__module__ == "sqlite3":
            print(f"{PROG}: error: {database_failure(err)}", file=sys.stderr)
            return 1
        print(f"{PROG}: error: {type(err).__name__}: {err} (set {DEBUG_ENV}=1 for details)", file=sys.stderr)
        return 1


def database_failure(err: Exception) -> str:
    """The one line for an sqlite3 error; a read-only file is not damaged, so never say "move it aside"."""
    where = "(default: .tinytorch/progress.db in the workspace)"
    if "readonly" in str(err) or "read-only" in str(err):
        return (f"the progress database cannot be written ({err}): make the file and its folder writable "
                f"{where}; your progress in it is intact")
    return f"the progress database failed ({err}); if it is damaged, move it aside {where} and run again"


if __name__ == "__main__":
    sys.exit(main())
