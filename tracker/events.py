"""Event construction: the one shape every part of the tracker exchanges (see CONTRACT.md).

`{"id": int, "type": str, "at": "2026-12-04T20:31:07.123Z", "data": {...}}`. Ids are assigned by
the store's event log (SQLite INTEGER PRIMARY KEY), so they are monotonic and continue across
restarts; this module only builds and formats the dicts.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

DAEMON_STARTED = "daemon.started"
DAEMON_STOPPED = "daemon.stopped"
FILES_CHANGED = "files.changed"
CHECK_STARTED = "check.started"
CHECK_FINISHED = "check.finished"
ACHIEVEMENT_UNLOCKED = "achievement.unlocked"
MODULE_REGRESSED = "module.regressed"

EVENT_TYPES = (
    DAEMON_STARTED, DAEMON_STOPPED, FILES_CHANGED, CHECK_STARTED, CHECK_FINISHED,
    ACHIEVEMENT_UNLOCKED, MODULE_REGRESSED,
)


def utc_now() -> str:
    """Now as ISO-8601 UTC with milliseconds and a Z, e.g. 2026-12-04T20:31:07.123Z."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def make_event(event_id: int, event_type: str, data: dict[str, Any], at: str | None = None) -> dict[str, Any]:
    """One event dict; `data` must be JSON-serialisable."""
    return {"id": event_id, "type": event_type, "at": at or utc_now(), "data": data}


def to_json_line(event: dict[str, Any]) -> str:
    """The compact one-line JSON form used by `watch --json` and the event log."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)
