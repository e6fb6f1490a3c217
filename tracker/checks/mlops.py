"""Checks for module 15 (mlops): tinytorch/mlops.py, monitoring, drift detection and the model registry."""

from __future__ import annotations


def check_monitor_summary() -> None:
    import numpy as np

    from tinytorch.mlops import ModelMonitor

    monitor = ModelMonitor(window=10)
    for i in range(15):  # the window keeps requests 5..14
        monitor.record(latency_s=0.001 * (i + 1), prediction=i % 2, label=0 if i % 3 else None)
    s = monitor.summary()
    window = 0.001 * np.arange(6, 16)
    assert s["count"] == 15, f"count is every request ever recorded: expected 15, got {s['count']}"
    assert abs(s["latency_p50"] - np.percentile(window, 50)) < 1e-12, f"p50 of the last 10: got {s['latency_p50']}"
    assert abs(s["latency_p95"] - np.percentile(window, 95)) < 1e-12, f"p95 of the last 10: got {s['latency_p95']}"
    labelled = [i for i in range(5, 15) if i % 3]
    expected = np.mean([(i % 2) == 0 for i in labelled])
    assert abs(s["accuracy"] - expected) < 1e-12, f"accuracy over labelled requests: expected {expected}"
    assert monitor.alerts(max_latency_p95=0.001), "p95 above the limit should raise an alert"


def check_ks_statistic() -> None:
    from tinytorch.mlops import ks_statistic

    assert ks_statistic([1, 2, 3, 4], [1, 2, 3, 4]) == 0.0, "identical samples: KS statistic should be 0"
    assert ks_statistic([0, 0, 0], [5, 6]) == 1.0, "disjoint samples: KS statistic should be 1"
    got = ks_statistic([1, 2, 3, 4], [3, 4, 5, 6])
    assert abs(got - 0.5) < 1e-12, f"[1,2,3,4] vs [3,4,5,6]: expected 0.5, got {got}"


def check_drift_detector() -> None:
    import numpy as np

    from tinytorch.mlops import DriftDetector

    rng = np.random.default_rng(3)
    detector = DriftDetector(rng.normal(size=(400, 3)))
    same = detector.check(rng.normal(size=(80, 3)))
    shifted = detector.check(rng.normal(size=(80, 3)) + np.array([0.0, 1.0, 0.0]))
    assert not same.drifted, f"a batch from the same distribution was flagged (score {same.score:.3f})"
    assert shifted.drifted, f"a batch with feature 1 shifted by 1 std was not flagged (score {shifted.score:.3f})"
    assert int(np.argmax(shifted.per_feature)) == 1, f"feature 1 should drift most: {shifted.per_feature}"


def check_registry_round_trip() -> None:
    import tempfile

    import numpy as np

    from tinytorch.layers import Linear
    from tinytorch.mlops import ModelRegistry

    with tempfile.TemporaryDirectory() as tmp:
        registry = ModelRegistry(tmp)
        first = registry.register("digits", Linear(3, 2, seed=0), {"accuracy": 0.9})
        second = registry.register("digits", Linear(3, 2, seed=1), {"accuracy": 0.8})
        assert (first, second) == (1, 2), f"versions should count 1, 2: got {first}, {second}"
        assert registry.versions("digits") == [1, 2], f"versions(): expected [1, 2], got {registry.versions('digits')}"
        restored = registry.load("digits", version=1, into=Linear(3, 2, seed=5))
        original = Linear(3, 2, seed=0)
        assert np.array_equal(restored.weight.data, original.weight.data), "load(version=1) did not restore weights"
        assert registry.metrics("digits", 2)["accuracy"] == 0.8, "metrics of version 2 should be kept"
