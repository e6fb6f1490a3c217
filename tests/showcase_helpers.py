"""Running showcases the way the tracker does, and reading what they print.

`play` starts `python showcases/NN_name.py --workspace W [--fast]` with stdout/stderr piped (so the
showcase must notice by itself that it is not on a terminal); `on_terminal` runs a command on a
pseudo-terminal instead. `reference_runs` plays showcases on the reference code once per test
session (every test file reads the same runs). `stub_workspace` builds the reference tinytorch with
one module's file replaced by the stub a fresh `init` wrote.
"""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from showcases import showcase_paths
from tracker import catalog

REPO = Path(__file__).resolve().parent.parent
SHOWCASES = [path.stem for path in showcase_paths()]
_PLAYED: dict[str, subprocess.CompletedProcess[str]] = {}


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    """This environment without colour choices, as a terminal would have it, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "TERM": "xterm-256color", **(extra or {})}


def play(name: str, workspace: Path | None, *extra: str, env: dict[str, str] | None = None,
         cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run one showcase piped; `workspace=None` leaves --workspace out (the default: cwd)."""
    where = ["--workspace", str(workspace)] if workspace is not None else []
    return subprocess.run([sys.executable, str(REPO / "showcases" / f"{name}.py"), *where, *extra],
                          capture_output=True, text=True, env=_env({"COLUMNS": "120", **(env or {})}),
                          timeout=timeout, stdin=subprocess.DEVNULL, cwd=cwd)


def reference_runs(names: Sequence[str]) -> dict[str, subprocess.CompletedProcess[str]]:
    """Each showcase in `names` played with --fast on the reference, once per session, three at a time."""
    missing = [name for name in names if name not in _PLAYED]
    with ThreadPoolExecutor(3) as pool:
        _PLAYED.update(zip(missing, pool.map(lambda name: play(name, REPO, "--fast"), missing), strict=True))
    return {name: _PLAYED[name] for name in names}


def on_terminal(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> str:
    """What `argv` writes when its stdout is a real (pseudo) terminal; it must exit 0."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(list(argv), stdout=follower, stderr=follower, stdin=subprocess.DEVNULL,
                            env=_env(env), cwd=cwd)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0, b"".join(chunks)[-2000:]
    return b"".join(chunks).decode("utf-8", "replace")


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    """No escape codes, no traceback, no line wider than 80 columns, in stdout or stderr."""
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream, "escape codes in piped output"
        assert "Traceback" not in stream, stream[-2000:]
        wide = [line for line in stream.splitlines() if len(line) > 80]
        assert not wide, f"lines wider than 80 columns: {wide[:3]}"


def assert_stops_at(result: subprocess.CompletedProcess[str], module: Any) -> None:
    """Exit code 2 and one clean message naming `module` (a catalog module) and the command showing its state."""
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert_clean(result)
    assert f"Module {module.number:02d} ({module.title})" in result.stderr
    assert f"tinytorch-tracker check {module.id}" in result.stderr


def numbers(pattern: str, text: str) -> list[float]:
    """The numbers captured by the first match of `pattern` (one group per number, commas allowed)."""
    found = re.search(pattern, text, re.M)
    assert found, f"{pattern!r} not in output:\n{text[-3000:]}"
    return [float(v.replace(",", "")) for v in found.groups()]


def unlocking_module(name: str) -> Any:
    """The catalog module whose completion unlocks showcase `name`."""
    return next(m for m in catalog.modules() if m.showcase == name)


def stub_workspace(root: Path, stubs: Path, module_file: str) -> Path:
    """`root/tinytorch`: the reference files, except `module_file` taken from the stubbed `stubs`."""
    shutil.copytree(REPO / "tinytorch", root / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(stubs / module_file, root / module_file)
    return root
