"""Helpers shared by tests/test_sandbox_*.py: temp workspaces and "nothing was left running" checks."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from conftest import REFERENCE, children_of, process_exists


def make_workspace(root: Path) -> Path:
    """A workspace holding a copy of the reference framework (every check passes on it)."""
    shutil.copytree(REFERENCE, root / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def read_pids(workspace: Path) -> list[int]:
    """Pids the hostile code wrote to pids.txt (one per line), if any."""
    path = workspace / "pids.txt"
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def assert_nothing_left(worker_pid: int | None, pids: list[int], within_s: float = 2.0) -> None:
    """The zygote has no children and every pid the student's code started is gone."""
    deadline = time.monotonic() + within_s
    while True:
        leftover = [p for p in pids if process_exists(p)]
        kids = children_of(worker_pid) if worker_pid else []
        if not leftover and not kids:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"left running: student pids {leftover}, worker children {kids}")
        time.sleep(0.02)
