"""The progress database: exactly-once unlocks, regressions, WAL readers, schema version, bad files."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from conftest import run_cli

from tracker import catalog
from tracker.errors import TrackerError
from tracker.store import SCHEMA_VERSION, RunRecord, Store

TENSOR = catalog.module("tensor")


def record(store: Store, state: str, module: catalog.Module = TENSOR) -> list[str]:
    return [e["type"] for e in store.record_run(RunRecord(module, state, 1, 0, "", 3.0))]


def test_unlock_recorded_once_and_regression_announced(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "p.db")
    assert record(store, "in progress") == ["check.finished"]
    assert record(store, "complete") == ["check.finished", "achievement.unlocked"]
    assert record(store, "complete") == ["check.finished"]
    assert record(store, "broken") == ["check.finished", "module.regressed"]
    assert record(store, "broken") == ["check.finished"]
    assert record(store, "complete") == ["check.finished"]
    assert [a["module"] for a in store.achievements()] == ["tensor"]
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_concurrent_writers_unlock_exactly_once(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    Store.open(path).close()
    unlocks: list[int] = []

    def writer() -> None:
        store = Store.open(path)
        for _ in range(20):
            unlocks.append(record(store, "complete").count("achievement.unlocked"))
        store.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(unlocks) == 1
    store = Store.open_reader(path)
    assert store is not None and len(store.achievements()) == 1
    ids = [e["id"] for e in store.events()]
    assert ids == sorted(set(ids)) and len(ids) == 81


def test_writes_proceed_while_a_reader_holds_a_transaction(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    store = Store.open(path)
    record(store, "in progress")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    started = time.monotonic()
    record(store, "complete")
    assert time.monotonic() - started < 1.0
    assert reader.execute("SELECT count(*) FROM runs").fetchone()[0] == 1, "the reader keeps its snapshot"
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
    reader.close()
    store.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(TrackerError, match="newer"):
        Store.open(path)


@pytest.mark.parametrize("command", [["status"], ["history", "--json"], ["check", "tensor"]])
def test_a_file_that_is_not_sqlite_gives_one_line_and_is_left_alone(workspace: Path, command: list[str]) -> None:
    db = workspace / ".tinytorch" / "progress.db"
    db.parent.mkdir()
    junk = b"this is not a database, it is my homework\n" * 100
    db.write_bytes(junk)
    result = run_cli(*command, "--workspace", str(workspace))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a usable progress database" in lines[0] and "mv " in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == junk


def test_history_over_a_long_event_log(workspace: Path) -> None:
    """100,000 logged events do not get in the way of the timeline (bench/cli_latency.py times it)."""
    db = workspace / ".tinytorch" / "progress.db"
    store = Store.open(db)
    rows = [("check.finished", "2026-01-01T00:00:00.000Z", json.dumps({"module": "tensor", "n": i}))
            for i in range(100_000)]
    with store.transaction() as conn:
        conn.executemany("INSERT INTO events (type, at, data) VALUES (?, ?, ?)", rows)
    for m in catalog.modules():
        record(store, "complete", m)
    store.close()
    result = run_cli("history", "--json", "--workspace", str(workspace))
    assert result.returncode == 0, result.stderr
    assert [row["module"] for row in json.loads(result.stdout)] == [m.id for m in catalog.modules()]


def test_a_damaged_database_is_reported_and_left_alone(workspace: Path) -> None:
    assert run_cli("check", "setup", "--workspace", str(workspace)).returncode == 1
    db = workspace / ".tinytorch" / "progress.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    data[4200:8192 * 2] = b"\xab" * (8192 * 2 - 4200)
    db.write_bytes(bytes(data))
    for command in (["watch", "--json"], ["check", "setup"], ["status"]):
        result = run_cli(*command, "--workspace", str(workspace), timeout=30)
        assert result.returncode != 0, command
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "malformed" in lines[0] and "move it aside" in lines[0], result.stderr
        assert db.read_bytes() == bytes(data)


def test_an_sqlite_database_of_something_else_is_never_written_into(workspace: Path, tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (text)")
    conn.execute("INSERT INTO notes VALUES ('my homework')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    for command in (["check", "setup"], ["watch", "--json"]):
        result = run_cli(*command, "--db", str(other), "--workspace", str(workspace), timeout=30)
        assert result.returncode != 0, command
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "database of something else (tables: notes)" in lines[0], result.stderr
    assert other.read_bytes() == before


def test_a_file_where_the_tracker_folder_goes_gives_one_line(workspace: Path) -> None:
    (workspace / ".tinytorch").write_text("not a folder")
    for command in (["check", "setup"], ["watch", "--json"]):
        result = run_cli(*command, "--workspace", str(workspace), timeout=30)
        assert result.returncode != 0, command
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "a file is in the way" in lines[0] and ".tinytorch" in lines[0], result.stderr
    assert (workspace / ".tinytorch").read_text() == "not a folder"
