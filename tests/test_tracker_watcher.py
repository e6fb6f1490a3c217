"""What triggers a check and what does not: in-place writes, editor litter, unchanged content, mid-check saves."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
from conftest import atomic_write, reference_source

from tracker.watcher import polling_reason, watch_sources


def started_modules(events: list[dict]) -> list[str]:
    return [e["data"]["module"] for e in events if e["type"] == "check.started"]


def test_editor_litter_caches_and_the_database_never_trigger(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    w.ready()
    src = workspace / "tinytorch"
    mark = len(w.events)
    (src / ".tensor.py.swp").write_text("vim swap")
    (src / "tensor.py~").write_text("backup")
    (src / "#tensor.py#").write_text("emacs autosave")
    (src / "4913").write_text("vim probe")
    (src / "__pycache__").mkdir(exist_ok=True)
    (src / "__pycache__" / "tensor.cpython-311.pyc").write_bytes(b"\0" * 64)
    (workspace / ".tinytorch" / "scratch.txt").write_text("db neighbour")
    (workspace / "notes.py").write_text("outside tinytorch/")
    time.sleep(0.3)
    (src / "system.py").write_text(reference_source("system.py"))  # in-place write, the sentinel
    changed = w.wait_for(lambda e: e["type"] == "files.changed")
    assert changed["data"]["paths"] == ["tinytorch/system.py"] and changed["data"]["modules"] == ["setup"]
    w.finished("setup")
    w.settle(quiet=0.5)
    assert started_modules(w.events[mark:]) == ["setup"]
    assert w.stop()[0] == 0


def test_a_save_that_changes_nothing_checks_nothing(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    w.ready()
    path = workspace / "tinytorch" / "tensor.py"
    mark = len(w.events)
    atomic_write(path, path.read_text())
    path.write_text(path.read_text())
    path.touch()
    w.settle(quiet=0.5)
    assert w.events[mark:] == [], w.events[mark:]
    assert w.stop()[0] == 0


def test_a_change_during_a_check_is_checked_after_it(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace, timeout=5.0)
    w.ready()
    path = workspace / "tinytorch" / "tensor.py"
    atomic_write(path, path.read_text() + "\nimport time\ntime.sleep(0.8)\n")
    w.wait_for(lambda e: e["type"] == "check.started" and e["data"]["module"] == "tensor")
    time.sleep(0.3)  # the child is now inside the slow import
    atomic_write(path, reference_source("tensor.py"))
    first = w.finished("tensor")
    assert first["data"]["state"] == "not started", first
    second = w.finished("tensor")
    assert second["data"]["state"] == "complete"
    assert w.stop()[0] == 0


def test_deleting_a_file_breaks_its_module_and_restoring_it_recovers(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    w.ready()
    path = workspace / "tinytorch" / "system.py"
    text = path.read_text()
    path.unlink()
    assert w.finished("setup")["data"]["state"] == "broken"
    path.write_text(text)
    assert w.finished("setup")["data"]["state"] == "not started"
    assert w.stop()[0] == 0


def test_poll_mode_sees_saves(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace, "--poll")
    w.ready()
    atomic_write(workspace / "tinytorch" / "system.py", reference_source("system.py"))
    assert w.finished("setup")["data"]["state"] == "complete"
    assert w.stop()[0] == 0


def test_network_and_wsl_mounts_are_polled() -> None:
    mounts = ("overlay / overlay rw 0 0\n"
              "C:\\134 /mnt/c 9p rw,dirsync 0 0\n"
              "server:/home /home/net nfs4 rw 0 0\n")
    assert polling_reason(Path("/mnt/c/Users/me/ws/tinytorch"), mounts).startswith("/mnt/c/Users")
    assert "'nfs4'" in polling_reason(Path("/home/net/ws/tinytorch"), mounts)
    assert polling_reason(Path("/work/ws/tinytorch"), mounts) is None


def test_falls_back_to_polling_when_native_events_fail(tmp_path: Path, monkeypatch) -> None:
    import watchfiles

    calls: list[bool] = []

    async def fake_awatch(*paths, force_polling=False, **kwargs):
        calls.append(force_polling)
        if not force_polling:
            raise OSError("OS file watch limit reached. about [\"/ws/tinytorch\"]")
        yield {(watchfiles.Change.modified, str(tmp_path / "tensor.py"))}

    monkeypatch.setattr(watchfiles, "awatch", fake_awatch)
    notes: list[str] = []

    async def first_batch() -> set[Path]:
        async for batch in watch_sources(tmp_path, on_note=notes.append):
            return batch
        return set()

    assert anyio.run(first_batch) == {tmp_path / "tensor.py"}
    assert calls == [False, True]
    assert len(notes) == 1 and "watch limit" in notes[0] and "max_user_watches" in notes[0]
    assert "polling" in notes[0]


def test_a_folder_moved_away_and_back_is_still_watched(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    w.ready()
    src = workspace / "tinytorch"
    src.rename(workspace / "elsewhere")
    (workspace / "elsewhere").rename(src)
    time.sleep(0.3)
    atomic_write(src / "system.py", reference_source("system.py"))
    assert w.finished("setup")["data"]["state"] == "complete"
    assert "tinytorch/ was replaced" in _stop_and_stderr(w)


def test_a_folder_restored_from_a_copy_is_watched_and_compared(workspace: Path, watch_factory) -> None:
    import shutil

    w = watch_factory(workspace)
    w.ready()
    src = workspace / "tinytorch"
    shutil.copytree(src, workspace / "copy")
    (workspace / "copy" / "system.py").write_text(reference_source("system.py"))  # the backup differs
    mark = len(w.events)
    shutil.rmtree(src)
    shutil.copytree(workspace / "copy", src)
    assert w.finished("setup")["data"]["state"] == "complete"  # content hashes decide what is re-checked
    w.settle(quiet=0.5)
    assert "tensor" not in started_modules(w.events[mark:])  # unchanged modules are not re-checked
    atomic_write(src / "tensor.py", reference_source("tensor.py"))
    assert w.finished("tensor")["data"]["state"] == "complete"
    assert _stop_and_stderr(w)


def test_a_folder_gone_and_back_breaks_then_recovers(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    w.ready()
    src = workspace / "tinytorch"
    src.rename(workspace / "elsewhere")
    assert w.finished("setup")["data"]["state"] == "broken"
    w.settle(quiet=0.5)
    (workspace / "elsewhere").rename(src)
    assert w.finished("setup")["data"]["state"] == "not started"
    err = _stop_and_stderr(w)
    assert "tinytorch/ is gone: waiting for it to come back" in err and "tinytorch/ is back" in err


def test_a_renamed_workspace_stops_watch_with_a_clear_message(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    w.ready()
    workspace.rename(workspace.with_name("moved"))
    assert w.proc.wait(timeout=10) != 0
    err = w.proc.stderr.read() if w.proc.stderr else ""
    assert "moved or was deleted: start watch again in its new place" in err, err
    assert "could not report" not in err and "Traceback" not in err, err


def _stop_and_stderr(w) -> str:
    rc, _ = w.stop()
    assert rc == 0, w.stderr
    return w.stderr
