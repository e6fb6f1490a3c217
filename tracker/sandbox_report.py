"""The results of a sandbox run, and how a zygote reply becomes one.

Kept apart from tracker/sandbox.py so the store, states and CLI can use the result types without the runner.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

STATUSES = ("passed", "failed", "not_implemented")
INTERNAL_ERROR_EXIT = 117  # = tracker.worker.INTERNAL_ERROR_EXIT (not imported: the worker is child-side code)


@dataclass(frozen=True)
class CheckOutcome:
    name: str  # "check_add_broadcasts"
    status: str  # "passed" | "failed" | "not_implemented"
    error: str = ""  # first useful error line, "" when passed


@dataclass(frozen=True)
class ModuleRun:
    """One run of a module's checks.

    `import_error` is set whenever the module could not be checked normally: its file failed to import, or
    the child process timed out, crashed or exited during the checks (the message says which and where).
    """

    module: str
    outcomes: tuple[CheckOutcome, ...]
    import_error: str | None
    timed_out: bool
    duration_ms: float
    output: str = ""  # the first `output_limit` bytes the student's code printed

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "passed")

    @property
    def failed(self) -> int:
        """Checks that did not pass (failed or not implemented)."""
        return len(self.outcomes) - self.passed


def _ended(reply: dict[str, Any], timeout_s: float) -> str:
    """Why the child stopped before finishing, in a few words."""
    if reply.get("cancelled"):
        return "cancelled"
    if reply.get("timed_out"):
        return f"timed out after {timeout_s:g} s"
    if "signal" in reply:
        number = int(reply["signal"])
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        if number == signal.SIGKILL:
            return "was killed by SIGKILL (out of memory, or the code killed itself)"
        return f"crashed with {name}"
    if reply.get("exit") == INTERNAL_ERROR_EXIT:
        return "could not report its results (did the code delete or block the sandbox's files?)"
    return f"exited the interpreter with code {reply.get('exit')} (os._exit or a C-level exit)"


def build_run(module: str, file: str, reply: dict[str, Any], timeout_s: float, duration_ms: float) -> ModuleRun:
    """Turn the zygote's `finished` reply (records + how the child ended) into a ModuleRun."""
    names: list[str] = []
    outcomes: dict[str, CheckOutcome] = {}
    phase, running, problem = "start", "", None
    for record in reply.get("records", []):
        kind = record.get("phase")
        if kind == "checks":
            names = [str(n) for n in record.get("names", [])]
        elif kind == "checks_error":
            problem = f"the checks for {module} failed to load: {record.get('error', '')}"
        elif kind == "import_error":
            problem = str(record.get("error", "")) or "import failed"
        elif kind == "running":
            running = str(record.get("check", ""))
        elif kind == "outcome":
            name, status = str(record.get("check", "")), str(record.get("status", "failed"))
            status = status if status in STATUSES else "failed"
            outcomes[name] = CheckOutcome(name, status, str(record.get("error", "")))
            running = ""
        if kind in ("import", "imported", "done"):
            phase = kind

    timed_out = bool(reply.get("timed_out"))
    if reply.get("worker_lost") and not reply.get("cancelled"):
        problem = "the checker process was killed during the run (did the code kill its parent?); it was restarted"
    if problem is None and phase != "done":
        if phase == "start":
            where = "before the checks started" if reply.get("records") else "(its progress records are gone)"
        elif phase == "import":
            where = f"while importing {file}"
        elif running:
            where = f"in {running}"
        else:
            where = "after the checks"
        reason = f"{_ended(reply, timeout_s)} {where}"
        ordered = [outcomes.get(n) or CheckOutcome(n, "failed", _unfinished(n, running, reason)) for n in names]
        if phase in ("start", "import"):
            ordered = []
        return ModuleRun(module, tuple(ordered), reason, timed_out, duration_ms, str(reply.get("output", "")))
    if problem is not None:
        return ModuleRun(module, (), problem, timed_out, duration_ms, str(reply.get("output", "")))
    ordered = [outcomes[n] for n in names if n in outcomes]
    return ModuleRun(module, tuple(ordered), None, timed_out, duration_ms, str(reply.get("output", "")))


def _unfinished(name: str, running: str, reason: str) -> str:
    return reason if name == running else f"not run: {reason}"
