"""`init`: a stubbed workspace from the reference framework, never overwriting one."""

from __future__ import annotations

import ast
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REFERENCE, run_cli, tracker_cmd

from tracker.errors import TrackerError
from tracker.workspace_init import strip_solutions


def test_init_writes_stubs_that_import_cleanly(template_workspace: Path) -> None:
    src = template_workspace / "tinytorch"
    names = sorted(p.name for p in src.glob("*.py"))
    assert names == sorted(p.name for p in REFERENCE.glob("*.py"))
    for path in src.glob("*.py"):
        text = path.read_text()
        ast.parse(text, filename=str(path))
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    tensor = (src / "tensor.py").read_text()
    assert tensor.count("raise NotImplementedError(") >= 5
    code = ("import importlib, sys; sys.path.insert(0, sys.argv[1]);"
            "[importlib.import_module('tinytorch.' + p[:-3]) for p in sys.argv[2:]]")
    done = subprocess.run([sys.executable, "-c", code, str(template_workspace), *names],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_init_refuses_to_overwrite_with_one_line(template_workspace: Path) -> None:
    before = (template_workspace / "tinytorch" / "tensor.py").read_text()
    result = run_cli("init", str(template_workspace))
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "already exists" in result.stderr
    assert (template_workspace / "tinytorch" / "tensor.py").read_text() == before


@pytest.mark.parametrize("where", ["a_file/ws", "a_file"])
def test_init_where_a_file_is_in_the_way_is_one_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "a_file").write_text("keep me")
    result = run_cli("init", str(tmp_path / where))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert (tmp_path / "a_file").read_text() == "keep me"


def test_init_with_an_empty_dir_writes_nothing(tmp_path: Path) -> None:
    result = run_cli("init", "", cwd=tmp_path)
    assert result.returncode == 1 and "DIR is empty" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_that_cannot_finish_leaves_no_half_workspace(tmp_path: Path) -> None:
    """A disk that fills up mid-way (here: a 4 KiB file-size limit): one line, and no partial tinytorch/
    that a second `init` would then refuse as "already exists"."""

    def small_files_only() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    target = tmp_path / "ws"
    result = subprocess.run([*tracker_cmd(), "init", str(target)], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL, preexec_fn=small_files_only)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write the workspace" in lines[0] and "too large" in lines[0], result.stderr
    assert not (target / "tinytorch").exists()
    assert run_cli("init", str(target)).returncode == 0


def test_strip_uses_the_hint_or_names_the_function() -> None:
    source = (
        "class T:\n"
        "    def relu(self):\n"
        '        """Doc stays."""\n'
        "        ### BEGIN SOLUTION hint: keep the positive part\n"
        "        return max(self, 0)\n"
        "        ### END SOLUTION\n"
        "\n"
        "def helper(x):\n"
        "    y = x + 1\n"
        "    ### BEGIN SOLUTION\n"
        "    return y * 2\n"
        "    ### END SOLUTION\n"
    )
    out = strip_solutions(source)
    assert "        raise NotImplementedError('keep the positive part')\n" in out
    assert "    raise NotImplementedError('helper() is yours to write')\n" in out
    assert '"""Doc stays."""' in out and "y = x + 1" in out and "return" not in out
    ast.parse(out)


@pytest.mark.parametrize("bad, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "without an END"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "without a BEGIN"),
])
def test_strip_rejects_unbalanced_markers(bad: str, message: str) -> None:
    with pytest.raises(TrackerError, match=message):
        strip_solutions(bad, "x.py")
