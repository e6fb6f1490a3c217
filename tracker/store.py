"""The progress database: one SQLite file per workspace (WAL), written by the daemon, read by the CLI.

Tables: `events` (the event log; its INTEGER PRIMARY KEY is the event id), `runs` (every module
check), `achievements` (one row per module, PRIMARY KEY module: an unlock is recorded exactly once,
in the same transaction as the run and the event that announce it). `PRAGMA user_version` is the
schema version. The schema is created through sqlite-utils; readers use only the stdlib `sqlite3`
so `status` and `history` stay fast (sqlite-utils pulls in numpy).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tracker.catalog import Module
from tracker.errors import TrackerError, make_folder
from tracker.events import (
    ACHIEVEMENT_UNLOCKED,
    CHECK_FINISHED,
    MODULE_REGRESSED,
    make_event,
    utc_now,
)
from tracker.states import COMPLETE, LOCKED

SCHEMA_VERSION = 1
ENV_DB = "TINYTORCH_TRACKER_DB"


@dataclass(frozen=True)
class RunRecord:
    """One module's checked result, ready to store and announce."""

    module: Module
    state: str
    passed: int
    failed: int
    error: str
    duration_ms: float
    timed_out: bool = False
    outcomes: tuple[dict[str, str], ...] = ()


def db_path_for(workspace: Path, override: str | Path | None = None) -> Path:
    """`--db`, else $TINYTORCH_TRACKER_DB, else <workspace>/.tinytorch/progress.db."""
    chosen = override or os.environ.get(ENV_DB)
    return Path(chosen).expanduser().resolve() if chosen else workspace / ".tinytorch" / "progress.db"


def _unusable(path: Path, err: Exception) -> TrackerError:
    return TrackerError(
        f"{path} is not a usable progress database ({err}); it was left untouched: "
        f"move it aside (mv {path} {path}.bad) to start a fresh one, or pass --db PATH"
    )


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    if path.exists() and not path.is_file():
        raise TrackerError(f"{path} is not a file: point --db PATH (or $TINYTORCH_TRACKER_DB) at a database file")
    if create:
        make_folder(path.parent, hint="; pass --db PATH to keep progress elsewhere")
    mode = "rwc" if create else "rw"
    try:
        conn = sqlite3.connect(
            f"file:{quote(str(path))}?mode={mode}", uri=True, timeout=5.0,
            isolation_level=None, check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 5000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as err:
        raise _unusable(path, err) from None
    if version > SCHEMA_VERSION:
        conn.close()
        raise TrackerError(
            f"{path} was written by a newer tinytorch-tracker "
            f"(schema {version} > {SCHEMA_VERSION}): upgrade tinytorch-tracker"
        )
    return conn


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """A database holding tables that are not the tracker's belongs to something else: never write into it."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT IN ('events', 'runs', 'achievements')"
    )]
    if names:
        raise TrackerError(
            f"{path} is an SQLite database of something else (tables: {', '.join(sorted(names))}); "
            f"it was left untouched: pass --db PATH to keep progress elsewhere"
        )


def _create_schema(conn: sqlite3.Connection) -> None:
    """Version 0 -> 1, through sqlite-utils (imported here: only writers pay for it)."""
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    db["events"].create(
        {"id": int, "type": str, "at": str, "data": str}, pk="id", not_null={"type", "at", "data"},
        if_not_exists=True,
    )
    db["runs"].create(
        {"id": int, "module": str, "number": int, "state": str, "passed": int, "failed": int, "error": str,
         "duration_ms": float, "timed_out": int, "outcomes": str, "at": str, "event_id": int},
        pk="id", not_null={"module", "state", "at"}, if_not_exists=True,
    )
    db["runs"].create_index(["module", "id"], index_name="runs_by_module", if_not_exists=True)
    db["achievements"].create(
        {"module": str, "number": int, "title": str, "unlocked_at": str, "event_id": int},
        pk="module", not_null={"number", "title", "unlocked_at"}, if_not_exists=True,
    )
    db["events"].create_index(["type", "id"], index_name="events_by_type", if_not_exists=True)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


class Store:
    """A connection to one progress database; writers go through `open`, readers `open_reader`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating if needed) for writing: WAL mode, schema migrated to the current version."""
        conn = _connect(path, create=True)
        try:
            problem = conn.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise sqlite3.DatabaseError(f"damaged: {problem}")
            _refuse_foreign(conn, path)  # before anything writes, even the WAL switch
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                _create_schema(conn)
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as err:
            conn.close()
            raise _unusable(path, err) from None
        except TrackerError:
            conn.close()
            raise
        return cls(path, conn)

    @classmethod
    def open_reader(cls, path: Path) -> Store | None:
        """Open an existing database to read (None if there is none yet); never creates or migrates."""
        if not path.exists():
            return None
        conn = _connect(path, create=False)
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            conn.close()
            return None
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): all of a record lands or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _insert_event(self, event_type: str, data: dict[str, Any], at: str) -> dict[str, Any]:
        cur = self.conn.execute(
            "INSERT INTO events (type, at, data) VALUES (?, ?, ?)",
            (event_type, at, json.dumps(data, separators=(",", ":"))),
        )
        return make_event(int(cur.lastrowid), event_type, data, at)

    def add_events(self, items: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Append events to the log in one transaction; returns them with their ids."""
        at = utc_now()
        with self.transaction():
            return [self._insert_event(t, d, at) for t, d in items]

    def record_run(self, rec: RunRecord) -> list[dict[str, Any]]:
        """Store one run and announce it: check.finished, then achievement.unlocked the first time the
        module is complete, or module.regressed when a once-complete module stops being complete."""
        m, at = rec.module, utc_now()
        with self.transaction() as conn:
            prev = conn.execute(
                "SELECT state FROM runs WHERE module = ? ORDER BY id DESC LIMIT 1", (m.id,)
            ).fetchone()
            finished = self._insert_event(CHECK_FINISHED, {
                "module": m.id, "number": m.number, "state": rec.state, "passed": rec.passed,
                "failed": rec.failed, "duration_ms": round(rec.duration_ms, 1), "error": rec.error,
            }, at)
            conn.execute(
                "INSERT INTO runs (module, number, state, passed, failed, error, duration_ms, timed_out,"
                " outcomes, at, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (m.id, m.number, rec.state, rec.passed, rec.failed, rec.error, rec.duration_ms,
                 int(rec.timed_out), json.dumps(list(rec.outcomes)), at, finished["id"]),
            )
            out = [finished]
            if rec.state == COMPLETE:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO achievements (module, number, title, unlocked_at)"
                    " VALUES (?, ?, ?, ?)",
                    (m.id, m.number, m.title, at),
                )
                if cur.rowcount == 1:
                    unlocked = self._insert_event(ACHIEVEMENT_UNLOCKED, {
                        "module": m.id, "number": m.number, "title": m.title, "showcase": m.showcase,
                    }, at)
                    conn.execute(
                        "UPDATE achievements SET event_id = ? WHERE module = ?", (unlocked["id"], m.id)
                    )
                    out.append(unlocked)
            elif prev is not None and prev[0] == COMPLETE and rec.state != LOCKED:
                out.append(self._insert_event(MODULE_REGRESSED, {
                    "module": m.id, "number": m.number, "state": rec.state, "error": rec.error,
                }, at))
        return out

    def last_runs(self) -> dict[str, dict[str, Any]]:
        """The latest recorded run of every module that has one, keyed by module id."""
        rows = self.conn.execute(
            "SELECT module, number, state, passed, failed, error, duration_ms, at FROM runs"
            " WHERE id IN (SELECT MAX(id) FROM runs GROUP BY module)"
        ).fetchall()
        return {r["module"]: dict(r) for r in rows}

    def achievements(self) -> list[dict[str, Any]]:
        """The unlock timeline, oldest first."""
        rows = self.conn.execute(
            "SELECT module, number, title, unlocked_at FROM achievements ORDER BY unlocked_at, event_id"
        ).fetchall()
        return [dict(r) for r in rows]

    def events(self, after_id: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        """Logged events with id > after_id, oldest first."""
        rows = self.conn.execute(
            "SELECT id, type, at, data FROM events WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)
        ).fetchall()
        return [make_event(r["id"], r["type"], json.loads(r["data"]), r["at"]) for r in rows]
