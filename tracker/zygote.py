"""The pre-warmed worker: a long-lived process that forks one child per module run.

Started by tracker/sandbox.py with one BLAS thread. It imports numpy and the checks modules once (never
tinytorch), so a run costs a fork instead of a fresh interpreter. It is a child subreaper: whatever a run
leaves behind (grandchildren, daemonised processes in new sessions) is re-parented here and killed after the
run. Protocol: JSON lines; requests on stdin, replies on stdout.

  -> {"op": "run", "module", "file", "checks", "workspace", "timeout", "memory_mb", "output_limit"}
  <- {"event": "started", "pid"}   then   {"event": "finished", "pid", "exit"|"signal", "timed_out",
                                            "cancelled", "records", "output", "output_dropped"}
  -> {"op": "cancel", "id"} kills the run with that "id" if it is in progress.    EOF on stdin: clean up, exit.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pkgutil
import platform
import select
import shutil
import signal
import sys
import tempfile
import time
from typing import Any

from tracker import procs, worker

_READ_SIZE = 65536
_WARM_STDLIB = (
    "collections", "contextlib", "copy", "dataclasses", "functools", "gzip", "itertools", "math", "pickle",
    "random", "statistics", "string", "tempfile", "time", "typing", "warnings", "weakref",
)  # fmt: skip


_NEVER_PRELOAD = frozenset({"antigravity", "this", "__hello__", "__phello__"})  # side effects at import
_CODE_CACHE_KEEP = 256


class _Lines:
    """Line reader over a raw fd, usable with poll (no hidden buffering)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.eof = False

    def read(self) -> list[dict[str, Any]]:
        chunk = os.read(self.fd, _READ_SIZE)
        if not chunk:
            self.eof = True
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]


_reply_fd = 1


class _Capture:
    """The first `limit` bytes of the child's stdout/stderr; the rest is counted and dropped."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> bool:
        """Keep what fits; False at end of file."""
        keep = max(0, min(len(chunk), self.limit - len(self.data)))
        self.data += chunk[:keep]
        self.dropped += len(chunk) - keep
        return bool(chunk)


def _send(message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(_reply_fd, data) :]


def warm_up(checks_package: str) -> None:
    """Import what every run needs, so children inherit it already loaded."""
    for name in ("numpy", "numpy.random", *_WARM_STDLIB):
        importlib.import_module(name)
    platform.platform()  # cached: later calls in a child skip the probing (~6 ms)
    worker.learnable(set())  # caches the library roots
    try:
        package = importlib.import_module(checks_package)
    except Exception:  # the child reports a broken checks package when it runs
        return
    for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
        try:
            importlib.import_module(f"{checks_package}.{info.name}")
        except Exception:  # same: reported by the run that needs it
            pass


class Zygote:
    def __init__(self, scratch: str) -> None:
        self.scratch = scratch
        self.code_cache = os.path.join(scratch, "code")
        self.stdin = _Lines(0)
        self.pending: list[dict[str, Any]] = []
        self.runs = 0

    def serve(self) -> None:
        while True:
            while not self.pending and not self.stdin.eof:
                self.pending.extend(self.stdin.read())
            if not self.pending:
                return
            request = self.pending.pop(0)
            if request.get("op") == "run":
                reply = self.run(request)
                _send(reply)
                self.learn(reply["records"])
            elif request.get("op") == "exit":
                return

    def learn(self, records: list[dict[str, Any]]) -> None:
        """Pre-import what the last run needed (stdlib and numpy only), so later forks start with it."""
        names = [n for r in records if r.get("phase") == "learned" for n in r.get("names", [])]
        fresh = [n for n in names if n not in sys.modules and n.partition(".")[0] not in _NEVER_PRELOAD]
        for name in fresh:
            try:
                importlib.import_module(name)
            except BaseException:  # a module that cannot load here is simply not pre-loaded
                pass
        if fresh:
            gc.collect()
            gc.freeze()

    def prune_code_cache(self) -> None:
        """Keep the newest compiled files only: a long session saves many versions of each file."""
        try:
            entries = [e for e in os.scandir(self.code_cache) if e.is_file()]
            entries.sort(key=lambda e: e.stat().st_mtime, reverse=True)
            for entry in entries[_CODE_CACHE_KEEP:]:
                os.unlink(entry.path)
        except OSError:
            pass

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        self.runs += 1
        if self.runs % 64 == 0:
            self.prune_code_cache()
        os.makedirs(self.code_cache, exist_ok=True)  # again: a run may have deleted it
        job["records"] = os.path.join(self.scratch, f"run-{self.runs}.jsonl")
        job["code_cache"] = self.code_cache
        read_fd, write_fd = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            worker.run_child(job, write_fd, os.getppid())
        os.close(write_fd)
        _send({"event": "started", "pid": pid})
        reply = self._supervise(pid, read_fd, started + float(job["timeout"]), job)
        reply["records"] = _read_records(job["records"], pid)
        return reply

    def _cancels(self, messages: list[dict[str, Any]], run_id: Any) -> bool:
        """Whether `messages` cancel run `run_id`; the others are kept for later."""
        mine = [m for m in messages if m.get("op") == "cancel"]
        self.pending.extend(m for m in messages if m.get("op") != "cancel")
        return any(m.get("id") == run_id for m in mine)

    def _supervise(self, pid: int, out_fd: int, deadline: float, job: dict[str, Any]) -> dict[str, Any]:
        """Wait for the child, killing its group at the deadline or on cancel; collect its output."""
        output = _Capture(int(job["output_limit"]))
        timed_out = False
        early, self.pending = self.pending, []  # read together with the run request: may already cancel it
        cancelled = self._cancels(early, job.get("id")) or self.stdin.eof
        if cancelled:
            procs.kill_group(pid)
        try:
            pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = None
        poller = select.poll()
        for fd in (0, out_fd, pidfd):
            if fd is not None:
                poller.register(fd, select.POLLIN)
        status: int | None = None
        while status is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not timed_out:
                timed_out = True
                procs.kill_group(pid)
            wait_ms = max(remaining, 0) * 1000 if not timed_out else 1000
            if pidfd is None:
                wait_ms = min(wait_ms, 5)
            for fd, _ in poller.poll(wait_ms):
                if fd == 0:
                    if self._cancels(self.stdin.read(), job.get("id")):
                        cancelled = True
                        procs.kill_group(pid)
                    if self.stdin.eof:
                        cancelled = True
                        procs.kill_group(pid)
                        poller.unregister(0)
                elif fd == out_fd and not output.add(os.read(out_fd, _READ_SIZE)):
                    poller.unregister(out_fd)
            got, raw = os.waitpid(pid, os.WNOHANG)
            if got == pid:
                status = raw
        if pidfd is not None:
            os.close(pidfd)
        procs.kill_group(pid, group_only=True)
        procs.sweep()
        os.set_blocking(out_fd, False)
        try:
            while output.add(os.read(out_fd, _READ_SIZE)):
                pass
        except BlockingIOError:
            pass
        os.close(out_fd)
        reply: dict[str, Any] = {
            "event": "finished",
            "pid": pid,
            "timed_out": timed_out,
            "cancelled": cancelled,
            "output": output.data.decode("utf-8", "replace"),
            "output_dropped": output.dropped,
        }
        if os.WIFSIGNALED(status):
            reply["signal"] = os.WTERMSIG(status)
        else:
            reply["exit"] = os.waitstatus_to_exitcode(status)
        return reply


def _read_records(path: str, pid: int) -> list[dict[str, Any]]:
    """The child's records; lines cut short by a kill, or written by a process the student forked, are skipped."""
    records = []
    try:
        with open(path, "rb") as f:
            lines = f.read().splitlines()
        os.unlink(path)
    except OSError:
        return []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("pid") == pid:
            records.append(record)
    return records


def main() -> None:
    """Run the zygote until stdin closes; argv[1] is the checks package to pre-import."""
    global _reply_fd
    _reply_fd = os.dup(1)  # replies get a private fd: a stray print() must not corrupt the protocol
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    sys.path[:] = [p for p in sys.path if p not in ("", ".")]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    procs.prctl(procs.PR_SET_CHILD_SUBREAPER, 1)
    warm_up(sys.argv[1] if len(sys.argv) > 1 else "tracker.checks")
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    scratch = tempfile.mkdtemp(prefix="tinytorch-sandbox-", dir=shm)
    gc.collect()
    gc.freeze()
    try:
        _send({"event": "ready", "pid": os.getpid(), "scratch": scratch})
        Zygote(scratch).serve()
    finally:
        procs.sweep()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
