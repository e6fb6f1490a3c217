"""Module states, derived from one module run (see DESIGN.md "Module states").

Works on anything shaped like the sandbox's ModuleRun, so the daemon, the CLI and the store agree
on one rule without importing the sandbox.
"""

from __future__ import annotations

from typing import Any

LOCKED = "locked"
NOT_STARTED = "not started"
IN_PROGRESS = "in progress"
BROKEN = "broken"
COMPLETE = "complete"
STATES = (LOCKED, NOT_STARTED, IN_PROGRESS, BROKEN, COMPLETE)


def module_state(run: Any | None, prerequisites_complete: bool) -> str:
    """The state of a module given its latest run (None: never run) and its prerequisites.

    broken: the file does not import (or the run timed out / crashed before any check);
    not started: every check hits NotImplementedError; complete: every check passes;
    in progress: anything in between (some pass, or the student's code runs but is wrong).
    """
    if not prerequisites_complete:
        return LOCKED
    if run is None:
        return NOT_STARTED
    if run.timed_out or run.import_error is not None or not run.outcomes:
        return BROKEN
    statuses = {o.status for o in run.outcomes}
    if statuses == {"passed"}:
        return COMPLETE
    if statuses == {"not_implemented"}:
        return NOT_STARTED
    return IN_PROGRESS


def first_error(run: Any, timeout_s: float | None = None) -> str:
    """The one line a student should read first: timeout, import error or first failing check."""
    if run.timed_out:
        if run.import_error:  # says where: "timed out after 10 s in check_add_broadcasts"
            return f"{run.import_error} (an endless loop?)"
        limit = f" of {timeout_s:g} s" if timeout_s else ""
        return f"timed out: the code ran past the time limit{limit} (an endless loop?)"
    if run.import_error:
        return run.import_error
    for o in run.outcomes:
        if o.status != "passed":
            return f"{o.name}: {o.error}" if o.error else o.name
    if not run.outcomes:
        return "no checks found for this module"
    return ""
