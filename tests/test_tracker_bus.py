"""The bus: publish never blocks; slow, blocking or crashing subscribers only hurt themselves."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
import time
from typing import Any

import pytest

from subscribers.jsonlines import JsonLinesSubscriber
from tracker.bus import Bus
from tracker.events import make_event


class Recorder:
    def __init__(self, name: str = "recorder", queue_size: int = 1000, overflow: str = "drop_oldest",
                 delay: float = 0.0, blocking: bool = False, crash_on: int | None = None) -> None:
        self.name, self.queue_size, self.overflow = name, queue_size, overflow
        self.delay, self.blocking, self.crash_on = delay, blocking, crash_on
        self.seen: list[int] = []
        self.closed = threading.Event()
        self.release = threading.Event()

    async def handle(self, event: dict[str, Any]) -> None:
        if self.blocking:
            self.release.wait(5)  # blocks its whole thread, as a careless subscriber would
        elif self.delay:
            await asyncio.sleep(self.delay)
        if event["id"] == self.crash_on:
            raise RuntimeError("boom")
        self.seen.append(event["id"])

    async def close(self) -> None:
        self.closed.set()


def events(n: int) -> list[dict[str, Any]]:
    return [make_event(i, "check.started", {"module": "tensor", "number": 2}) for i in range(1, n + 1)]


def wait_until(pred, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_blocked_subscriber_does_not_stall_publish_or_the_others(caplog: pytest.LogCaptureFixture) -> None:
    bus = Bus()
    stuck = Recorder("stuck", queue_size=10, blocking=True)
    fast = Recorder("fast")
    bus.subscribe(stuck)
    bus.subscribe(fast)
    with caplog.at_level(logging.WARNING, logger="tinytorch-tracker"):
        for event in events(200):
            bus.publish(event)
    assert stuck.seen == [], "publish returned only after the blocked handler did: it waited for it"
    wait_until(lambda: len(fast.seen) == 200)
    assert fast.seen == list(range(1, 201))
    assert bus.stats()["stuck"]["dropped"] >= 180
    assert "'stuck' is falling behind" in caplog.text
    stuck.release.set()
    bus.close(timeout=2)
    assert stuck.seen[-10:] == list(range(191, 201)), "drop_oldest keeps the newest events"
    assert stuck.closed.is_set() and fast.closed.is_set()


def test_drop_newest_keeps_the_oldest() -> None:
    bus = Bus()
    sub = Recorder("keeper", queue_size=5, overflow="drop_newest", blocking=True)
    bus.subscribe(sub)
    for event in events(50):
        bus.publish(event)
    sub.release.set()
    bus.close(timeout=2)
    assert sub.seen[:2] == [1, 2] and 50 not in sub.seen and len(sub.seen) <= 6


def test_a_crashing_subscriber_is_logged_and_keeps_going(caplog: pytest.LogCaptureFixture) -> None:
    bus = Bus()
    sub = Recorder("crashy", crash_on=3)
    bus.subscribe(sub)
    with caplog.at_level(logging.ERROR, logger="tinytorch-tracker"):
        for event in events(5):
            bus.publish(event)
        bus.close(timeout=2)
    assert sub.seen == [1, 2, 4, 5]
    assert "subscriber 'crashy' failed on check.started: RuntimeError: boom" in caplog.text


def test_close_does_not_wait_forever_for_a_stuck_subscriber() -> None:
    bus = Bus()
    sub = Recorder("stuck", blocking=True)
    bus.subscribe(sub)
    bus.publish(events(1)[0])
    started = time.monotonic()
    bus.close(timeout=0.3)
    assert time.monotonic() - started < 1.0
    sub.release.set()


def test_jsonlines_prints_one_event_per_line() -> None:
    out = io.StringIO()
    bus = Bus()
    bus.subscribe(JsonLinesSubscriber(out))
    for event in events(3):
        bus.publish(event)
    bus.close(timeout=2)
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, 3]
    assert set(json.loads(lines[0])) == {"id", "type", "at", "data"}
