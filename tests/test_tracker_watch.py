"""Issue 3's acceptance list: the real `tinytorch-tracker watch --json` over a workspace made by `init`."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from conftest import atomic_write, descendants, group_members, process_exists, reference_source, run_cli

from tracker import catalog
from tracker.events import EVENT_TYPES


def unlocked(w, module: str, timeout: float = 20.0) -> dict:
    return w.wait_for(lambda e: e["type"] == "achievement.unlocked" and e["data"]["module"] == module, timeout)


def test_atomic_save_unlocks_once_and_history_lists_it(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    started = w.wait_for(lambda e: e["type"] == "daemon.started")
    assert started["data"]["workspace"] == str(workspace)
    w.ready()
    saved = time.monotonic()
    atomic_write(workspace / "tinytorch" / "tensor.py", reference_source("tensor.py"))
    event = unlocked(w, "tensor")
    print(f"save -> achievement.unlocked: {(time.monotonic() - saved) * 1000:.0f} ms")
    assert event["data"] == {"module": "tensor", "number": 2, "title": "Tensor",
                             "showcase": "01_tensor_operations"}
    live = run_cli("status", "--json", "--workspace", str(workspace))  # reading while the daemon writes
    assert live.returncode == 0, live.stderr
    assert {r["module"]: r["state"] for r in json.loads(live.stdout)}["tensor"] == "complete"
    rc, elapsed = w.stop()
    assert rc == 0 and elapsed < 2.0, w.stderr
    ids = [e["id"] for e in w.events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {e["type"] for e in w.events} <= set(EVENT_TYPES), "only the documented event types"

    history = run_cli("history", "--json", "--workspace", str(workspace))
    assert history.returncode == 0, history.stderr
    rows = json.loads(history.stdout)
    assert [(r["module"], r["number"], r["title"]) for r in rows] == [("tensor", 2, "Tensor")]
    assert rows[0]["unlocked_at"].endswith("Z")

    again = watch_factory(workspace)
    assert again.finished("tensor")["data"]["state"] == "complete"
    again.ready()
    rc, _ = again.stop()
    assert rc == 0
    assert not [e for e in again.events if e["type"] == "achievement.unlocked"]
    assert again.events[0]["id"] > ids[-1], "event ids continue from the database"
    assert len(json.loads(run_cli("history", "--json", "--workspace", str(workspace)).stdout)) == 1


def test_endless_import_times_out_kills_the_group_and_next_save_unlocks(workspace: Path, watch_factory) -> None:
    pidfile = workspace / "looper.pid"
    w = watch_factory(workspace, timeout=1.0)
    w.ready()
    looping = (f"import os\nopen({str(pidfile)!r}, 'w').write(f'{{os.getpid()}} {{os.getpgrp()}}')\n"
               "while True:\n    pass\n")
    atomic_write(workspace / "tinytorch" / "tensor.py", looping)
    event = w.finished("tensor", timeout=15)
    assert event["data"]["state"] != "complete"
    assert "time" in event["data"]["error"].lower(), event
    pid, pgid = (int(x) for x in pidfile.read_text().split())
    deadline = time.monotonic() + 2
    while process_exists(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not process_exists(pid)
    assert not group_members(pgid), "the child's process group must be gone"
    atomic_write(workspace / "tinytorch" / "tensor.py", reference_source("tensor.py"))
    unlocked(w, "tensor")
    assert w.stop()[0] == 0


def test_syntax_error_reports_the_line_without_a_daemon_traceback(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    w.ready()
    broken = reference_source("tensor.py") + "\ndef oops(:\n    pass\n"
    atomic_write(workspace / "tinytorch" / "tensor.py", broken)
    event = w.finished("tensor")
    assert event["data"]["state"] == "broken"
    assert "SyntaxError" in event["data"]["error"] and "\n" not in event["data"]["error"]
    atomic_write(workspace / "tinytorch" / "tensor.py", reference_source("tensor.py"))
    unlocked(w, "tensor")
    rc, _ = w.stop()
    assert rc == 0
    assert "Traceback" not in w.stderr, w.stderr


def test_burst_of_all_files_checks_each_module_at_most_twice_and_unlocks_them(
        workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace, timeout=5.0)
    w.ready()
    mark = len(w.events)
    for m in catalog.modules():
        name = Path(m.file).name
        (workspace / m.file).write_text(reference_source(name))
    w.finished("tinygpt", timeout=30)
    w.settle()
    rc, _ = w.stop()
    assert rc == 0
    burst = w.events[mark:]
    runs: dict[str, int] = {}
    for e in burst:
        if e["type"] == "check.started":
            runs[e["data"]["module"]] = runs.get(e["data"]["module"], 0) + 1
    assert runs and max(runs.values()) <= 2, runs
    got = {e["data"]["module"] for e in burst if e["type"] == "achievement.unlocked"}
    assert got == {m.id for m in catalog.modules()}


def test_ctrl_c_and_sigterm_exit_zero_within_two_seconds_leaving_nothing(workspace: Path, watch_factory) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        w = watch_factory(workspace)
        w.ready()
        children = descendants(w.proc.pid)
        rc, elapsed = w.stop(sig)
        assert rc == 0, w.stderr
        assert elapsed < 2.0
        assert w.events[-1]["type"] == "daemon.stopped"
        assert w.events[-1]["data"]["reason"] == signal.Signals(sig).name
        time.sleep(0.2)
        assert not [p for p in children if process_exists(p)], "no process left behind"


def test_ctrl_c_during_a_running_check_kills_it(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace, timeout=30.0)
    w.ready()
    atomic_write(workspace / "tinytorch" / "tensor.py", "while True:\n    pass\n")
    w.wait_for(lambda e: e["type"] == "check.started" and e["data"]["module"] == "tensor")
    children = descendants(w.proc.pid)
    rc, elapsed = w.stop()
    assert rc == 0 and elapsed < 2.0
    time.sleep(0.2)
    assert not [p for p in children if process_exists(p)]
    status = run_cli("status", "--json", "--workspace", str(workspace))
    assert status.returncode == 0, status.stderr


def test_watch_json_piped_into_head_stops_when_the_reader_goes(workspace: Path) -> None:
    """`watch --json | head -3`: once head has exited, the next event ends watch (no daemon left behind)."""
    import subprocess

    from conftest import tracker_cmd

    proc = subprocess.Popen([*tracker_cmd(), "watch", "--json", "--workspace", str(workspace)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline())["type"] == "daemon.started"
        proc.stdout.close()  # the reader (head) is gone
        tensor = workspace / "tinytorch" / "tensor.py"
        atomic_write(tensor, tensor.read_text() + "\n# a save, so that an event surely follows\n")
        assert proc.wait(timeout=15) == 0
        assert b"Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigterm_during_the_first_pass_exits_zero_without_a_traceback(workspace: Path) -> None:
    """The signal handler is in place before the first pass, not installed some time during it."""
    import subprocess

    from conftest import tracker_cmd

    for _ in range(5):
        proc = subprocess.Popen([*tracker_cmd(), "watch", "--json", "--workspace", str(workspace)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline())["type"] == "daemon.started"
        proc.send_signal(signal.SIGTERM)  # the first pass is starting now
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0 and b"Traceback" not in err, err.decode()[-1500:]


def test_second_watch_on_the_same_workspace_refuses(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace)
    w.wait_for(lambda e: e["type"] == "daemon.started")
    second = run_cli("watch", "--json", "--workspace", str(workspace), timeout=20)
    assert second.returncode != 0
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "already running" in lines[0], second.stderr
    assert second.stdout == ""
    assert w.stop()[0] == 0


def test_kill_9_after_an_unlock_and_during_a_check_loses_nothing(workspace: Path, watch_factory) -> None:
    w = watch_factory(workspace, timeout=30.0)
    w.ready()
    atomic_write(workspace / "tinytorch" / "tensor.py", reference_source("tensor.py"))
    unlocked(w, "tensor")
    w.kill()  # SIGKILL right after the unlock

    again = watch_factory(workspace, timeout=30.0)
    again.ready()
    atomic_write(workspace / "tinytorch" / "system.py", "while True:\n    pass\n")
    again.wait_for(lambda e: e["type"] == "check.started" and e["data"]["module"] == "setup")
    children = descendants(again.proc.pid)
    again.kill()  # SIGKILL in the middle of a check
    deadline = time.monotonic() + 3
    while [p for p in children if process_exists(p)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in children if process_exists(p)], "the sandbox must not outlive a killed daemon"

    third = watch_factory(workspace)
    assert third.finished("tensor")["data"]["state"] == "complete"
    third.ready()
    assert third.stop()[0] == 0
    every = w.events + again.events + third.events
    assert [e for e in every if e["type"] == "achievement.unlocked"] == [
        e for e in w.events if e["type"] == "achievement.unlocked"]
    ids = [e["id"] for e in every]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    history = json.loads(run_cli("history", "--json", "--workspace", str(workspace)).stdout)
    assert [h["module"] for h in history] == ["tensor"]
