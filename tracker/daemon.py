"""`watch`: check everything once, then re-check what each save touches, until Ctrl-C / SIGTERM.

One loop does the checking; the watcher task only collects changed paths into `pending`. Before
each module is checked, new changes (content really different) join the modules still to check,
which always go in dependency order. So a burst is checked once per module, and a change that
lands during a check is checked right after it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
from pathlib import Path
from typing import IO, Any

import anyio

from tracker import catalog
from tracker.bus import Bus
from tracker.checking import Checker, Runner
from tracker.errors import TrackerError, make_folder
from tracker.events import DAEMON_STARTED, DAEMON_STOPPED, FILES_CHANGED
from tracker.store import Store
from tracker.watcher import EMPTY, ContentHashes, is_source_file, watch_sources

log = logging.getLogger("tinytorch-tracker")
SETTLE_S = 0.03


def acquire_lock(workspace: Path) -> IO[str]:
    """One `watch` per workspace: an exclusive flock on .tinytorch/watch.lock (freed even on kill -9)."""
    lock_dir = workspace / ".tinytorch"
    make_folder(lock_dir)
    handle = open(lock_dir / "watch.lock", "a+")  # noqa: SIM115 - held open for the daemon's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        pid = handle.read().strip() or "?"
        handle.close()
        raise TrackerError(
            f"another `tinytorch-tracker watch` is already running on {workspace} (pid {pid}): stop it first"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


class Daemon:
    """The watch loop over one workspace."""

    def __init__(self, workspace: Path, store: Store, runner: Runner, bus: Bus, *,
                 poll: bool = False, timeout_s: float | None = None) -> None:
        self.workspace = workspace
        self.source_dir = (workspace / "tinytorch").resolve()
        self.store = store
        self.bus = bus
        self.poll = poll
        self.checker = Checker(store, runner, self._publish, timeout_s)
        self.hashes = ContentHashes()
        self._pending: set[Path] = set()
        self._settling: set[Path] = set()
        self._wake: anyio.Event | None = None  # made inside the event loop, in run()
        self._tg: anyio.abc.TaskGroup | None = None
        self._stop_watching = threading.Event()  # seen by watchfiles' thread within one step
        self.stop_reason = "stopped"
        self._workspace_gone = False

    def _publish(self, event: dict[str, Any]) -> None:
        self.bus.publish(event)

    def _emit(self, event_type: str, data: dict[str, Any]) -> None:
        for event in self.store.add_events([(event_type, data)]):
            self._publish(event)

    def _sources(self) -> list[Path]:
        try:
            return sorted(p for p in self.source_dir.iterdir() if is_source_file(p, self.source_dir))
        except OSError:
            return []

    def _add_pending(self, paths: set[Path]) -> None:
        self._pending |= paths
        if self._wake is not None:
            self._wake.set()

    def _affected(self, path: Path) -> set[str]:
        """The modules a change to `path` can affect: its own and its dependents; all for a helper file."""
        own = catalog.module_for_file(path)
        ids = [own.id] if own else [m.id for m in catalog.modules()]
        return {m.id for m in catalog.with_dependents(ids)}

    def _take_changes(self) -> set[str]:
        """The modules affected by pending paths whose content really changed (announced as files.changed)."""
        paths, self._pending = self._pending, set()
        wanted: set[str] = set()
        changed: list[Path] = []
        for path in sorted(paths):
            digest = self.hashes.digest(path)
            if digest == EMPTY and path not in self._settling and self._tg is not None:
                # an in-place save truncates before it writes: look again once the write has landed
                self._settling.add(path)
                self._tg.start_soon(self._look_again, path)
                continue
            self._settling.discard(path)
            if self.hashes.update(path, digest):
                wanted |= self._affected(path)
                changed.append(path)
        if changed:
            self._emit(FILES_CHANGED, {
                "paths": [str(p.relative_to(self.workspace.resolve())) for p in changed],
                "modules": [m.id for m in catalog.modules() if m.id in wanted],
            })
        return wanted

    async def _pass(self, initial: set[str]) -> None:
        """Check `initial` and whatever changes arrive meanwhile, always the earliest module first.

        New changes join the queue between two checks: a module is checked once however many of its
        files a burst touches, and a module saved again while its dependents are being checked is
        re-checked next (before the rest, which wait for it)."""
        remaining = set(initial)
        while True:
            remaining |= self._take_changes()
            todo = [m for m in catalog.modules() if m.id in remaining]
            if not todo:
                return
            if not self.workspace.is_dir():  # renamed or deleted: checking would only blame the code
                self._stop_workspace_gone()
                return
            remaining.discard(todo[0].id)
            await self.checker.check(todo[0])

    async def _look_again(self, path: Path) -> None:
        await anyio.sleep(SETTLE_S)
        self._add_pending({path})

    def _stop_workspace_gone(self) -> None:
        """The workspace folder is no longer at its path: stop (run() then says so in one line)."""
        self._workspace_gone = True
        self.stop_reason = "workspace moved"
        self._stop_watching.set()
        if self._tg is not None:
            self._tg.cancel_scope.cancel()

    def _note(self, message: str) -> None:
        if not self.workspace.is_dir():  # tinytorch/ went with its workspace: that is the news
            self._stop_workspace_gone()
            return
        log.warning("%s", message)

    async def _watch(self) -> None:
        async for paths in watch_sources(self.source_dir, poll=self.poll, on_note=self._note,
                                         stop_event=self._stop_watching):
            if self.source_dir in paths:  # the folder was replaced (or came back): hashes decide
                paths = (paths - {self.source_dir}) | set(self.hashes.known()) | set(self._sources())
            self._add_pending(paths)

    async def _signals(self, scope: anyio.CancelScope, *,
                       task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            task_status.started()  # from here on a signal stops the daemon cleanly
            async for signum in signals:
                self.stop_reason = signal.Signals(signum).name
                self._stop_watching.set()
                scope.cancel()
                return

    async def _serve(self) -> None:
        await self._pass({m.id for m in catalog.modules()})
        # changes made while the watcher was starting up
        self._add_pending({p for p in self._sources() if self.hashes.differs(p)})
        while True:
            assert self._wake is not None
            await self._wake.wait()
            self._wake = anyio.Event()
            await self._pass(set())

    async def run(self) -> str:
        """Run until a signal; returns why it stopped. The database stays consistent throughout."""
        self._wake = anyio.Event()
        self.hashes.snapshot(self._sources())
        try:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                # before daemon.started and the first pass: from the moment a tool sees that event, a
                # Ctrl-C / SIGTERM stops the daemon cleanly instead of meeting the startup handler
                await tg.start(self._signals, tg.cancel_scope)
                self._emit(DAEMON_STARTED, {"workspace": str(self.workspace), "db": str(self.store.path)})
                tg.start_soon(self._watch)
                try:
                    await self._serve()
                finally:
                    self._stop_watching.set()
        finally:
            with anyio.CancelScope(shield=True):
                self._emit(DAEMON_STOPPED, {"reason": self.stop_reason})
        if self._workspace_gone:
            raise TrackerError(f"the workspace folder {self.workspace} moved or was deleted: "
                               "start watch again in its new place")
        return self.stop_reason
