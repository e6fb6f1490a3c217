"""The sandbox runs the real checks against a temp workspace: results, freshness, restart, close."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import anyio
import pytest
from conftest import children_of, process_exists
from sandbox_support import assert_nothing_left, make_workspace

from tracker.sandbox import Sandbox, SandboxClosed
from tracker.workspace_init import strip_solutions


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


@pytest.fixture
def sandbox(workspace: Path):
    with Sandbox(workspace, timeout_s=2.0) as box:
        yield box


@pytest.fixture
def custom_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A checks package `sbx_checks` of the test's own, importable by the worker."""
    root = tmp_path / "checkpkg"
    (root / "sbx_checks").mkdir(parents=True)
    (root / "sbx_checks" / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(root))

    def write(module_id: str, source: str) -> None:
        (root / "sbx_checks" / f"{module_id}.py").write_text(textwrap.dedent(source))

    return write


def test_reference_passes_every_check_in_definition_order(sandbox: Sandbox) -> None:
    from tracker.checks import tensor as tensor_checks

    expected = [name for name in vars(tensor_checks) if name.startswith("check_")]
    run = sandbox.run_module("tensor")
    assert run.import_error is None and not run.timed_out
    assert [o.name for o in run.outcomes] == expected
    assert {o.status for o in run.outcomes} == {"passed"}
    assert run.duration_ms > 0


def test_stubbed_module_is_not_implemented_with_the_hint(sandbox: Sandbox, workspace: Path) -> None:
    path = workspace / "tinytorch" / "tensor.py"
    path.write_text(strip_solutions(path.read_text(), "tensor.py"))
    run = sandbox.run_module("tensor")
    assert run.import_error is None
    assert {o.status for o in run.outcomes} == {"not_implemented"}
    assert all(o.error.startswith("NotImplementedError") and "tensor.py, line" in o.error for o in run.outcomes)


def test_wrong_answer_fails_with_the_assert_message(sandbox: Sandbox, workspace: Path) -> None:
    path = workspace / "tinytorch" / "tensor.py"
    path.write_text(path.read_text() + "\nTensor.__matmul__ = lambda self, other: Tensor(self.data)\n")
    run = sandbox.run_module("tensor")
    failed = {o.name: o.error for o in run.outcomes if o.status == "failed"}
    assert "check_matmul" in failed and "expected shape" in failed["check_matmul"]
    assert run.passed >= 1


def test_a_multi_line_assert_message_is_kept_whole_on_one_line(sandbox: Sandbox, workspace: Path) -> None:
    """`expected [[..]\n [..]], got [[..]\n [..]]`: the student needs the "got" part too."""
    path = workspace / "tinytorch" / "tensor.py"
    path.write_text(path.read_text().replace("self.data + other.data", "self.data - other.data", 1))
    error = next(o.error for o in sandbox.run_module("tensor").outcomes if o.name == "check_add_broadcasts")
    assert "\n" not in error and "expected [[10. 21. 32.] [13. 24. 35.]], got [[-10." in error, error


def test_each_run_imports_the_file_fresh_even_within_one_second(
    workspace: Path, custom_checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom_checks("tensor", """
        def check_value():
            from tinytorch.tensor import VALUE
            assert VALUE == 2, f"VALUE is {VALUE}"
    """)
    path = workspace / "tinytorch" / "tensor.py"
    with Sandbox(workspace, timeout_s=2.0, checks_package="sbx_checks") as box:
        for value, status in ((1, "failed"), (2, "passed"), (1, "failed")):
            path.write_text(f"VALUE = {value}\n")  # same size, same second: a stale .pyc would lie
            assert box.run_module("tensor").outcomes[0].status == status
    assert not (workspace / "tinytorch" / "__pycache__").exists()


def test_child_has_one_blas_thread_and_its_own_session(workspace: Path, custom_checks) -> None:
    custom_checks("tensor", """
        def check_isolated():
            import os
            import numpy as np
            from tinytorch.tensor import VALUE
            assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
            assert os.getsid(0) == os.getpid() == os.getpgid(0)
            threads = [l for l in open("/proc/self/status") if l.startswith("Threads:")]
            assert threads == ["Threads:\\t1\\n"], threads
            assert np.ones((64, 64)) @ np.ones((64, 64)) is not None
            assert os.getcwd() == os.path.dirname(os.path.dirname(__import__("tinytorch").__file__))
    """)
    (workspace / "tinytorch" / "tensor.py").write_text("VALUE = 1\n")
    with Sandbox(workspace, timeout_s=2.0, checks_package="sbx_checks") as box:
        run = box.run_module("tensor")
    assert run.outcomes[0].status == "passed", run.outcomes[0].error


def test_the_daemon_process_never_imports_student_code(workspace: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from tracker.sandbox import Sandbox
        with Sandbox({str(workspace)!r}) as box:
            assert box.run_module("tensor").passed > 0
        assert not [m for m in sys.modules if m.startswith("tinytorch")], "student code was imported"
        assert "numpy" not in sys.modules, "the daemon side should stay light"
    """)
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", script], check=True, cwd=root, timeout=60)


def test_output_is_captured_and_bounded(workspace: Path) -> None:
    path = workspace / "tinytorch" / "tensor.py"
    path.write_text(path.read_text() + "\nprint('hello from tensor.py')\nprint('x' * 5_000_000)\n")
    with Sandbox(workspace, timeout_s=5.0, output_limit=1000) as box:
        run = box.run_module("tensor")
    assert run.output.startswith("hello from tensor.py") and len(run.output) == 1000
    assert run.import_error is None and run.failed == 0


def test_worker_killed_between_runs_is_restarted_transparently(sandbox: Sandbox) -> None:
    first = sandbox.worker_pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    time.sleep(0.05)
    run = sandbox.run_module("tensor")
    assert run.failed == 0 and sandbox.worker_pid != first and sandbox.restarts == 1


def test_async_run_and_cancellation_kill_the_child(workspace: Path) -> None:
    path = workspace / "tinytorch" / "tensor.py"
    good = path.read_text()

    async def main(box: Sandbox) -> None:
        assert (await box.run("tensor")).failed == 0
        path.write_text("import os\nopen('pids.txt', 'w').write(str(os.getpid()))\nwhile True:\n    pass\n")
        started = time.monotonic()
        with anyio.move_on_after(0.3):
            await box.run("tensor")
        assert time.monotonic() - started < 5.0, "cancelling returns long before the 10 s time limit"
        pids = [int((workspace / "pids.txt").read_text())]
        assert_nothing_left(box.worker_pid, pids)
        path.write_text(good)
        assert (await box.run("tensor")).failed == 0

    with Sandbox(workspace, timeout_s=10.0) as box:
        anyio.run(main, box)


def test_close_leaves_no_process_and_refuses_new_runs(workspace: Path) -> None:
    box = Sandbox(workspace, timeout_s=2.0)
    box.start()
    worker = box.worker_pid
    assert worker is not None and process_exists(worker)
    box.close()
    assert not process_exists(worker) and not children_of(worker)
    with pytest.raises(SandboxClosed):
        box.run_module("tensor")
    box.close()


def test_unknown_module_is_a_key_error(sandbox: Sandbox) -> None:
    with pytest.raises(KeyError):
        sandbox.run_module("no-such-module")


def test_missing_file_is_an_import_error(sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "tinytorch" / "tensor.py").unlink()
    run = sandbox.run_module("tensor")
    assert run.import_error == "ModuleNotFoundError: No module named 'tinytorch.tensor'"
    assert run.outcomes == ()


def test_runs_from_many_threads_are_serialised(sandbox: Sandbox) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(sandbox.run_module, ["tensor", "setup", "activations", "tensor"] * 2))
    assert all(run.import_error is None and run.failed == 0 for run in runs)
    assert [run.module for run in runs] == ["tensor", "setup", "activations", "tensor"] * 2


def test_daemon_killed_mid_check_takes_worker_and_child_with_it(workspace: Path) -> None:
    (workspace / "tinytorch" / "tensor.py").write_text(
        "import os\nopen('pids.txt', 'w').write(str(os.getpid()))\nwhile True:\n    pass\n"
    )
    script = textwrap.dedent(f"""
        from tracker.sandbox import Sandbox
        box = Sandbox({str(workspace)!r}, timeout_s=60)
        box.start()
        print(box.worker_pid, flush=True)
        box.run_module("tensor")
    """)
    root = Path(__file__).resolve().parents[1]
    daemon = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True)
    assert daemon.stdout is not None
    worker = int(daemon.stdout.readline())
    deadline = time.monotonic() + 10
    while not (workspace / "pids.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    child = int((workspace / "pids.txt").read_text())
    assert process_exists(child)
    daemon.kill()
    daemon.wait()
    deadline = time.monotonic() + 3
    while (process_exists(worker) or process_exists(child)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not process_exists(worker) and not process_exists(child)


def test_cancel_read_together_with_its_run_request_still_cancels(workspace: Path) -> None:
    """The worker may read "run" and "cancel" in one chunk (a cancel right after the request)."""
    (workspace / "tinytorch" / "tensor.py").write_text("while True:\n    pass\n")
    with Sandbox(workspace, timeout_s=10.0) as box:
        assert box._proc is not None and box._proc.stdin is not None
        request = {"op": "run", "id": 7, "module": "tensor", "file": "tinytorch/tensor.py",
                   "checks": "tracker.checks.tensor", "workspace": str(workspace), "timeout": 10.0,
                   "memory_mb": 512, "output_limit": 100}
        stale, cancel = {"op": "cancel", "id": 6}, {"op": "cancel", "id": 7}
        box._proc.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in (stale, request, cancel)))
        box._proc.stdin.flush()
        started = time.monotonic()
        events = [box._next_event(started + 5), box._next_event(started + 5)]
        assert [e and e["event"] for e in events] == ["started", "finished"]
        assert events[1]["cancelled"] and time.monotonic() - started < 5.0  # not the 10 s time limit


def test_worker_without_pidfd_support_polls_instead(workspace: Path) -> None:
    """Kernels before 5.3 have no pidfd_open: the worker then polls for the child's exit."""
    root = Path(__file__).resolve().parents[1]
    code = f"import os, sys; del os.pidfd_open; sys.path[0:1] = [{str(root)!r}]; import tracker.zygote as z; z.main()"
    worker = subprocess.Popen([sys.executable, "-c", code, "tracker.checks"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, cwd=workspace, start_new_session=True)
    assert worker.stdin is not None and worker.stdout is not None
    try:
        assert json.loads(worker.stdout.readline())["event"] == "ready"
        replies = []
        for run_id, source in ((1, None), (2, "while True:\n    pass\n")):
            if source:
                (workspace / "tinytorch" / "tensor.py").write_text(source)
            request = {"op": "run", "id": run_id, "module": "tensor", "file": "tinytorch/tensor.py",
                       "checks": "tracker.checks.tensor", "workspace": str(workspace), "timeout": 0.5,
                       "memory_mb": 1024, "output_limit": 100}
            worker.stdin.write(json.dumps(request).encode() + b"\n")
            worker.stdin.flush()
            assert json.loads(worker.stdout.readline())["event"] == "started"
            replies.append(json.loads(worker.stdout.readline()))
        good, looping = replies
        assert good["exit"] == 0 and not good["timed_out"]
        assert [r["phase"] for r in good["records"]].count("outcome") >= 5
        assert looping["timed_out"] and looping["signal"] == signal.SIGKILL
    finally:
        worker.stdin.close()
        worker.wait(timeout=5)
    assert not children_of(worker.pid)
