"""The eleven "Look what you built!" showcases, and how to find and play one.

Each showcase is a script, `showcases/NN_name.py`, that runs on the student's own tinytorch
(`--workspace DIR`, default the current directory). This package file stays light on purpose
(no numpy, no rich): the tracker's command line and terminal subscriber import it only to locate
a showcase and start it as a child process that owns the terminal.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_SCRIPT = re.compile(r"^(\d\d)_[a-z0-9_]+\.py$")


def showcase_paths() -> list[Path]:
    """Every showcase script present, in number order."""
    return sorted(p for p in HERE.iterdir() if _SCRIPT.match(p.name))


def showcase_path(name_or_number: str | int) -> Path | None:
    """The script for "01_tensor_operations", "01", "1" or 1; None if there is no such showcase."""
    key = str(name_or_number).strip().removesuffix(".py")
    if key.isdigit():
        key = f"{int(key):02d}"
    for path in showcase_paths():
        if key in (path.stem, path.stem[:2]):
            return path
    return None


def play(name_or_number: str | int, workspace: Path, fast: bool = False) -> int:
    """Run one showcase on `workspace` in a child process sharing this terminal; its exit code.

    Exit codes: 0 done, 2 a module it needs is not complete (it says which), 127 no such showcase.
    """
    path = showcase_path(name_or_number)
    if path is None:
        print(f"No showcase {name_or_number!r} (there are {len(showcase_paths())}).", file=sys.stderr)
        return 127
    command = [sys.executable, str(path), "--workspace", str(Path(workspace).resolve())]
    if fast:
        command.append("--fast")
    return subprocess.run(command, check=False).returncode
