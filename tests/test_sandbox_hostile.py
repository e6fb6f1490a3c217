"""Hostile or broken student code: each case reports a useful state and first line, leaves no process
behind, and the next good save passes again."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import reference_source
from sandbox_support import assert_nothing_left, make_workspace, read_pids

from tracker.sandbox import ModuleRun, Sandbox
from tracker.states import first_error

TIMEOUT_S = 1.0
GOOD = reference_source("tensor.py")


def patched(snippet: str) -> str:
    """The reference tensor.py with `snippet` run at the end of its import."""
    return GOOD + "\n" + snippet.strip() + "\n"


@pytest.fixture
def hostile(tmp_path: Path):
    """Run one bad tensor.py; check nothing is left running and that a good file passes afterwards."""
    workspace = make_workspace(tmp_path)
    path = workspace / "tinytorch" / "tensor.py"
    box = Sandbox(workspace, timeout_s=TIMEOUT_S, output_limit=4096)
    box.start()

    def run(source: str) -> ModuleRun:
        path.write_text(source)
        result = box.run_module("tensor")
        assert_nothing_left(box.worker_pid, read_pids(workspace))
        path.write_text(GOOD)
        after = box.run_module("tensor")
        assert after.import_error is None and after.outcomes and after.failed == 0, after
        return result

    yield run
    worker = box.worker_pid
    box.close()
    assert_nothing_left(worker, [])


def broken(run: ModuleRun) -> str:
    assert run.import_error is not None, run
    return run.import_error


def test_endless_loop_at_import(hostile) -> None:
    run = hostile("import os\nopen('pids.txt', 'w').write(str(os.getpid()))\nwhile True:\n    pass\n")
    assert run.timed_out and run.outcomes == ()
    assert broken(run) == "timed out after 1 s while importing tinytorch/tensor.py"


def test_endless_loop_inside_a_method(hostile) -> None:
    run = hostile(patched("""
def _spin(self, other):
    while True:
        pass
Tensor.__add__ = _spin
"""))
    assert run.timed_out and broken(run) == "timed out after 1 s in check_add_broadcasts"
    # what status, check and the watch line show: where it hung, not only that it did
    assert first_error(run, TIMEOUT_S) == "timed out after 1 s in check_add_broadcasts (an endless loop?)"
    first, *rest = run.outcomes
    assert (first.name, first.status, first.error) == ("check_add_broadcasts", "failed", broken(run))
    assert rest and all(o.status == "failed" and o.error.startswith("not run: timed out") for o in rest)


def test_segfault_at_import(hostile) -> None:
    run = hostile("import ctypes\nctypes.string_at(0)\n")
    assert not run.timed_out
    assert broken(run) == "crashed with SIGSEGV while importing tinytorch/tensor.py"


def test_segfault_inside_a_check_keeps_the_earlier_results(hostile) -> None:
    run = hostile(patched("import ctypes\nTensor.__matmul__ = lambda self, other: ctypes.string_at(0)"))
    assert broken(run) == "crashed with SIGSEGV in check_matmul"
    statuses = {o.name: o.status for o in run.outcomes}
    assert statuses["check_add_broadcasts"] == "passed" and statuses["check_matmul"] == "failed"


def test_allocating_many_gigabytes_at_once(hostile) -> None:
    run = hostile("import numpy as np\nbig = np.ones(1 << 31)\n")
    assert not run.timed_out, "the memory cap refuses the allocation at once"
    assert broken(run).startswith("MemoryError: Unable to allocate 16.0 GiB")
    assert broken(run).endswith("(tensor.py, line 2)")


def test_growing_memory_until_the_cap(hostile) -> None:
    run = hostile(patched("""
def _hog(self, other):
    chunks = []
    while True:
        chunks.append(np.empty(10_000_000))
Tensor.__add__ = _hog
"""))
    assert run.import_error is None and not run.timed_out
    first = run.outcomes[0]
    assert first.status == "failed" and first.error.startswith("MemoryError") and "tensor.py, line" in first.error
    assert run.passed >= 1  # memory is given back after each failed check


def test_children_forked_and_left_running(hostile) -> None:
    run = hostile(patched("""
import os as _os
import time as _time
_pids = []
for _ in range(3):
    _pid = _os.fork()
    if _pid == 0:
        while True:
            _time.sleep(1)
    _pids.append(_pid)
_r, _w = _os.pipe()
if _os.fork() == 0:
    _os.setsid()
    _pid = _os.fork()
    if _pid == 0:
        while True:
            _time.sleep(1)
    _os.write(_w, str(_pid).encode())
    _os._exit(0)
_pids.append(int(_os.read(_r, 100)))
open("pids.txt", "w").write("\\n".join(map(str, _pids)))
"""))
    assert run.import_error is None and run.failed == 0  # the checks ran; the strays were killed after


def test_handler_that_ignores_signals(hostile) -> None:
    run = hostile("""
import os
import signal
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1):
    signal.signal(sig, signal.SIG_IGN)
open('pids.txt', 'w').write(str(os.getpid()))
while True:
    pass
""")
    assert run.timed_out and broken(run) == "timed out after 1 s while importing tinytorch/tensor.py"


def test_sys_exit_at_import(hostile) -> None:
    run = hostile("import sys\nsys.exit(3)\n")
    assert broken(run) == "SystemExit: sys.exit(3) was called (tensor.py, line 2)"


def test_os_exit_at_import(hostile) -> None:
    run = hostile("import os\nos._exit(0)\n")
    assert broken(run) == (
        "exited the interpreter with code 0 (os._exit or a C-level exit) while importing tinytorch/tensor.py"
    )


def test_killing_itself(hostile) -> None:
    run = hostile("import os, signal\nos.killpg(0, signal.SIGKILL)\n")
    assert broken(run).startswith("was killed by SIGKILL")


def test_killing_the_worker_that_forked_it(hostile) -> None:
    run = hostile("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")
    assert broken(run).startswith("the checker process was killed during the run")


def test_enormous_output(hostile) -> None:
    run = hostile(patched("""
import os as _os
import sys as _sys
for _ in range(20):
    _sys.stdout.write("x" * 1_000_000)
    _os.write(2, b"y" * 1_000_000)
"""))
    assert run.import_error is None and run.failed == 0 and not run.timed_out, "40 MB of output never stalls a run"
    assert len(run.output) == 4096 and set(run.output) <= {"x", "y"}


def test_endless_output(hostile) -> None:
    run = hostile("while True:\n    print('spam ' * 1000)\n")
    assert run.timed_out and len(run.output) == 4096


def test_syntax_error(hostile) -> None:
    run = hostile(GOOD.replace("import contextlib\n", "import contextlib\nx = = 1\n", 1))
    line = GOOD.splitlines().index("import contextlib") + 2
    assert broken(run) == f"SyntaxError: invalid syntax (tensor.py, line {line})"


def test_missing_name_and_import_error(hostile) -> None:
    run = hostile(patched("from tinytorch.autograd import no_such_name"))
    assert broken(run).startswith("ImportError: cannot import name 'no_such_name' from 'tinytorch.autograd'")
    run = hostile("import numpy as np\nx = undefined_name + 1\n")
    assert broken(run) == "NameError: name 'undefined_name' is not defined (tensor.py, line 2)"
    run = hostile("from tinytorch.nowhere import Thing\n")
    assert broken(run) == "ModuleNotFoundError: No module named 'tinytorch.nowhere' (tensor.py, line 1)"


def test_deep_recursion_fails_one_check(hostile) -> None:
    run = hostile(patched("""
def _deep(self, other):
    return _deep(self, other)
Tensor.__add__ = _deep
"""))
    assert run.import_error is None and run.passed >= 1
    first = run.outcomes[0]
    assert first.status == "failed" and first.error.startswith("RecursionError: maximum recursion depth exceeded")
    assert all(o.error.startswith("RecursionError") for o in run.outcomes if o.status == "failed")


def test_closing_and_stealing_stdout(hostile) -> None:
    run = hostile(patched("""
import os as _os
import sys as _sys
_sys.stdout.close()
_sys.stderr = None
_os.closerange(0, 1024)
"""))
    assert run.import_error is None and run.failed == 0


def test_reading_stdin_and_raising_keyboard_interrupt(hostile) -> None:
    run = hostile("name = input('your name? ')\n")
    assert broken(run) == "EOFError: EOF when reading a line (tensor.py, line 1)"
    run = hostile("import os, signal\nos.kill(os.getpid(), signal.SIGINT)\nimport time\ntime.sleep(5)\n")
    assert broken(run).startswith("KeyboardInterrupt (tensor.py, line")


def test_threads_left_running_do_not_hold_the_run(hostile) -> None:
    run = hostile(patched("""
import threading as _threading
import time as _time
def _forever():
    while True:
        _time.sleep(0.01)
_threading.Thread(target=_forever).start()
"""))
    assert run.import_error is None and run.failed == 0 and not run.timed_out


def test_deleting_the_workers_scratch_folder(hostile) -> None:
    run = hostile(patched("""
import shutil as _shutil
import sys as _sys
_shutil.rmtree(_sys.modules["tracker.worker"]._FreshLoader.code_cache.rsplit("/", 1)[0])
"""))
    assert broken(run).startswith("could not report its results")


def test_writing_a_huge_file(hostile) -> None:
    run = hostile("with open('huge.bin', 'wb', buffering=0) as f:\n    f.seek(300 << 20)\n    f.write(b'x')\n")
    assert broken(run) == "OSError: [Errno 27] File too large (tensor.py, line 3)"


def test_using_up_every_file_descriptor(hostile) -> None:
    run = hostile("import os\nheld = []\nwhile True:\n    held.append(os.open(os.devnull, os.O_RDONLY))\n")
    assert broken(run) == "OSError: [Errno 24] Too many open files: '/dev/null' (tensor.py, line 4)"
