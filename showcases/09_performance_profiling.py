"""Showcase 09 · Performance Profiling: your Profiler measuring your own framework.

The student's `Profiler` and `scaling_analysis` time the student's own operations: `Tensor @` at
growing sizes (fitted against the O(n^3) theory), every layer of an `MLP` on a batch of real digits,
and the same network at different batch sizes. If Module 13 (Kernels) is complete its loop-based
matmul is measured too. The recommendations at the end are computed from these measurements.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Chart, bar, sparkline
from _look import Showcase
from _prerequisites import module_problem
from rich.table import Table
from rich.text import Text


def ms(seconds: float) -> str:
    """A duration in the unit that reads best."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} µs"
    return f"{seconds * 1e3:,.2f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def random_pair(n: int, rng: np.random.Generator) -> tuple[Any, Any]:
    """Two n×n float32 tensors of the student's Tensor class."""
    from tinytorch.tensor import Tensor

    return (Tensor(rng.standard_normal((n, n)).astype(np.float32)),
            Tensor(rng.standard_normal((n, n)).astype(np.float32)))


def one_measurement(show: Showcase, rng: np.random.Generator) -> None:
    from tinytorch.benchmarking import Profiler

    show.section("1 · One honest measurement")
    n = 256
    profiler = Profiler(warmup=2, repeats=show.pick(40, 8))
    a, b = random_pair(n, rng)
    timing = profiler.time(lambda x, y: x @ y, a, b)
    show.print(f"Your Profiler timed Tensor @ on {n}×{n} matrices: {profiler.warmup} warm-up calls")
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    show.print(f"thrown away, then {profiler.repeats} timed calls (BLAS threads: {threads}).")
    table = Table(box=None, padding=(0, 2))
    for name in ("median", "mean", "std", "min", "max"):
        table.add_column(name, justify="right")
    table.add_row(*[ms(getattr(timing, k)) for k in ("median", "mean", "std", "min", "max")])
    show.print(table)
    show.print(Text.assemble("every sample: ", (sparkline(timing.samples, 60), "yellow")))
    spread = (timing.max - timing.min) / timing.median
    show.print(f"Slowest and fastest differ by {spread:.0%} of the median: one reading would")
    show.print("mislead, the median of many is robust.")
    show.pause(4)


def scaling(show: Showcase, rng: np.random.Generator) -> Any:
    from tinytorch.benchmarking import Profiler, scaling_analysis

    show.section("2 · Scaling: measured vs O(n³) theory")
    sizes = show.pick([64, 128, 256, 384, 512, 768, 1024, 1536], [32, 64, 128, 256])
    result = scaling_analysis(lambda n: random_pair(n, rng), lambda x, y: x @ y, sizes,
                              Profiler(warmup=1, repeats=show.pick(7, 3)))
    top, first = result.seconds[-1], result.seconds[0]
    show.print(Text("     n    measured  (log scale)              n³ theory   GFLOP/s", style="bold"))
    for n, s in zip(result.sizes, result.seconds, strict=True):
        theory = top * (n / result.sizes[-1]) ** 3  # n³, anchored at the largest size
        show.print(Text.assemble(
            f"{n:6d} {ms(s):>11}  ", bar(np.log10(s / first) + 0.3, np.log10(top / first) + 0.3, 24, "cyan"),
            f" {ms(theory):>11} {2 * n**3 / s / 1e9:9.1f}"))
        show.pause(0.6)
    logn = np.log2(result.sizes)
    theory = np.log10(top) + 3 * np.log10(np.asarray(result.sizes) / result.sizes[-1])
    show.print(Chart({"n³ theory": (logn, theory), "measured": (logn, np.log10(result.seconds))},
                     width=56, height=9, x_label="log2 n", y_label="log10 seconds"))
    show.print(Text.assemble("Fitted exponent: seconds ∝ n^", (f"{result.exponent:.2f}", "bold green"),
                             "  (theory: 3)"))
    show.pause(4)
    return result


def kernels(show: Showcase, rng: np.random.Generator) -> tuple[Any, float] | None:
    """Module 13's Python-loop matmul, when the student has completed it: the pure n³."""
    from tracker import catalog

    if module_problem(catalog.module("kernels")) is not None:
        show.print(Text("(Complete Module 13 Kernels to see your loop-based matmul here too.)", style="dim"))
        return None
    from tinytorch.benchmarking import Profiler, scaling_analysis
    from tinytorch.kernels import matmul_naive

    show.section("2b · Bonus: your Module 13 loop matmul")
    sizes = show.pick([8, 16, 24, 32, 48], [8, 12, 16])
    result = scaling_analysis(lambda n: (rng.standard_normal((n, n)), rng.standard_normal((n, n))),
                              matmul_naive, sizes, Profiler(warmup=1, repeats=3))
    for n, s in zip(result.sizes, result.seconds, strict=True):
        show.print(Text.assemble(f"n={n:3d} ", bar(s, result.seconds[-1], 40, "magenta"), f" {ms(s)}"))
    show.print(Text.assemble("matmul_naive exponent: ", (f"{result.exponent:.2f}", "bold green"),
                             ": each of the n³ multiply-adds is a Python step."))
    n = result.sizes[-1]
    fast = Profiler(warmup=2, repeats=10).time(lambda x, y: x @ y, *random_pair(n, rng)).median
    show.print(f"Your Tensor @ at n={n}: {ms(fast)}, {result.seconds[-1] / fast:,.0f}× faster (BLAS).")
    show.pause(3.5)
    return result, fast


def layers(show: Showcase) -> tuple[Any, list[tuple[str, Any]]]:
    from showcases.datasets import load_digits
    from tinytorch.benchmarking import Profiler
    from tinytorch.networks import MLP
    from tinytorch.tensor import Tensor

    show.section("3 · Where does the time go? Layer by layer")
    images, _ = load_digits()
    batch = Tensor(images[:256].reshape(256, -1))
    model = MLP([64, 512, 512, 10], seed=0)
    profile = Profiler(warmup=2, repeats=show.pick(30, 5)).profile_model(model, batch)
    total = sum(t.median for _, t in profile)
    show.print(f"MLP 64 → 512 → 512 → 10 on a batch of {batch.shape[0]} real digits (median per layer):")
    for name, timing in profile:
        show.print(Text.assemble(f"{name:<10}", bar(timing.median, total, 34, "yellow"),
                                 f" {ms(timing.median):>10} {timing.median / total:6.1%}"))
    show.pause(3.5)
    return model, profile


def batching(show: Showcase, model: Any) -> list[tuple[int, float, float]]:
    from showcases.datasets import load_digits
    from tinytorch.benchmarking import Profiler
    from tinytorch.tensor import Tensor, no_grad

    show.section("4 · Batching: same network, different batch sizes")
    images, _ = load_digits()
    flat = images.reshape(len(images), -1)
    profiler = Profiler(warmup=2, repeats=show.pick(20, 4))
    rows = []
    with no_grad():
        for size in (1, 8, 64, 512):
            timing = profiler.time(model, Tensor(flat[:size]))
            rows.append((size, timing.median, size / timing.median))
    best = max(r[2] for r in rows)
    for size, seconds, rate in rows:
        show.print(Text.assemble(f"batch {size:4d} ", bar(rate, best, 30, "green"),
                                 f" {rate:>10,.0f} digits/s  ({ms(seconds)} a call)"))
    show.pause(3.5)
    return rows


def recommendations(show: Showcase, scale: Any, naive: tuple[Any, float] | None,
                    profile: list[tuple[str, Any]], rows: list[tuple[int, float, float]]) -> list[str]:
    show.section("5 · Recommendations, from your measurements")
    total = sum(t.median for _, t in profile)
    name, slow = max(profile, key=lambda item: item[1].median)
    glue = sum(t.median for n, t in profile if "Linear" not in n) / total
    gain = rows[-1][2] / rows[0][2]
    advice = [
        f"Optimise {name} first: it takes {slow.median / total:.0%} of the forward pass.",
        f"Batch requests: batch {rows[-1][0]} serves {gain:,.0f}× more digits/s than batch 1.",
        f"Activations take {glue:.0%} of the time for almost no maths: fuse them into matmuls.",
    ]
    n_big = 4 * scale.sizes[-1]
    advice.append(f"Your fit predicts {ms(scale.predict(n_big))} for a {n_big}×{n_big} matmul "
                  f"(n^{scale.exponent:.2f}).")
    if scale.exponent < 2.6:
        advice.append("Exponent below 3: per-call overhead dominates small products; batch them.")
    if naive is not None:
        loops, fast = naive
        ratio = loops.seconds[-1] / fast
        advice.append(f"Loops cost {ratio:,.0f}× at n={loops.sizes[-1]}: never loop in Python over elements.")
    for line in advice:
        show.print(Text.assemble(("➜ ", "bold cyan"), line))
        show.pause(1.5)
    return advice


def main(show: Showcase) -> None:
    rng = np.random.default_rng(0)
    one_measurement(show, rng)
    scale = scaling(show, rng)
    naive = kernels(show, rng)
    model, profile = layers(show)
    rows = batching(show, model)
    recommendations(show, scale, naive, profile, rows)
    show.built("Your profiler reveals system behavior!", [
        f"Matrix multiply measured at n^{scale.exponent:.2f} against the n³ theory",
        f"Per-layer profile of an MLP: {len(profile)} layers timed with warm-up and repeats",
        f"Batching measured: {rows[-1][2] / rows[0][2]:,.0f}× throughput from batch 1 to {rows[-1][0]}",
        "Warm up, repeat, take the median, fit: how real ML systems get tuned",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
