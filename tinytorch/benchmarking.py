"""Module 14 - Benchmarking: measuring speed honestly.

One stopwatch reading says little: the first calls pay for caches and lazy set-up (so we run a few
warm-up calls first and throw them away), and later calls still jitter with whatever else the machine
does (so we repeat and report the spread, with the median as the robust "typical" time). Timing each
layer of a model shows where the time goes; timing one operation at growing sizes and fitting a line
on log-log axes shows how it scales: the slope is the exponent, about 3 for an n x n matrix product.

Public names
- `Timing`: `.samples` (tuple of seconds), `.mean`, `.std`, `.median`, `.min`, `.max`;
  `Timing.from_samples(seconds)`.
- `Profiler(warmup=2, repeats=10)`: `.time(fn, *args) -> Timing` (calls fn(*args) warmup times untimed,
  then `repeats` timed calls); `.profile_model(model, x) -> list[(layer_name, Timing)]` (each layer of
  a model with `.layers`, fed the previous layer's output; the whole model otherwise).
- `ScalingResult`: `.sizes`, `.seconds` (median per size), `.exponent` (slope of log(seconds) against
  log(size)), `.predict(size) -> seconds`.
- `scaling_analysis(make_input, fn, sizes, profiler=None) -> ScalingResult`: times
  fn(*make_input(size)) (or fn(make_input(size)) when it is not a tuple) for every size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Timing:
    """Repeated measurements of one thing, in seconds, with their summary statistics."""

    samples: tuple[float, ...]
    mean: float
    std: float
    median: float
    min: float
    max: float

    @classmethod
    def from_samples(cls, seconds: Sequence[float]) -> Timing:
        """Summarise raw stopwatch readings (population standard deviation)."""
        if len(seconds) == 0:
            raise ValueError("a Timing needs at least one sample")
        ### BEGIN SOLUTION hint: np.mean / np.std / np.median / min / max of the samples
        s = np.asarray(seconds, dtype=np.float64)
        return cls(tuple(float(v) for v in s), float(s.mean()), float(s.std()), float(np.median(s)),
                   float(s.min()), float(s.max()))
        ### END SOLUTION


class Profiler:
    """Times callables with warm-up runs and repeated measurements."""

    def __init__(self, warmup: int = 2, repeats: int = 10) -> None:
        if warmup < 0 or repeats < 1:
            raise ValueError("warmup must be >= 0 and repeats >= 1")
        self.warmup = warmup
        self.repeats = repeats

    def time(self, fn: Callable[..., Any], *args: Any) -> Timing:
        """fn(*args) `warmup` times untimed, then `repeats` times each with time.perf_counter()."""
        ### BEGIN SOLUTION hint: warm-up calls, then time.perf_counter() around each call; Timing.from_samples
        for _ in range(self.warmup):
            fn(*args)
        samples = []
        for _ in range(self.repeats):
            start = time.perf_counter()
            fn(*args)
            samples.append(time.perf_counter() - start)
        return Timing.from_samples(samples)
        ### END SOLUTION

    def profile_model(self, model: Any, x: Any) -> list[tuple[str, Timing]]:
        """Time each layer of `model.layers` on the output of the one before ("0:Linear", ...)."""
        from tinytorch.tensor import no_grad  # timing inference: no graph to record

        layers = list(getattr(model, "layers", None) or [model])
        ### BEGIN SOLUTION hint: under no_grad(): per layer, time it on x, name it "i:ClassName", x = layer(x)
        results = []
        with no_grad():
            for i, layer in enumerate(layers):
                results.append((f"{i}:{type(layer).__name__}", self.time(layer, x)))
                x = layer(x)
        return results
        ### END SOLUTION


@dataclass(frozen=True)
class ScalingResult:
    """Median seconds per input size and the power law seconds ~ c * size**exponent fitted to them."""

    sizes: tuple[int, ...]
    seconds: tuple[float, ...]
    exponent: float
    coefficient: float

    def predict(self, size: float) -> float:
        """Seconds the fitted power law expects at `size`."""
        return self.coefficient * size**self.exponent


def fit_power_law(sizes: Sequence[float], seconds: Sequence[float]) -> tuple[float, float]:
    """(exponent, coefficient) of the least-squares line log(seconds) = exponent * log(size) + log(c)."""
    if len(sizes) < 2:
        raise ValueError("a scaling fit needs at least two sizes")
    ### BEGIN SOLUTION hint: np.polyfit(np.log(sizes), np.log(seconds), 1) gives (slope, intercept)
    slope, intercept = np.polyfit(np.log(np.asarray(sizes, float)), np.log(np.asarray(seconds, float)), 1)
    return float(slope), float(np.exp(intercept))
    ### END SOLUTION


def scaling_analysis(
    make_input: Callable[[int], Any],
    fn: Callable[..., Any],
    sizes: Sequence[int],
    profiler: Profiler | None = None,
) -> ScalingResult:
    """Time fn on make_input(size) for each size and fit how the time grows with size."""
    profiler = profiler or Profiler(warmup=1, repeats=5)
    seconds = []
    for size in sizes:
        args = make_input(size)
        timing = profiler.time(fn, *args) if isinstance(args, tuple) else profiler.time(fn, args)
        seconds.append(timing.median)
    exponent, coefficient = fit_power_law(sizes, seconds)
    return ScalingResult(tuple(int(s) for s in sizes), tuple(seconds), exponent, coefficient)
