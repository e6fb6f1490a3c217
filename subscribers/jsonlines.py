"""`watch --json`: every event as one line of JSON on stdout, flushed at once, for tools."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from tracker.events import to_json_line


class JsonLinesSubscriber:
    """Writes events to a stream; a closed pipe (the reader went away) quietly ends the output."""

    name = "jsonlines"
    queue_size = 10_000
    overflow = "drop_oldest"

    def __init__(self, stream: TextIO | None = None, on_gone: Callable[[], None] | None = None) -> None:
        """`on_gone` is called once when the reader goes away (`watch --json | head -3` stops there)."""
        self._stream = stream or sys.stdout
        self._gone = False
        self._on_gone = on_gone

    async def handle(self, event: dict[str, Any]) -> None:
        if self._gone:
            return
        try:
            self._stream.write(to_json_line(event) + "\n")
            self._stream.flush()
        except (BrokenPipeError, ValueError):
            self._gone = True
            if self._on_gone is not None:
                self._on_gone()

    async def close(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except (BrokenPipeError, ValueError):
                self._gone = True
