"""In-process publish/subscribe for tracker events.

`publish` never blocks and never raises: it drops the event into each subscriber's bounded mailbox
(applying that subscriber's overflow policy when it is full) and returns. Every subscriber is
driven by its own thread running its own asyncio loop, so one that is slow, blocks (a full stdout
pipe, a showcase playing) or raises can neither stall the daemon nor delay the others. Drops and
crashes are logged to stderr.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from typing import Any, Protocol

log = logging.getLogger("tinytorch-tracker")

DROP_OLDEST = "drop_oldest"
DROP_NEWEST = "drop_newest"


class Subscriber(Protocol):
    """What the bus drives (see CONTRACT.md); implemented in subscribers/."""

    name: str
    queue_size: int
    overflow: str

    async def handle(self, event: dict[str, Any]) -> None: ...

    async def close(self) -> None: ...


class _Mailbox:
    """One subscriber's bounded queue and the thread + loop that feeds it."""

    def __init__(self, sub: Subscriber) -> None:
        self.sub = sub
        self.limit = max(1, int(getattr(sub, "queue_size", 1000)))
        self.policy = getattr(sub, "overflow", DROP_OLDEST)
        self.items: deque[dict[str, Any]] = deque()
        self.lock = threading.Lock()
        self.dropped = 0
        self.failures = 0
        self.closing = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.wake: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._main, name=f"subscriber-{sub.name}", daemon=True)

    def put(self, event: dict[str, Any]) -> None:
        with self.lock:
            if self.closing:
                return
            if len(self.items) >= self.limit:
                self.dropped += 1
                dropped = self.dropped
                if self.policy == DROP_NEWEST:
                    self._note_drop(dropped)
                    return
                self.items.popleft()
            else:
                dropped = 0
            self.items.append(event)
        if dropped:
            self._note_drop(dropped)
        self._poke()

    def _note_drop(self, dropped: int) -> None:
        if dropped & (dropped - 1) == 0:  # 1, 2, 4, 8...: a trace without flooding stderr
            log.warning("subscriber %r is falling behind: %d event(s) dropped so far (%s)",
                        self.sub.name, dropped, self.policy)

    def _poke(self) -> None:
        loop, wake = self.loop, self.wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # its loop has already finished
                pass

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        with self.lock:
            self.closing = True
        self._poke()

    def _main(self) -> None:
        try:
            asyncio.run(self._pump())
        except Exception as err:  # noqa: BLE001 - a subscriber must never take the daemon down
            log.error("subscriber %r stopped: %s", self.sub.name, err)

    async def _pump(self) -> None:
        self.wake = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        while True:
            with self.lock:
                event = self.items.popleft() if self.items else None
                closing = self.closing
            if event is None:
                if closing:
                    break
                await self.wake.wait()
                self.wake.clear()
                continue
            try:
                await self.sub.handle(event)
            except Exception as err:  # noqa: BLE001 - logged, and the subscriber keeps going
                self.failures += 1
                log.error("subscriber %r failed on %s: %s: %s",
                          self.sub.name, event.get("type"), type(err).__name__, err)
        try:
            await self.sub.close()
        except Exception as err:  # noqa: BLE001
            log.error("subscriber %r failed to close: %s: %s", self.sub.name, type(err).__name__, err)


class Bus:
    """Fan-out of events to subscribers, each with its own bounded queue and thread."""

    def __init__(self) -> None:
        self._boxes: list[_Mailbox] = []

    def subscribe(self, sub: Subscriber) -> None:
        """Attach and start a subscriber; events published from now on reach it."""
        box = _Mailbox(sub)
        self._boxes.append(box)
        box.start()

    def publish(self, event: dict[str, Any]) -> None:
        """Queue `event` for every subscriber; never blocks."""
        for box in self._boxes:
            box.put(event)

    def stats(self) -> dict[str, dict[str, int]]:
        """Per subscriber: events waiting, dropped and handler failures (for logs and tests)."""
        return {b.sub.name: {"queued": len(b.items), "dropped": b.dropped, "failures": b.failures}
                for b in self._boxes}

    def close(self, timeout: float = 1.0) -> None:
        """Let subscribers finish what is queued and close, waiting at most `timeout` seconds overall."""
        for box in self._boxes:
            box.stop()
        deadline = time.monotonic() + timeout
        for box in self._boxes:
            box.thread.join(max(0.0, deadline - time.monotonic()))
            if box.thread.is_alive():
                log.warning("subscriber %r did not finish in time; leaving it behind", box.sub.name)
