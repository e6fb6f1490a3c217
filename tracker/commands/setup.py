"""`init` (a fresh workspace), `showcase N` (play one) and `demo` (delegated to tracker/demo.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tracker.commands.common import workspace_from
from tracker.errors import TrackerError


def cmd_init(args: argparse.Namespace) -> int:
    from tracker.workspace_init import init_workspace

    if not args.dir.strip():  # `init "$DIR"` with DIR unset would otherwise fill the current folder
        raise TrackerError("DIR is empty: name the folder to create, e.g. tinytorch-tracker init mywork")
    target = Path(args.dir).expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise TrackerError(f"{target} exists and is not a folder")
    written = init_workspace(target)
    print(f"wrote {len(written)} files to {target / 'tinytorch'}")
    print(f"next: cd {target} && tinytorch-tracker watch   (then fill in tinytorch/system.py, tensor.py, ...)")
    return 0


def cmd_showcase(args: argparse.Namespace) -> int:
    from tracker import catalog

    try:
        number = int(args.number)
    except ValueError:
        number = 0
    if catalog.showcase_module(number) is None:
        count = sum(1 for m in catalog.modules() if m.showcase)
        raise TrackerError(f"no showcase {args.number!r}: showcases are numbered 1 to {count}")
    ws = workspace_from(args)
    from showcases import play, showcase_path

    if showcase_path(number) is None:
        raise TrackerError(f"showcase {number:02d} is not available in this installation yet")
    return play(number, ws, fast=args.fast)


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        from tracker.demo import main as demo_main
    except ImportError:
        raise TrackerError("the demo is not available in this installation") from None
    return int(demo_main(list(args.rest) + (["--help"] if args.help else [])) or 0)
