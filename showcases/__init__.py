"""The eleven "Look what you built!" showcases, and how to find, name and start one.

Each showcase is a script, `showcases/NN_name.py`, that runs on the student's own tinytorch
(`--workspace DIR`, default the current directory). Its docstring's first line is
"Showcase NN · Title: what it shows"; that title is the one place a showcase's name is written.

Whoever starts a showcase (`play` here, the terminal subscriber with its own Popen) uses
`command()` and `environment()`, so every start is the same. This package file stays light on
purpose (no numpy, no rich): the tracker's command line and terminal subscriber import it only to
locate a showcase and start it as a child process that owns the terminal.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_SCRIPT = re.compile(r"^(\d\d)_[a-z0-9_]+\.py$")
_FIRST_LINE = re.compile(r"^Showcase (\d\d) · ([^:]+): ")

# Numpy's BLAS starts this many threads when it loads. One: on the showcases' small matrices extra
# threads mostly wait for each other (many times slower on a busy 2-core machine).
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


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


def _existing(name_or_number: str | int) -> Path:
    path = showcase_path(name_or_number)
    if path is None:
        raise LookupError(f"No showcase {name_or_number!r} (there are {len(showcase_paths())}).")
    return path


def showcase_title(name_or_number: str | int) -> str:
    """A showcase's title from its docstring ("TinyGPT Mastery"), read without running it; LookupError if absent."""
    path = _existing(name_or_number)
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    found = _FIRST_LINE.match(doc)
    if found is None or found.group(1) != path.name[:2]:
        raise ValueError(f"{path}: the docstring must start with 'Showcase {path.name[:2]} · Title: ...'")
    return found.group(2).strip()


def command(name_or_number: str | int, workspace: Path, fast: bool = False) -> list[str]:
    """The command line that plays a showcase on `workspace`; LookupError if there is no such showcase."""
    path = _existing(name_or_number)
    return [sys.executable, str(path), "--workspace", str(Path(workspace).resolve()), *(["--fast"] if fast else [])]


def environment() -> dict[str, str]:
    """The environment to start a showcase in: this process's, with one BLAS thread unless the user chose."""
    return {**BLAS_THREADS, **os.environ}


def play(name_or_number: str | int, workspace: Path, fast: bool = False) -> int:
    """Run one showcase on `workspace` in a child process sharing this terminal; its exit code.

    Exit codes: 0 done, 2 a module it needs is not complete (it says which), 127 no such showcase.
    """
    try:
        argv = command(name_or_number, workspace, fast)
    except LookupError as missing:
        print(missing.args[0], file=sys.stderr)
        return 127
    return subprocess.run(argv, env=environment(), check=False).returncode
