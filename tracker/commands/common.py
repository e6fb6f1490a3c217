"""What several commands share: finding the workspace and its database, and the JSON row shape."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError
from tracker.store import ENV_DB, db_path_for


def workspace_from(args: argparse.Namespace, require_sources: bool = True) -> Path:
    """The --workspace folder (resolved); it must hold tinytorch/ unless a database is named explicitly."""
    ws = Path(args.workspace).expanduser().resolve()
    if not ws.is_dir():
        raise TrackerError(f"{ws} is not a folder: pass --workspace DIR (made by `tinytorch-tracker init DIR`)")
    if require_sources and not (ws / "tinytorch").is_dir():
        raise TrackerError(
            f"no tinytorch/ folder in {ws}: run `tinytorch-tracker init DIR` first, then work in DIR "
            f"(or pass --workspace DIR)"
        )
    return ws


def db_from(args: argparse.Namespace, ws: Path) -> Path:
    return db_path_for(ws, getattr(args, "db", None))


def explicit_db(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "db", None) or os.environ.get(ENV_DB))


def json_row(module: Any, state: str, passed: int = 0, failed: int = 0, error: str = "") -> dict[str, Any]:
    """One module in `check --json` / `status --json`."""
    return {"module": module.id, "number": module.number, "state": state, "passed": passed,
            "failed": failed, "error": error}
