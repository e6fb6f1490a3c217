"""`status` and `history`: read-only views of the progress database (stdlib sqlite3 + rich, no numpy)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tracker import catalog
from tracker.commands.common import db_from, explicit_db, json_row, workspace_from
from tracker.states import COMPLETE, LOCKED, NOT_STARTED
from tracker.store import Store


def _open(args: argparse.Namespace) -> tuple[Store | None, str]:
    ws = workspace_from(args, require_sources=not explicit_db(args))
    path = db_from(args, ws)
    return Store.open_reader(path), str(path)


def status_rows(last: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every module's row from its last recorded run; never-run modules are locked or not started."""
    rows = []
    states: dict[str, str] = {}
    for m in catalog.modules():
        run = last.get(m.id)
        if run is not None:
            state = run["state"]
            rows.append(json_row(m, state, run["passed"] or 0, run["failed"] or 0, run["error"] or ""))
        else:
            ready = all(states.get(r) == COMPLETE for r in m.requires)
            state = NOT_STARTED if ready else LOCKED
            rows.append(json_row(m, state))
        states[m.id] = state
    return rows


def print_modules(rows: list[dict[str, Any]], achieved: set[str], whole_errors: bool) -> None:
    """A table of module rows; a module once complete but not now is marked regressed.

    `status` keeps one line per module (errors cut to fit); `check`, asked about a few modules,
    shows each first error whole, since that line is what the student acts on.
    """
    from rich.console import Console
    from rich.table import Table

    from subscribers.terminal_view import STYLES, error_words

    console = Console()
    room = max(20, console.width - 50)
    table = Table(show_edge=False, pad_edge=False)
    for name in ("#", "module", "state", "checks"):
        table.add_column(name, no_wrap=True)
    table.add_column("first error", no_wrap=not whole_errors, overflow="fold")
    for r in rows:
        m = catalog.module(r["module"])
        state = r["state"]
        label = f"regressed ({state})" if m.id in achieved and state != COMPLETE else state
        total = r["passed"] + r["failed"]
        checks = f"{r['passed']}/{total}" if total else ""
        error = error_words(r["error"])
        if not whole_errors and len(error) > room:
            error = error[: room - 1] + "…"
        table.add_row(f"{m.number:02d}", m.id, f"[{STYLES.get(state, 'default')}]{label}", checks, error)
    console.print(table)


def cmd_status(args: argparse.Namespace) -> int:
    store, path = _open(args)
    try:
        last = store.last_runs() if store else {}
        achieved = {a["module"] for a in store.achievements()} if store else set()
    finally:
        if store:
            store.close()
    rows = status_rows(last)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    done = sum(1 for r in rows if r["state"] == COMPLETE)
    width = 32
    filled = round(width * done / len(rows))
    from rich.console import Console

    console = Console()
    console.print(f"[bold]progress[/] [green]{'█' * filled}[/][bright_black]{'░' * (width - filled)}[/] "
                  f"{done}/{len(rows)} modules complete")
    if store is None:
        console.print(f"nothing recorded yet in {path}: run `tinytorch-tracker watch` or `tinytorch-tracker check`")
    print_modules(rows, achieved, whole_errors=False)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    store, _ = _open(args)
    try:
        unlocks = store.achievements() if store else []
    finally:
        if store:
            store.close()
    if args.json:
        print(json.dumps(unlocks, indent=2))
        return 0
    if not unlocks:
        print("no modules unlocked yet: run `tinytorch-tracker watch` and make a module's checks pass")
        return 0
    # plain text, no rich: history has to stay fast over a long event log
    print(f"{'when (UTC)':<23}  #   {'module':<16}  showcase")
    for a in unlocks:
        m = catalog.module(a["module"])
        show = f"tinytorch-tracker showcase {m.showcase[:2]}" if m.showcase else ""
        when = a["unlocked_at"].replace("T", " ").rstrip("Z")
        print(f"{when:<23}  {m.number:02d}  {m.title:<16}  {show}".rstrip())
    print(f"{len(unlocks)}/{len(catalog.modules())} modules unlocked")
    return 0
