"""Is the student's code far enough for a showcase? The same rule as the tracker's, run in-process.

A course module is complete when its file imports and every `check_*` in `tracker/checks/<id>.py`
passes. A showcase needs the module that unlocks it and everything that module builds on
(`tracker.catalog.prerequisites`); when one is missing it names it and the command that shows its state.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path
from typing import Any

WIDTH = 80


def first_line(error: BaseException) -> str:
    """"Type: message" on one line (a multi-line message is joined: an assert's "got [[..]]" stays)."""
    text = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def module_problem(module: Any) -> str | None:
    """Why a catalog module is not complete in the student's code, or None when it is."""
    try:
        importlib.import_module("tinytorch." + Path(module.file).stem)
    except (Exception, SystemExit) as error:
        return f"{module.file} does not import ({first_line(error)})"
    try:
        checks = importlib.import_module(f"tracker.checks.{module.id}")
    except ModuleNotFoundError as error:
        if error.name != f"tracker.checks.{module.id}":
            raise
        return None
    for name, check in vars(checks).items():
        if not (name.startswith("check_") and callable(check)):
            continue
        try:
            check()
        except NotImplementedError as error:
            hint = str(error).strip()
            return f"not implemented yet{f' ({hint})' if hint else ''}"
        except (Exception, SystemExit) as error:
            return f"{name} fails ({first_line(error)})"
    return None


def report_incomplete(module: Any, problem: str, showcase: str, unlocked_by: Any) -> None:
    """One clear message on stderr: which module, why, how to see its state, and what it leads to."""
    reason = textwrap.fill(problem, WIDTH - 2, initial_indent="  ", subsequent_indent="    ")
    route = ("" if module.id == unlocked_by.id else
             f"Module {unlocked_by.number:02d} ({unlocked_by.title}) unlocks this showcase and builds on it.\n")
    sys.stderr.write(
        f"Showcase {showcase} needs Module {module.number:02d} ({module.title}), which is not complete:\n"
        f"{reason}\n{route}See its state with:  tinytorch-tracker check {module.id}\n"
    )


def student_package_problem(workspace: Path) -> str | None:
    """Why `import tinytorch` would not be the workspace's own package, or None when it is.

    Without tinytorch/__init__.py the folder is only a namespace portion, and the installed reference
    package would be imported instead: the showcase must never run that as the student's code.
    """
    try:
        import tinytorch
    except (Exception, SystemExit) as error:
        return f"{workspace / 'tinytorch' / '__init__.py'} does not import:\n  {first_line(error)}"
    found = Path(getattr(tinytorch, "__file__", None) or "").resolve().parent
    if found != (workspace / "tinytorch").resolve():
        return (f"{workspace / 'tinytorch'} is not a package (no __init__.py?),\n"
                f"so `import tinytorch` found {found} instead.")
    return None


def student_origin(error: BaseException, workspace: Path) -> tuple[Any, str]:
    """The catalog module of the innermost student frame in the traceback, and where it raised."""
    from tracker import catalog

    module, where, tb = None, "?", error.__traceback__
    student = str(workspace / "tinytorch")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        where = f"{filename}:{tb.tb_lineno}"
        if filename.startswith(student):
            module = catalog.module_for_file(filename) or module
        tb = tb.tb_next
    return module, where
