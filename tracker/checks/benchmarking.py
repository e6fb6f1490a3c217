"""Checks for module 14 (benchmarking): tinytorch/benchmarking.py, timing statistics, profiles, scaling fits."""

from __future__ import annotations


def check_timing_statistics() -> None:
    import numpy as np

    from tinytorch.benchmarking import Timing

    t = Timing.from_samples([0.4, 0.1, 0.3, 0.2])
    assert t.samples == (0.4, 0.1, 0.3, 0.2), f"samples should be kept in order, got {t.samples}"
    assert abs(t.mean - 0.25) < 1e-12 and abs(t.median - 0.25) < 1e-12, f"mean/median: got {t.mean}, {t.median}"
    assert abs(t.std - np.std([0.4, 0.1, 0.3, 0.2])) < 1e-12, f"std: expected {np.std([0.1, 0.2, 0.3, 0.4])}"
    assert (t.min, t.max) == (0.1, 0.4), f"min/max: expected (0.1, 0.4), got {(t.min, t.max)}"


def check_profiler_warmup_and_repeats() -> None:
    from tinytorch.benchmarking import Profiler

    calls: list[int] = []
    timing = Profiler(warmup=2, repeats=3).time(lambda n: calls.append(n), 7)
    assert calls == [7] * 5, f"2 warm-up + 3 timed calls with the argument expected, got {calls}"
    assert len(timing.samples) == 3, f"3 repeats: expected 3 samples, got {len(timing.samples)}"
    assert all(s >= 0 for s in timing.samples), f"times cannot be negative: {timing.samples}"


def check_profile_model() -> None:
    import numpy as np

    from tinytorch.benchmarking import Profiler
    from tinytorch.networks import MLP
    from tinytorch.tensor import Tensor

    model = MLP([4, 6, 2], seed=0)
    rows = Profiler(warmup=0, repeats=2).profile_model(model, Tensor(np.ones((3, 4), dtype=np.float32)))
    names = [name for name, _ in rows]
    assert len(rows) == 3, f"Linear, ReLU, Linear: expected 3 rows, got {names}"
    assert "Linear" in names[0] and "ReLU" in names[1], f"rows should name each layer in order, got {names}"
    assert all(len(t.samples) == 2 for _, t in rows), "each layer should be timed `repeats` times"


def check_scaling_fit() -> None:
    import numpy as np

    from tinytorch.benchmarking import Profiler, fit_power_law, scaling_analysis

    sizes = [10, 20, 40, 80]
    exponent, coefficient = fit_power_law(sizes, [2e-9 * n**3 for n in sizes])
    assert abs(exponent - 3.0) < 1e-9, f"seconds = 2e-9 * n^3: exponent should be 3, got {exponent}"
    assert abs(coefficient - 2e-9) < 1e-15, f"coefficient should be 2e-9, got {coefficient}"
    result = scaling_analysis(lambda n: np.ones(n), np.sum, [100, 1000], Profiler(warmup=0, repeats=1))
    assert result.sizes == (100, 1000) and len(result.seconds) == 2, f"one time per size expected: {result}"
    assert np.isfinite(result.exponent), f"the fitted exponent should be a number, got {result.exponent}"
