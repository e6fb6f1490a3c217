"""The key result of showcases 01-06, computed by the reference code (the repository is a solved workspace).

Each showcase ran once with --fast, piped (showcase_helpers.reference_runs); what every showcase must
do (clean output, exit 2 naming a missing module) is in test_showcases_all.py.
"""

from __future__ import annotations

import re

import pytest
from showcase_helpers import numbers, reference_runs

SHOWCASES = ["01_tensor_operations", "02_neural_intelligence", "03_forward_inference",
             "04_image_processing", "05_attention_visualization", "06_data_pipeline"]


@pytest.fixture(scope="module")
def out() -> dict[str, str]:
    """What each showcase printed on the reference."""
    return {name: run.stdout for name, run in reference_runs(SHOWCASES).items()}


def test_01_linear_algebra(out: dict[str, str]) -> None:
    text = out["01_tensor_operations"]
    assert "C[1,1] = 4×8 + 5×10 + 6×12 = 154" in text
    assert "[[58.0, 64.0], [139.0, 154.0]]  ✓ same result" in text
    assert numbers(r"Nearest average = prediction\. Accuracy: ([\d.]+)%", text)[0] > 80
    assert "Your tensors can do linear algebra!" in text


def test_02_xor_needs_the_bend(out: dict[str, str]) -> None:
    text = out["02_neural_intelligence"]
    assert "Correct: 4/4 with two hidden sigmoids." in text
    assert re.search(r"a straight line gets [0-3]/4, your Tanh network learns 4/4", text), text[-1500:]
    assert "Your activations make networks intelligent!" in text


def test_03_reads_digits(out: dict[str, str]) -> None:
    text = out["03_forward_inference"]
    assert numbers(r"over all 359 digits\. Accuracy: ([\d.]+)%", text)[0] > 90
    assert "Your network can recognize handwritten digits!" in text


def test_04_filters_and_pooling(out: dict[str, str]) -> None:
    text = out["04_image_processing"]
    assert "pooled once: 16×16" in text and "twice: 8×8" in text
    assert "60 photos, (N, C, H, W) = (60, 1, 32, 32) → edges (60, 2, 32, 32)" in text
    assert "Your convolutions can see patterns!" in text


def test_05_attention_patterns(out: dict[str, str]) -> None:
    text = out["05_attention_visualization"]
    assert "out = weights·V:     tthe cat sat on the ma" in text  # the previous-position head moved characters
    assert "allows 21 of 36 pairs" in text and "above the diagonal = 0.0e+00" in text
    assert "head 4:" in text  # trained TinyGPT weights ran through MultiHeadAttention
    assert "Your attention mechanism focuses on important parts!" in text


def test_06_pipeline(out: dict[str, str]) -> None:
    text = out["06_data_pipeline"]
    assert "First batch: images (8, 3, 32, 32) float32, labels (8,) int64" in text
    assert "seed=0 again: ✓ identical" in text
    assert "visits every photo exactly once (60 different of 60)" in text
    assert numbers(r"Measured: ([\d,]+) photos/s", text)[0] > 0
