"""`tinytorch-tracker init DIR`: a student workspace made from the reference framework.

Every `### BEGIN SOLUTION` ... `### END SOLUTION` block (markers included) becomes
`raise NotImplementedError("<hint>")` at the marker's indentation. The hint is the text after
`BEGIN SOLUTION` (a leading `hint:` removed), or one naming the enclosing function.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tracker.errors import TrackerError, make_folder, why

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION\b(?P<rest>.*)$")
END_SOLUTION = re.compile(r"^[ \t]*### END SOLUTION\b")
_DEF = re.compile(r"^(?P<indent>[ \t]*)(?:async\s+)?def\s+(?P<name>\w+)")


def reference_dir() -> Path:
    """The installed reference `tinytorch/` (it ships beside `tracker/` in one distribution)."""
    here = Path(__file__).resolve().parent.parent / "tinytorch"
    if (here / "__init__.py").is_file():
        return here
    import importlib.util

    spec = importlib.util.find_spec("tinytorch")
    if spec is None or not spec.submodule_search_locations:
        raise TrackerError("the reference tinytorch package is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations)))


def _enclosing_function(lines: list[str], index: int, indent: str) -> str | None:
    for line in reversed(lines[:index]):
        m = _DEF.match(line)
        if m and len(m.group("indent")) < len(indent):
            return m.group("name")
    return None


def strip_solutions(source: str, filename: str = "<source>") -> str:
    """The source with every solution block replaced by a NotImplementedError carrying its hint."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        begin = _BEGIN.match(lines[i].rstrip("\r\n"))
        if not begin:
            if END_SOLUTION.match(lines[i]):
                raise TrackerError(f"{filename}:{i + 1}: END SOLUTION without a BEGIN SOLUTION")
            out.append(lines[i])
            i += 1
            continue
        indent = begin.group("indent")
        hint = begin.group("rest").strip()
        hint = re.sub(r"^hint:\s*", "", hint, flags=re.IGNORECASE)
        if not hint:
            func = _enclosing_function(lines, i, indent)
            hint = f"{func}() is yours to write" if func else "this part is yours to write"
        end = i + 1
        while end < len(lines) and not END_SOLUTION.match(lines[end]):
            if _BEGIN.match(lines[end]):
                raise TrackerError(f"{filename}:{end + 1}: BEGIN SOLUTION inside another solution block")
            end += 1
        if end == len(lines):
            raise TrackerError(f"{filename}:{i + 1}: BEGIN SOLUTION without an END SOLUTION")
        out.append(f"{indent}raise NotImplementedError({hint!r})\n")
        i = end + 1
    return "".join(out)


def init_workspace(target: Path, reference: Path | None = None) -> list[Path]:
    """Write `target/tinytorch/` (stubbed); refuses to touch an existing one. Returns the files written."""
    reference = reference or reference_dir()
    dest = target / "tinytorch"
    if dest.exists():
        raise TrackerError(f"{dest} already exists: not overwriting it (choose a new folder)")
    sources = sorted(p for p in reference.glob("*.py") if p.is_file())
    if not sources:
        raise TrackerError(f"no framework files found in {reference}")
    stubbed = {p.name: strip_solutions(p.read_text(encoding="utf-8"), p.name) for p in sources}
    make_folder(target)
    try:
        dest.mkdir()
    except OSError as err:
        raise TrackerError(f"cannot write the workspace in {target}: {why(err)}") from None
    written = []
    try:
        for name, text in stubbed.items():
            path = dest / name
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as err:  # no half-written workspace: `init` again must not find one "already there"
        shutil.rmtree(dest, ignore_errors=True)
        raise TrackerError(f"cannot write the workspace in {target}: {why(err)}") from None
    return written
