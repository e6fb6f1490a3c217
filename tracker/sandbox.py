"""Runs a course module's smoke checks against the student's code, isolated from the daemon.

The daemon never imports student code. A pre-warmed zygote process (tracker/zygote.py: numpy and the checks
loaded, one BLAS thread) forks one child per run (tracker/worker.py); the child imports the student's file
fresh and runs the checks. The zygote enforces the wall-clock timeout by killing the child's process group
and reaps whatever it left behind; this side turns the zygote's reply into a ModuleRun, restarts a zygote
that died, and keeps a backstop deadline of its own in case the zygote hangs.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.procs import kill_group
from tracker.sandbox_report import CheckOutcome, ModuleRun, build_run

__all__ = ["CheckOutcome", "ModuleRun", "Sandbox", "SandboxClosed"]

_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])
_ONE_THREAD = {
    name: "1"
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                 "NUMEXPR_NUM_THREADS")
}  # fmt: skip
_START_TIMEOUT_S = 30.0
_BACKSTOP_S = 5.0


_call_ids = itertools.count(1)


class SandboxClosed(RuntimeError):
    """Raised by a run that was in progress, or asked for, after close()."""


class _WorkerLost(Exception):
    """The zygote died or stopped answering."""


@dataclass
class _Call:
    """One run request; `cancelled` is set from another thread to stop it."""

    cancelled: bool = False
    child_pid: int | None = None
    id: int = field(default_factory=lambda: next(_call_ids))

    def kill(self) -> None:
        """Kill the run's process group once it has one (never the bare pid: the worker may have reaped it)."""
        if self.child_pid is not None:
            kill_group(self.child_pid, group_only=True)


class Sandbox:
    """A pre-warmed, restartable runner of module checks for one workspace. Thread-safe; runs one at a time."""

    def __init__(
        self,
        workspace: Path,
        timeout_s: float = 10.0,
        memory_mb: int = 2048,
        output_limit: int = 65536,
        *,
        checks_package: str = "tracker.checks",
    ) -> None:
        self.workspace = Path(workspace).resolve()
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.output_limit = output_limit
        self.checks_package = checks_package
        self._run_lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._current: _Call | None = None
        self._closed = False
        self._scratch = ""
        self._wake_r, self._wake_w = os.pipe()
        self.restarts = 0

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def worker_pid(self) -> int | None:
        """The zygote's pid (tests use it to check that nothing is left behind)."""
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the pre-warmed worker now (otherwise the first run starts it)."""
        with self._run_lock:
            self._ensure_worker()

    def close(self) -> None:
        """Kill the running check, the worker and everything they started; idempotent."""
        self._closed = True
        call = self._current
        if call is not None:
            self._cancel(call)
        got = self._run_lock.acquire(timeout=_BACKSTOP_S)
        try:
            self._stop_worker()
        finally:
            if got:
                self._run_lock.release()
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        self._wake_r = self._wake_w = -1

    def run_module(self, module_id: str) -> ModuleRun:
        """Import the module's file in a fresh child and run its checks; blocks until done."""
        return self._run(module_id, _Call())

    async def run(self, module_id: str) -> ModuleRun:
        """Like run_module, for anyio/asyncio code; cancelling it kills the child's process group."""
        import anyio
        import anyio.to_thread

        call = _Call()
        try:
            return await anyio.to_thread.run_sync(self._run, module_id, call, abandon_on_cancel=True)
        except anyio.get_cancelled_exc_class():
            self._cancel(call)
            raise

    def _cancel(self, call: _Call) -> None:
        call.cancelled = True
        if self._current is call:
            call.kill()
            try:
                os.write(self._wake_w, b"x")
            except OSError:
                pass

    def _run(self, module_id: str, call: _Call) -> ModuleRun:
        from tracker import catalog

        file = catalog.module(module_id).file
        with self._run_lock:
            if self._closed:
                raise SandboxClosed("the sandbox is closed")
            if call.cancelled:
                return build_run(module_id, file, {"cancelled": True}, self.timeout_s, 0.0)
            self._current = call
            try:
                started = time.perf_counter()
                reply = self._exchange_restarting(module_id, file, call)
                duration_ms = (time.perf_counter() - started) * 1000
            finally:
                self._current = None
        if self._closed:
            raise SandboxClosed("the sandbox was closed during the run")
        return build_run(module_id, file, reply, self.timeout_s, duration_ms)

    def _exchange_restarting(self, module_id: str, file: str, call: _Call) -> dict[str, Any]:
        """One run; if the worker dies under it, restart the worker and try once more."""
        for _ in range(2):
            self._ensure_worker()
            try:
                return self._exchange(module_id, file, call)
            except _WorkerLost:
                call.kill()  # its process group, should the worker have died first
                self._stop_worker()
                self.restarts += 1
                if self._closed:
                    raise SandboxClosed("the sandbox was closed during the run") from None
                if call.cancelled:
                    break
        return {"worker_lost": True, "cancelled": call.cancelled}

    def _exchange(self, module_id: str, file: str, call: _Call) -> dict[str, Any]:
        request = {
            "op": "run", "id": call.id, "module": module_id, "file": file,
            "checks": f"{self.checks_package}.{module_id}", "workspace": str(self.workspace),
            "timeout": self.timeout_s, "memory_mb": self.memory_mb, "output_limit": self.output_limit,
        }  # fmt: skip
        self._send(request)
        deadline = time.monotonic() + self.timeout_s + _BACKSTOP_S
        cancel_sent = False
        while True:
            if call.cancelled and not cancel_sent:
                call.kill()
                self._send({"op": "cancel", "id": call.id})
                cancel_sent = True
            event = self._next_event(deadline, wakeable=True)
            if event is None:
                call.kill()
                raise _WorkerLost
            if event.get("event") == "started":
                call.child_pid = int(event["pid"])
            elif event.get("event") == "finished":
                return event

    def _next_event(self, deadline: float, wakeable: bool = False) -> dict[str, Any] | None:
        """The zygote's next reply, {"event": "wake"} after a cancel if wakeable, None at the deadline."""
        assert self._proc is not None and self._proc.stdout is not None
        out_fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([out_fd, self._wake_r], [], [], remaining)
            if self._wake_r in ready:
                os.read(self._wake_r, 1024)
                if wakeable:
                    return {"event": "wake"}
            if out_fd in ready:
                chunk = os.read(out_fd, 65536)
                if not chunk:
                    raise _WorkerLost
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise _WorkerLost from None

    def _send(self, message: dict[str, Any]) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write((json.dumps(message) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise _WorkerLost from None

    def _ensure_worker(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        if self._proc is not None:
            self._stop_worker()
            self.restarts += 1  # it died between runs
        if self._closed:
            raise SandboxClosed("the sandbox is closed")
        code = (
            f"import sys; sys.path[0:1] = [{_PROJECT_ROOT!r}]; from tracker.zygote import main; main()"
        )
        env = {**os.environ, **_ONE_THREAD}
        debug = os.environ.get("TINYTORCH_SANDBOX_DEBUG") == "1"
        self._proc = subprocess.Popen(
            [sys.executable, "-c", code, self.checks_package],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if debug else subprocess.DEVNULL,
            cwd=self.workspace,
            env=env,
            start_new_session=True,
        )
        self._buffer = b""
        try:
            event = self._next_event(time.monotonic() + _START_TIMEOUT_S)
        except _WorkerLost:
            event = None
        if event is None or event.get("event") != "ready":
            self._stop_worker()
            raise RuntimeError("the sandbox worker did not start (set TINYTORCH_SANDBOX_DEBUG=1 to see why)")
        self._scratch = str(event.get("scratch", ""))

    def _stop_worker(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        self._buffer = b""
        if self._scratch:  # the worker removes it itself, unless it was killed
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = ""
