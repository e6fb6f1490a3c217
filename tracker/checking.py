"""Checking modules: run one through the sandbox, decide its state, record it, announce it.

Shared by `watch` (the daemon) and `check` (one pass from the command line), so both record runs,
unlocks and regressions by the same rules. A module whose prerequisites are not complete is
reported `locked` without running anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from tracker.catalog import Module
from tracker.events import CHECK_STARTED
from tracker.sandbox_report import ModuleRun
from tracker.states import BROKEN, COMPLETE, LOCKED, first_error, module_state
from tracker.store import RunRecord, Store

log = logging.getLogger("tinytorch-tracker")


class Runner(Protocol):
    """The part of tracker.sandbox.Sandbox the checker needs."""

    async def run(self, module_id: str) -> ModuleRun: ...


class Checker:
    """Knows each module's latest state in this session and checks modules in dependency order."""

    def __init__(self, store: Store, runner: Runner, publish: Callable[[dict[str, Any]], None],
                 timeout_s: float | None = None) -> None:
        self.store = store
        self.runner = runner
        self.publish = publish
        self.timeout_s = timeout_s
        self.states: dict[str, str] = {}

    def _announce(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.publish(event)

    def missing_prerequisites(self, m: Module) -> list[str]:
        return [r for r in m.requires if self.states.get(r) != COMPLETE]

    async def check(self, m: Module) -> RunRecord:
        """Check one module now (or report it locked), record the run and publish its events."""
        missing = self.missing_prerequisites(m)
        if missing:
            rec = RunRecord(m, LOCKED, 0, 0, f"locked: needs {', '.join(missing)} complete first", 0.0)
        else:
            self._announce(self.store.add_events([(CHECK_STARTED, {"module": m.id, "number": m.number})]))
            rec = await self._run(m)
        self.states[m.id] = rec.state
        self._announce(self.store.record_run(rec))
        return rec

    async def _run(self, m: Module) -> RunRecord:
        started = time.perf_counter()
        try:
            run = await self.runner.run(m.id)
        except Exception as err:  # noqa: BLE001 - the runner failing is reported, never fatal
            log.error("could not run the checks of %s: %s: %s", m.id, type(err).__name__, err)
            elapsed = (time.perf_counter() - started) * 1000
            return RunRecord(m, BROKEN, 0, 0, f"the tracker could not run the checks: {err}", elapsed)
        state = module_state(run, prerequisites_complete=True)
        outcomes = tuple({"name": o.name, "status": o.status, "error": o.error} for o in run.outcomes)
        error = first_error(run, self.timeout_s) if state != COMPLETE else ""
        return RunRecord(m, state, run.passed, run.failed, error, float(run.duration_ms), bool(run.timed_out), outcomes)
