"""Whole-process times of the read-only commands: `--help` and `history` over 100,000 recorded events.

Run by hand (not in CI):  python bench/cli_latency.py [--events 100000] [--runs 15]

Targets (issue 5): `tinytorch-tracker --help` < 150 ms, `history` over 100,000 events < 300 ms. The
baseline, timed in the same run, is a bare interpreter (`python -c pass`), the floor for any command.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_latency import ROOT, summary  # noqa: E402
from watch_latency import tracker_command  # noqa: E402

from tracker import catalog  # noqa: E402
from tracker.store import RunRecord, Store  # noqa: E402


def _event_count(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM events").fetchone()[0])


def fill(db: Path, events: int) -> int:
    """A long course history: runs with check.finished events and every unlock, then check.started events."""
    store = Store.open(db)
    try:
        modules = catalog.modules()
        runs = min(events // 5, 5_000)
        for i in range(runs):
            m = modules[i % len(modules)]
            state = "complete" if i > runs // 2 else "in progress"
            store.record_run(RunRecord(m, state, 3, 0 if state == "complete" else 2, "", 12.5))
        batch = [("check.started", {"module": m.id, "number": m.number}) for m in modules] * 100
        while (missing := events - _event_count(store)) > 0:
            store.add_events(batch[:missing])
        return _event_count(store)
    finally:
        store.close()


def time_command(argv: list[str], runs: int, cwd: Path) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the database (default: 100000)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default: 15)")
    args = parser.parse_args()
    tool = tracker_command()

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        shutil.copytree(ROOT / "tinytorch", workspace / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
        started = time.perf_counter()
        count = fill(workspace / ".tinytorch" / "progress.db", args.events)
        filled_s = time.perf_counter() - started
        results = {
            "python -c pass (baseline)": time_command([sys.executable, "-c", "pass"], args.runs, workspace),
            "tinytorch-tracker --help": time_command([*tool, "--help"], args.runs, workspace),
            "tinytorch-tracker history": time_command([*tool, "history"], args.runs, workspace),
            "tinytorch-tracker history --json": time_command([*tool, "history", "--json"], args.runs, workspace),
            "tinytorch-tracker status": time_command([*tool, "status"], args.runs, workspace),
        }

    base, _ = summary(results["python -c pass (baseline)"])
    print(f"{count} events in the database (filled in {filled_s:.1f} s), {args.runs} runs each, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    targets = {"tinytorch-tracker --help": "< 150 ms", "tinytorch-tracker history": "< 300 ms",
               "tinytorch-tracker history --json": "< 300 ms"}
    for name, samples in results.items():
        med, p90 = summary(samples)
        target = f"   (target {targets[name]})" if name in targets else ""
        ratio = f"{med / base:4.1f}x the bare interpreter"
        print(f"  {name:34s} median {med:6.1f} ms   p90 {p90:6.1f} ms   {ratio}{target}")


if __name__ == "__main__":
    main()
