"""Showcases 01-06 on the reference (the repository is a solved workspace) and on unfinished workspaces.

Every run is a real subprocess with --fast and piped output: exit 0, the key result computed by the
reference code, clean 80-column text. On a fresh `tinytorch-tracker init` workspace, or one where only
the module that unlocks the showcase is a stub, it exits 2 and names the module from the catalog.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from showcase_helpers import REPO, assert_clean, play, stub_workspace

from tracker import catalog

SHOWCASES = ["01_tensor_operations", "02_neural_intelligence", "03_forward_inference",
             "04_image_processing", "05_attention_visualization", "06_data_pipeline"]


@pytest.fixture(scope="module")
def reference() -> dict[str, subprocess.CompletedProcess[str]]:
    """Each showcase played once on the reference with --fast, three at a time."""
    with ThreadPoolExecutor(3) as pool:
        return dict(zip(SHOWCASES, pool.map(lambda name: play(name, REPO, "--fast"), SHOWCASES), strict=True))


def number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in output:\n{text[-3000:]}"
    return float(found.group(1))


@pytest.mark.parametrize("name", SHOWCASES)
def test_runs_clean_on_reference(name: str, reference: dict) -> None:
    result = reference[name]
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert_clean(result)
    assert f"Showcase {name[:2]}" in result.stdout
    assert "What you built" in result.stdout


def test_01_linear_algebra(reference: dict) -> None:
    out = reference["01_tensor_operations"].stdout
    assert "C[1,1] = 4×8 + 5×10 + 6×12 = 154" in out
    assert "[[58.0, 64.0], [139.0, 154.0]]  ✓ same result" in out
    assert number(r"Nearest average = prediction\. Accuracy: ([\d.]+)%", out) > 80
    assert "Your tensors can do linear algebra!" in out


def test_02_xor_needs_the_bend(reference: dict) -> None:
    out = reference["02_neural_intelligence"].stdout
    assert "Correct: 4/4 with two hidden sigmoids." in out
    assert re.search(r"a straight line gets [0-3]/4, your Tanh network learns 4/4", out), out[-1500:]
    assert "Your activations make networks intelligent!" in out


def test_03_reads_digits(reference: dict) -> None:
    out = reference["03_forward_inference"].stdout
    assert number(r"over all 359 digits\. Accuracy: ([\d.]+)%", out) > 90
    assert "Your network can recognize handwritten digits!" in out


def test_04_filters_and_pooling(reference: dict) -> None:
    out = reference["04_image_processing"].stdout
    assert "pooled once: 16×16" in out and "twice: 8×8" in out
    assert "60 photos, (N, C, H, W) = (60, 1, 32, 32) → edges (60, 2, 32, 32)" in out
    assert "Your convolutions can see patterns!" in out


def test_05_attention_patterns(reference: dict) -> None:
    out = reference["05_attention_visualization"].stdout
    assert "out = weights·V:     tthe cat sat on the ma" in out  # the previous-position head moved characters
    assert "allows 21 of 36 pairs" in out and "above the diagonal = 0.0e+00" in out
    assert "head 4:" in out  # trained TinyGPT weights ran through MultiHeadAttention
    assert "Your attention mechanism focuses on important parts!" in out


def test_06_pipeline(reference: dict) -> None:
    out = reference["06_data_pipeline"].stdout
    assert "First batch: images (8, 3, 32, 32) float32, labels (8,) int64" in out
    assert "seed=0 again: ✓ identical" in out
    assert "(60 of 60)" in out
    assert number(r"Measured: ([\d,]+) photos/s", out.replace(",", "")) > 0


@pytest.mark.parametrize("name", SHOWCASES)
def test_fresh_init_workspace_stops_at_the_tensor(name: str, template_workspace: Path) -> None:
    result = play(name, template_workspace, "--fast")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert_clean(result)
    tensor = catalog.module("tensor")  # all six build on it; it is the first thing missing
    assert f"Module {tensor.number:02d} ({tensor.title})" in result.stderr
    assert f"tinytorch-tracker check {tensor.id}" in result.stderr
    assert result.stdout == ""  # nothing simulated, not even the header


@pytest.mark.parametrize("name", SHOWCASES)
def test_unfinished_unlocking_module_is_named(name: str, template_workspace: Path, tmp_path: Path) -> None:
    module = next(m for m in catalog.modules() if m.showcase == name)
    result = play(name, stub_workspace(tmp_path, template_workspace, module.file), "--fast")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert_clean(result)
    assert f"Module {module.number:02d} ({module.title})" in result.stderr
    assert f"tinytorch-tracker check {module.id}" in result.stderr


def test_default_workspace_is_the_current_directory() -> None:
    result = play("01_tensor_operations", None, "--fast", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert str(REPO / "tinytorch") in result.stdout


def test_folder_without_tinytorch_is_refused(tmp_path: Path) -> None:
    result = play("01_tensor_operations", tmp_path, "--fast")
    assert result.returncode == 2
    assert "No tinytorch/ folder" in result.stderr
    assert_clean(result)


def run_on_terminal(name: str, env: dict[str, str]) -> str:
    """The showcase's output when its stdout is a real (pseudo) terminal."""
    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(TERM="xterm-256color", **env)
    proc = subprocess.Popen([sys.executable, str(REPO / "showcases" / f"{name}.py"), "--workspace", str(REPO),
                             "--fast"], stdout=follower, stderr=follower, stdin=subprocess.DEVNULL, env=full_env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the showcase exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_terminal_gets_colour_and_no_color_gets_plain_text() -> None:
    coloured = run_on_terminal("04_image_processing", {})
    assert "\x1b[" in coloured and "▀" in coloured  # half-block pictures in colour
    plain = run_on_terminal("04_image_processing", {"NO_COLOR": "1"})
    assert "\x1b" not in plain and "▀" not in plain
    assert max(len(line) for line in plain.splitlines()) <= 80


def test_package_import_stays_light_and_finds_showcases() -> None:
    code = ("import sys, showcases as s; assert 'numpy' not in sys.modules and 'rich' not in sys.modules; "
            "print(s.showcase_path(1).name, s.showcase_path('04').name, s.showcase_path('06_data_pipeline').name,"
            " s.showcase_path(99))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["01_tensor_operations.py", "04_image_processing.py", "06_data_pipeline.py",
                                   "None"]


def test_play_returns_the_exit_code(template_workspace: Path) -> None:
    code = ("import sys, showcases as s; from pathlib import Path; "
            f"sys.exit(s.play('02', Path({str(template_workspace)!r}), fast=True) * 10 + s.play(42, Path('.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == (2 * 10 + 127) % 256, done.stderr
    assert "Module 02 (Tensor)" in done.stderr and "No showcase 42" in done.stderr


def test_not_implemented_met_mid_showcase_names_its_module(template_workspace: Path, tmp_path: Path) -> None:
    """A stub the prerequisite checks did not reach still ends as exit 2 naming its module, not a crash."""
    workspace = stub_workspace(tmp_path, template_workspace, catalog.module("kernels").file)
    code = ("import sys; sys.path.insert(0, 'showcases'); import _look\n"
            "def main(show):\n"
            "    from tinytorch.kernels import matmul_vectorized\n"
            "    matmul_vectorized([[1.0]], [[1.0]])\n"
            f"sys.exit(_look.run('showcases/01_tensor_operations.py', main, argv=['--workspace', {str(workspace)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    kernels = catalog.module("kernels")
    assert f"Module {kernels.number:02d} ({kernels.title})" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_tinytorch_folder_that_is_not_a_package_never_falls_back_to_the_reference(tmp_path: Path) -> None:
    stub_workspace(tmp_path, REPO, "tinytorch/__init__.py")  # a solved copy...
    (tmp_path / "tinytorch" / "__init__.py").unlink()  # ...that is only a namespace folder
    result = play("01_tensor_operations", tmp_path, "--fast")
    assert result.returncode == 2, result.stdout[-2000:]
    assert "is not a package" in result.stderr
    assert result.stdout == ""
