"""Sandbox latency: one module's checks in the pre-warmed sandbox vs a fresh Python interpreter.

Run by hand (not in CI):  python bench/check_latency.py [--module tensor] [--runs 30]

Both sides do the same work on a solved temp workspace (a copy of the reference framework): import the
student's file and run every `check_*` of tracker/checks/<module>.py. The baseline is a fresh
`python -c` that imports numpy, the file and the checks, timed in the same run as a whole process.
Also prints the time to re-check every module one after another (what a tensor.py save triggers).
Target (issue 5): the sandbox at least 3x faster than the baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker import catalog  # noqa: E402
from tracker.sandbox import Sandbox  # noqa: E402

BASELINE = """
import sys
sys.path.insert(0, {workspace!r})
import importlib
importlib.import_module({module!r})
checks = importlib.import_module({checks!r})
for name, fn in list(vars(checks).items()):
    if name.startswith("check_") and callable(fn):
        fn()
"""


def summary(samples: list[float]) -> tuple[float, float]:
    """(median, p90) in ms."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def time_sandbox(workspace: Path, module: str, runs: int) -> tuple[float, list[float], list[float]]:
    started = time.perf_counter()
    box = Sandbox(workspace)
    box.start()
    startup = (time.perf_counter() - started) * 1000
    try:
        for _ in range(3):
            box.run_module(module)
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            run = box.run_module(module)
            samples.append((time.perf_counter() - t) * 1000)
            assert run.import_error is None and run.failed == 0, run
        every = []
        for _ in range(max(3, runs // 5)):
            t = time.perf_counter()
            for m in catalog.modules():
                box.run_module(m.id)
            every.append((time.perf_counter() - t) * 1000)
    finally:
        box.close()
    return startup, samples, every


def time_fresh_interpreter(workspace: Path, module: str, runs: int) -> list[float]:
    info = catalog.module(module)
    code = BASELINE.format(
        workspace=str(workspace), module=info.file[:-3].replace("/", "."), checks=f"tracker.checks.{module}"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="tensor", help="module id (default: tensor)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per side (default: 30)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        shutil.copytree(ROOT / "tinytorch", workspace / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
        baseline = time_fresh_interpreter(workspace, args.module, args.runs)
        startup, sandbox, every = time_sandbox(workspace, args.module, args.runs)

    base_med, base_p90 = summary(baseline)
    box_med, box_p90 = summary(sandbox)
    all_med, all_p90 = summary(every)
    print(f"module {args.module!r}, {args.runs} runs each, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"  fresh interpreter (baseline)   median {base_med:7.1f} ms   p90 {base_p90:7.1f} ms")
    print(f"  sandbox run_module             median {box_med:7.1f} ms   p90 {box_p90:7.1f} ms")
    print(f"  speed-up (baseline / sandbox)  median {base_med / box_med:7.1f} x    p90 {base_p90 / box_p90:7.1f} x"
          f"   (target >= 3x)")
    every_label = f"all {len(catalog.modules())} modules in a row"
    print(f"  {every_label:30s} median {all_med:7.1f} ms   p90 {all_p90:7.1f} ms   (target < 1000 ms)")
    print(f"  sandbox start (worker warm-up) {startup:7.1f} ms, once per daemon")


if __name__ == "__main__":
    main()
