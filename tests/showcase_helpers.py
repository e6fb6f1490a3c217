"""Running showcases the way the tracker does, and checking their output is clean text.

`play` starts `python showcases/NN_name.py --workspace W [--fast]` with stdout/stderr piped (so the
showcase must notice by itself that it is not on a terminal). `stub_workspace` builds the reference
tinytorch with one module's file replaced by the stub a fresh `init` wrote.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def play(name: str, workspace: Path | None, *extra: str, env: dict[str, str] | None = None,
         cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run one showcase piped; `workspace=None` leaves --workspace out (the default: cwd)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(TERM="xterm-256color", COLUMNS="120", **(env or {}))
    where = ["--workspace", str(workspace)] if workspace is not None else []
    return subprocess.run([sys.executable, str(REPO / "showcases" / f"{name}.py"), *where, *extra],
                          capture_output=True, text=True, env=full_env, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=cwd)


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    """No escape codes, no traceback, no line wider than 80 columns, in stdout or stderr."""
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream, "escape codes in piped output"
        assert "Traceback" not in stream, stream[-2000:]
        wide = [line for line in stream.splitlines() if len(line) > 80]
        assert not wide, f"lines wider than 80 columns: {wide[:3]}"


def stub_workspace(root: Path, stubs: Path, module_file: str) -> Path:
    """`root/tinytorch`: the reference files, except `module_file` taken from the stubbed `stubs`."""
    shutil.copytree(REPO / "tinytorch", root / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(stubs / module_file, root / module_file)
    return root
