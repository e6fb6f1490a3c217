"""Showcases 07-11 run for real on the reference code (`--fast`, piped) and stop cleanly when a module is missing.

Each showcase is started the way the tracker starts it: `python showcases/NN_name.py --workspace W --fast`,
its output a pipe. On the reference (the repository's own tinytorch) it must exit 0 with its key result in
the output, no escape codes and no line wider than 80 columns. On a workspace where a module it needs is a
fresh `init` stub it must exit 2 naming that module (number and title from the catalog) without a traceback.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from showcase_helpers import REPO, assert_clean, play, stub_workspace

from tracker import catalog

SHOWCASES = ["07_full_training", "08_model_compression", "09_performance_profiling",
             "10_production_systems", "11_tinygpt_mastery"]


def numbers(pattern: str, text: str) -> list[float]:
    """The numbers captured by the first match of `pattern` (one group per number, commas allowed)."""
    found = re.search(pattern, text, re.M)
    assert found, f"{pattern!r} not in output:\n{text[-3000:]}"
    return [float(v.replace(",", "")) for v in found.groups()]


@pytest.fixture(scope="module")
def reference_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every showcase played once on the reference, shared by the tests below."""
    return {name: play(name, REPO, "--fast") for name in SHOWCASES}


@pytest.mark.parametrize("name", SHOWCASES)
def test_runs_clean_on_reference(name: str, reference_runs: dict) -> None:
    result = reference_runs[name]
    assert result.returncode == 0, result.stderr[-2000:]
    assert_clean(result)
    assert "What you built" in result.stdout


def test_07_trains_above_chance(reference_runs: dict) -> None:
    before, after = numbers(r"Held-out accuracy: ([\d.]+)% → ([\d.]+)%", reference_runs["07_full_training"].stdout)
    assert before < 30 < 80 < after, (before, after)
    assert "Your training loop is learning RIGHT NOW!" in reference_runs["07_full_training"].stdout


def test_09_fits_an_exponent(reference_runs: dict) -> None:
    out = reference_runs["09_performance_profiling"].stdout
    (exponent,) = numbers(r"Fitted exponent: seconds ∝ n\^([\d.]+)", out)
    assert 0.5 < exponent < 4.5
    assert "➜ Optimise" in out


def test_08_shrinks_and_measures(reference_runs: dict) -> None:
    out = reference_runs["08_model_compression"].stdout
    (dense,) = numbers(r"([\d,]+) bytes as float32", out)
    int8, accuracy = numbers(r"Whole model as int8: ([\d,]+) bytes, held-out accuracy ([\d.]+)%", out)
    assert int8 < dense / 3 and accuracy > 90, (dense, int8, accuracy)
    achieved, _, size = numbers(r"^\s*90%\s+([\d.]+)%\s.*?([\d.]+)%\s+([\d,]+) B", out)
    assert abs(achieved - 90) < 1 and size < dense / 4, (achieved, size)


def test_10_raises_real_drift_alert(reference_runs: dict) -> None:
    out = reference_runs["10_production_systems"].stdout
    alerts = [line for line in out.splitlines() if line.startswith("ALERT")]
    assert any("DRIFT KS" in line for line in alerts), out[-3000:]
    assert any("accuracy" in line for line in alerts), alerts
    assert "v2" in out and "alerts since deploying: 0" in out


def test_11_generates_requested_lengths(reference_runs: dict) -> None:
    out = reference_runs["11_tinygpt_mastery"].stdout
    runs = re.findall(r"→ (\d+)/(\d+) new tokens in [\d.]+ s \(([\d,]+) tokens/s\)", out)
    assert len(runs) == 6, out[-3000:]
    assert all(new == asked and int(rate.replace(",", "")) > 0 for new, asked, rate in runs)
    assert "YOUR GPT is thinking and writing!" in out


@pytest.fixture(scope="module")
def stubs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh workspace written by the real `init`: every solution block a stub."""
    root = tmp_path_factory.mktemp("init") / "ws"
    done = subprocess.run([sys.executable, "-m", "tracker.cli", "init", str(root)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.parametrize("name", SHOWCASES)
def test_fresh_workspace_names_first_missing_module(name: str, stubs: Path) -> None:
    result = play(name, stubs, "--fast")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert_clean(result)
    tensor = catalog.module("tensor")  # every showcase builds on the Tensor, the first thing missing
    assert f"Module {tensor.number:02d} ({tensor.title})" in result.stderr
    assert f"tinytorch-tracker check {tensor.id}" in result.stderr


@pytest.mark.parametrize("name", SHOWCASES)
def test_unfinished_unlocking_module_is_named(name: str, stubs: Path, tmp_path: Path) -> None:
    module = next(m for m in catalog.modules() if m.showcase == name)
    result = play(name, stub_workspace(tmp_path, stubs, module.file), "--fast")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert_clean(result)
    assert f"Module {module.number:02d} ({module.title})" in result.stderr
    assert f"tinytorch-tracker check {module.id}" in result.stderr


@pytest.mark.parametrize(("name", "optional", "extra"), [
    ("08_model_compression", "training", "let your Trainer heal it"),
    ("09_performance_profiling", "kernels", "your Module 13 loop matmul"),
])
def test_optional_extra_is_skipped_when_its_module_is_unfinished(name: str, optional: str, extra: str,
                                                                 stubs: Path, tmp_path: Path,
                                                                 reference_runs: dict) -> None:
    result = play(name, stub_workspace(tmp_path, stubs, catalog.module(optional).file), "--fast")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert_clean(result)
    assert extra not in result.stdout and extra in reference_runs[name].stdout
    assert "What you built" in result.stdout
