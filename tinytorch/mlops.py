"""Module 15 - MLOps: keeping a trained model healthy in production.

Once deployed, a model meets traffic nobody tested it on. Three tools keep watch:
a monitor tracks latency percentiles and (when true labels arrive later) accuracy over a sliding
window; a drift detector compares incoming inputs with the data the model was trained on, feature by
feature, with the Kolmogorov-Smirnov statistic (the largest gap between the two cumulative
histograms); a registry stores every trained version with its metrics, so any of them can be
reloaded or rolled back to.

Public names
- `ModelMonitor(window=100)`: `.record(latency_s, prediction, label=None)`; `.summary() -> dict` with
  "count" (all requests ever), "window" (requests in the window), "latency_p50", "latency_p95",
  "latency_mean" (seconds), "labelled" and "accuracy" (over labelled requests in the window, None if
  there are none); `.alerts(max_latency_p95=None, min_accuracy=None) -> list[str]`.
- `ks_statistic(reference, sample) -> float`: the two-sample Kolmogorov-Smirnov statistic of 1-D data.
- `DriftDetector(reference, threshold=None, alpha=0.01)`: reference is (N, features) (or (N,));
  `.check(batch) -> DriftReport`. The score is the largest per-feature KS statistic; drift is flagged
  when it exceeds `threshold`, by default the KS critical value at significance `alpha` (shared
  among the features, Bonferroni) for these sample sizes.
- `DriftReport`: `.drifted` (bool), `.score` (float), `.per_feature` (np.ndarray), `.threshold` (float).
- `ModelRegistry(root)`: `.register(name, model, metrics) -> int` (versions 1, 2, ...),
  `.load(name, version=None, into=None)` (latest by default; loads the weights into `into` and returns
  it, or returns the state dict), `.versions(name) -> list[int]`, `.metrics(name, version=None) -> dict`,
  `.best(name, metric, higher_is_better=True) -> int`. Layout: root/<name>/v<version>/{weights.npz,meta.json}.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


class ModelMonitor:
    """Sliding-window latency and accuracy of a model serving requests."""

    def __init__(self, window: int = 100) -> None:
        if window < 1:
            raise ValueError(f"window must be at least 1, got {window}")
        self.window = window
        self.count = 0
        self.latencies: deque[float] = deque(maxlen=window)
        self.outcomes: deque[bool | None] = deque(maxlen=window)  # None: no label for that request

    def record(self, latency_s: float, prediction: Any, label: Any = None) -> None:
        """Remember one request: how long it took and, if the label is known, whether it was right."""
        ### BEGIN SOLUTION hint: count it; append the latency and (label is None ? None : prediction == label)
        self.count += 1
        self.latencies.append(float(latency_s))
        correct = None if label is None else bool(np.all(np.asarray(prediction) == np.asarray(label)))
        self.outcomes.append(correct)
        ### END SOLUTION

    def summary(self) -> dict[str, Any]:
        """Percentiles of the window's latencies and the accuracy of its labelled requests."""
        ### BEGIN SOLUTION hint: np.percentile(latencies, 50 / 95); accuracy = mean of the non-None outcomes
        latencies = np.asarray(self.latencies, dtype=np.float64)
        labelled = [ok for ok in self.outcomes if ok is not None]
        empty = len(latencies) == 0
        return {
            "count": self.count,
            "window": len(latencies),
            "latency_p50": None if empty else float(np.percentile(latencies, 50)),
            "latency_p95": None if empty else float(np.percentile(latencies, 95)),
            "latency_mean": None if empty else float(latencies.mean()),
            "labelled": len(labelled),
            "accuracy": float(np.mean(labelled)) if labelled else None,
        }
        ### END SOLUTION

    def alerts(self, max_latency_p95: float | None = None, min_accuracy: float | None = None) -> list[str]:
        """Human-readable alerts for every limit the current window breaks."""
        s = self.summary()
        p95, accuracy = s["latency_p95"], s["accuracy"]
        found = []
        if max_latency_p95 is not None and p95 is not None and p95 > max_latency_p95:
            found.append(f"p95 latency {p95 * 1e3:.2f} ms > {max_latency_p95 * 1e3:.2f} ms")
        if min_accuracy is not None and accuracy is not None and accuracy < min_accuracy:
            found.append(f"accuracy {accuracy:.1%} < {min_accuracy:.1%}")
        return found


def ks_statistic(reference: np.ndarray, sample: np.ndarray) -> float:
    """max over x of |F_ref(x) - F_sample(x)|, F being the fraction of values <= x."""
    ### BEGIN SOLUTION hint: sort both; np.searchsorted(sorted, points, side="right") / n gives each CDF
    ref, smp = np.sort(np.ravel(reference)), np.sort(np.ravel(sample))
    points = np.concatenate([ref, smp])
    cdf_ref = np.searchsorted(ref, points, side="right") / len(ref)
    cdf_smp = np.searchsorted(smp, points, side="right") / len(smp)
    return float(np.max(np.abs(cdf_ref - cdf_smp)))
    ### END SOLUTION


@dataclass(frozen=True)
class DriftReport:
    """The outcome of one drift check."""

    drifted: bool
    score: float
    per_feature: np.ndarray
    threshold: float


class DriftDetector:
    """Compares batches of inputs with the reference (training) inputs, feature by feature."""

    def __init__(self, reference: np.ndarray, threshold: float | None = None, alpha: float = 0.01) -> None:
        reference = np.asarray(reference, dtype=np.float64)
        self.reference = reference.reshape(len(reference), -1)
        self.threshold = threshold
        self.alpha = alpha

    def critical_value(self, batch_size: int) -> float:
        """KS gap that chance alone exceeds with probability alpha across all features."""
        n, features = self.reference.shape
        c_alpha = math.sqrt(-0.5 * math.log(self.alpha / features / 2))
        return c_alpha * math.sqrt((n + batch_size) / (n * batch_size))

    def check(self, batch: np.ndarray) -> DriftReport:
        """KS statistic per feature; drifted when the largest exceeds the threshold."""
        batch = np.asarray(batch, dtype=np.float64)
        batch = batch.reshape(len(batch), -1)
        if batch.shape[1] != self.reference.shape[1]:
            raise ValueError(f"batch has {batch.shape[1]} features, reference has {self.reference.shape[1]}")
        threshold = self.threshold if self.threshold is not None else self.critical_value(len(batch))
        ### BEGIN SOLUTION hint: ks_statistic of each column against the reference column; score = the max
        columns = range(batch.shape[1])
        per_feature = np.array([ks_statistic(self.reference[:, f], batch[:, f]) for f in columns])
        score = float(per_feature.max())
        return DriftReport(score > threshold, score, per_feature, float(threshold))
        ### END SOLUTION


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ModelRegistry:
    """Versioned model weights and metrics on disk: root/<name>/v<version>/{weights.npz, meta.json}."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _dir(self, name: str, version: int | None = None) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"model name {name!r} must be letters, digits, '_', '-' or '.'")
        return self.root / name if version is None else self.root / name / f"v{version}"

    def versions(self, name: str) -> list[int]:
        """The registered versions of `name`, oldest first ([] if none)."""
        folder = self._dir(name)
        if not folder.is_dir():
            return []
        return sorted(int(p.name[1:]) for p in folder.iterdir() if re.fullmatch(r"v\d+", p.name))

    def _version(self, name: str, version: int | None) -> int:
        known = self.versions(name)
        if not known:
            raise KeyError(f"no model called {name!r} in {self.root}")
        if version is None:
            return known[-1]
        if version not in known:
            raise KeyError(f"{name!r} has no version {version} (has {known})")
        return version

    def register(self, name: str, model: Any, metrics: dict[str, float]) -> int:
        """Store the model's state_dict and metrics as the next version; returns that version."""
        ### BEGIN SOLUTION hint: next version: np.savez(weights.npz, **model.state_dict()), meta.json
        version = (self.versions(name) or [0])[-1] + 1
        folder = self._dir(name, version)
        folder.mkdir(parents=True)
        np.savez(folder / "weights.npz", **model.state_dict())
        meta = {"name": name, "version": version, "model": type(model).__name__,
                "metrics": {k: float(v) for k, v in metrics.items()}, "registered_at": time.time()}
        (folder / "meta.json").write_text(json.dumps(meta, indent=2))
        return version
        ### END SOLUTION

    def load(self, name: str, version: int | None = None, into: Any = None) -> Any:
        """The weights of a version (default: latest), loaded into `into` (returned), else as a dict."""
        folder = self._dir(name, self._version(name, version))
        ### BEGIN SOLUTION hint: np.load weights.npz into a dict; into.load_state_dict(it) when into is given
        with np.load(folder / "weights.npz") as archive:
            state = {key: archive[key] for key in archive.files}
        if into is None:
            return state
        into.load_state_dict(state)
        return into
        ### END SOLUTION

    def metrics(self, name: str, version: int | None = None) -> dict[str, float]:
        """The metrics stored with a version (default: latest)."""
        folder = self._dir(name, self._version(name, version))
        return json.loads((folder / "meta.json").read_text())["metrics"]

    def best(self, name: str, metric: str, higher_is_better: bool = True) -> int:
        """The version with the best value of `metric`."""
        scored = [(self.metrics(name, v)[metric], v) for v in self.versions(name)]
        if not scored:
            raise KeyError(f"no model called {name!r} in {self.root}")
        return (max(scored) if higher_is_better else min(scored))[1]
