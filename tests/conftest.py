"""Shared fixtures: the real `tinytorch-tracker` command, workspaces made by `init`, a `watch --json` driver."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "tinytorch"


def tracker_cmd() -> list[str]:
    """The installed console script (what a user runs), else the same entry point through python -m."""
    exe = shutil.which("tinytorch-tracker")
    return [exe] if exe else [sys.executable, "-m", "tracker.cli"]


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `tinytorch-tracker ARGS` to completion, capturing text output."""
    full_env = {k: v for k, v in os.environ.items() if k != "TINYTORCH_TRACKER_DB"}
    full_env.update({"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
    return subprocess.run([*tracker_cmd(), *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def atomic_write(path: Path, text: str) -> None:
    """What editors do: write a temp file beside the target, then rename it over the target."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def process_exists(pid: int) -> bool:
    """True if `pid` is alive and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _stat_fields(pid: str) -> list[str]:
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()


def group_members(pgid: int) -> set[int]:
    """Live processes in process group `pgid`."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = _stat_fields(entry)
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.add(int(entry))
    return found


def children_of(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat_fields(entry)[1]) == pid:
                    found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def descendants(pid: int) -> set[int]:
    """All live processes below `pid` (children, grandchildren...), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(_stat_fields(entry)[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return {p for p in found if process_exists(p)}


class Watch:
    """A running `tinytorch-tracker watch --json`, its events collected by a reader thread."""

    def __init__(self, workspace: Path, *extra: str, timeout: float = 2.0) -> None:
        self.workspace = workspace
        env = {**os.environ, "NO_COLOR": "1"}
        env.pop("TINYTORCH_TRACKER_DB", None)
        self.proc = subprocess.Popen(
            [*tracker_cmd(), "watch", "--json", "--workspace", str(workspace), "--timeout", str(timeout), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env,
        )
        self.events: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._seen = 0
        self.stderr = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            self.events.append(event)
            self._queue.put(event)
        self._queue.put(None)

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> dict[str, Any]:
        """The next event (after those already consumed) matching `pred`; fails after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                event = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                event = None
            if event is None:
                if self.proc.poll() is not None:
                    self.stderr = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"no matching event within {timeout}s; rc={self.proc.poll()} "
                                     f"stderr={self.stderr[-2000:]!r} events={self.events[-5:]}")
            if pred(event):
                return event

    def settle(self, quiet: float = 1.0, timeout: float = 60.0) -> None:
        """Wait until no event has arrived for `quiet` seconds (a pass is over)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self._queue.get(timeout=quiet)
            except queue.Empty:
                return
            if event is None:
                return
        raise AssertionError(f"events kept coming for {timeout}s")

    def finished(self, module: str, timeout: float = 20.0) -> dict[str, Any]:
        return self.wait_for(lambda e: e["type"] == "check.finished" and e["data"]["module"] == module, timeout)

    def ready(self, timeout: float = 30.0) -> None:
        """Wait until the start-up pass has checked every module."""
        self.finished("tinygpt", timeout)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 2.0) -> tuple[int, float]:
        """Send `sig`; returns (exit code, seconds until exit)."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout + 3)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGUSR1)  # faulthandler: where it is stuck, on stderr
            time.sleep(0.5)
            self.proc.kill()
            self.proc.wait()
            stacks = self.proc.stderr.read() if self.proc.stderr else ""
            raise AssertionError(f"watch did not exit within {timeout + 3}s of {sig!r}:\n{stacks}") from None
        elapsed = time.monotonic() - started
        self.stderr = self.proc.stderr.read() if self.proc.stderr else ""
        return rc, elapsed

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace made by the real `init`, copied by each test that needs a fresh one."""
    root = tmp_path_factory.mktemp("template") / "ws"
    result = run_cli("init", str(root))
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def workspace(template_workspace: Path, tmp_path: Path) -> Path:
    """A fresh stubbed workspace (a copy of the template)."""
    dest = tmp_path / "ws"
    shutil.copytree(template_workspace, dest)
    return dest


@pytest.fixture
def watch_factory() -> Iterator[Callable[..., Watch]]:
    """Start `watch --json` processes; any still running at the end are killed."""
    started: list[Watch] = []

    def start(workspace: Path, *extra: str, timeout: float = 2.0) -> Watch:
        w = Watch(workspace, *extra, timeout=timeout)
        started.append(w)
        return w

    yield start
    for w in started:
        w.kill()


def reference_source(name: str) -> str:
    """The reference (solved) text of tinytorch/<name>."""
    return (REFERENCE / name).read_text()

