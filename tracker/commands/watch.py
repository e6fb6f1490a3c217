"""`watch` (the daemon in the foreground) and `check` (one pass now): the commands that run checks."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from typing import Any

from tracker import catalog
from tracker.commands.common import db_from, json_row, workspace_from
from tracker.errors import TrackerError


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("tinytorch-tracker: %(message)s"))
    log = logging.getLogger("tinytorch-tracker")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _subscriber(args: argparse.Namespace, ws: Any) -> Any:
    if args.json:
        from subscribers.jsonlines import JsonLinesSubscriber

        # nobody reads the events any more: stop as a pipeline member does, the way SIGTERM stops watch
        return JsonLinesSubscriber(on_gone=lambda: os.kill(os.getpid(), signal.SIGTERM))
    from subscribers.terminal import TerminalSubscriber

    return TerminalSubscriber(workspace=ws, play_showcases=not args.no_showcase)


MAX_TIMEOUT_S = 3600.0  # a check running longer than an hour is stuck; inf or nan would crash the sandbox


def _positive_timeout(args: argparse.Namespace) -> float:
    if not 0 < args.timeout <= MAX_TIMEOUT_S:
        raise TrackerError(
            f"--timeout must be a positive number of seconds up to {MAX_TIMEOUT_S:g}, not {args.timeout:g}"
        )
    return float(args.timeout)


def cmd_watch(args: argparse.Namespace) -> int:
    """Run the daemon until Ctrl-C / SIGTERM; exit 0 when stopped that way."""
    signal.signal(signal.SIGTERM, _interrupt)  # until the daemon installs its own handler
    import faulthandler

    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 PID` shows where it is stuck
    timeout = _positive_timeout(args)
    ws = workspace_from(args)
    _setup_logging()
    import anyio

    from tracker.bus import Bus
    from tracker.daemon import Daemon, acquire_lock
    from tracker.store import Store

    lock = acquire_lock(ws)
    try:
        store = Store.open(db_from(args, ws))
        bus = Bus()
        try:
            bus.subscribe(_subscriber(args, ws))
            from tracker.sandbox import Sandbox

            with Sandbox(ws, timeout_s=timeout) as sandbox:
                daemon = Daemon(ws, store, sandbox, bus, poll=args.poll, timeout_s=timeout)
                anyio.run(daemon.run)
        finally:
            bus.close(timeout=1.0)
            store.close()
    finally:
        lock.close()
    return 0


def _plan(names: list[str]) -> tuple[list[catalog.Module], list[catalog.Module]]:
    """(asked for, to run): the asked modules plus their prerequisites, in dependency order."""
    try:
        asked = [catalog.module(n) for n in names] if names else list(catalog.modules())
    except catalog.UnknownModule as err:
        raise TrackerError(str(err)) from None
    needed = {m.id for m in asked}
    for m in asked:
        needed.update(p.id for p in catalog.prerequisites(m.id))
    asked_ids = {m.id for m in asked}
    return ([m for m in catalog.modules() if m.id in asked_ids],
            [m for m in catalog.modules() if m.id in needed])


def cmd_check(args: argparse.Namespace) -> int:
    """One pass of checks now, recorded like the daemon's; exit 0 only if all asked for are complete."""
    timeout = _positive_timeout(args)
    asked, to_run = _plan(args.modules)
    ws = workspace_from(args)
    _setup_logging()
    import anyio

    from tracker.checking import Checker
    from tracker.sandbox import Sandbox
    from tracker.store import Store

    unlocked: list[dict[str, Any]] = []

    def collect(event: dict[str, Any]) -> None:
        if event["type"] == "achievement.unlocked":
            unlocked.append(event["data"])

    store = Store.open(db_from(args, ws))
    try:
        with Sandbox(ws, timeout_s=timeout) as sandbox:
            checker = Checker(store, sandbox, collect, timeout)

            async def run_all() -> dict[str, Any]:
                return {m.id: await checker.check(m) for m in to_run}

            records = anyio.run(run_all)
    finally:
        store.close()
    rows = [json_row(m, records[m.id].state, records[m.id].passed, records[m.id].failed, records[m.id].error)
            for m in asked]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        from tracker.commands.report import print_modules

        print_modules(rows, achieved=set(), whole_errors=True)
        for data in unlocked:
            show = f" (showcase: tinytorch-tracker showcase {data['showcase'][:2]})" if data["showcase"] else ""
            print(f"unlocked: {data['number']:02d} {data['title']}{show}")
    return 0 if all(r["state"] == "complete" for r in rows) else 1
