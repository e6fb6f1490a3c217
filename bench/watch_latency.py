"""The real daemon, timed from outside: `tinytorch-tracker watch --json` on a solved temp workspace.

Run by hand (not in CI):  python bench/watch_latency.py [--saves 30] [--module setup]

Figures (targets from issue 5):
- save -> check.finished for one module (atomic save of its file): median <= 30 ms, p90 <= 50 ms, and
  >= 3x faster than the baseline, a fresh interpreter importing the same file and running the same checks;
- a tensor.py save re-checking tensor and every module that depends on it: < 1 s until the last check.finished;
- idle: < 1% of one core and < 100 MB resident for the daemon (the worker process is reported apart).
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_latency import ROOT, summary, time_fresh_interpreter  # noqa: E402

from tracker import catalog  # noqa: E402


def tracker_command() -> list[str]:
    found = shutil.which("tinytorch-tracker")
    return [found] if found else [sys.executable, "-m", "tracker.cli"]


class Watch:
    """A running `watch --json`; events arrive on a queue as (receive time, event)."""

    def __init__(self, workspace: Path) -> None:
        self.proc = subprocess.Popen(
            [*tracker_command(), "watch", "--json", "--no-showcase", "--workspace", str(workspace)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, cwd=ROOT,
        )  # fmt: skip
        self.events: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        import json

        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.events.put((time.perf_counter(), json.loads(line)))
            except ValueError:
                continue

    def finished(self, modules: set[str], timeout: float = 30.0) -> float:
        """Wait for check.finished of every module in `modules`; the receive time of the last one."""
        waiting, last = set(modules), 0.0
        deadline = time.monotonic() + timeout
        while waiting:
            at, event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if event["type"] == "check.finished" and event["data"]["module"] in waiting:
                assert event["data"]["state"] == "complete", event
                waiting.discard(event["data"]["module"])
                last = at
        return last

    def drain(self) -> None:
        while not self.events.empty():
            self.events.get_nowait()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def save(path: Path, text: str) -> float:
    """An editor's atomic save (temp file + rename); returns the time just before it."""
    started = time.perf_counter()
    tmp = path.with_name(f".{path.name}.swp-bench")
    tmp.write_text(text)
    os.replace(tmp, path)
    return started


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(daemon_pid: int) -> list[int]:
    """The daemon's sandbox worker(s): child processes running tracker.zygote."""
    pids = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if ppid == daemon_pid and b"tracker.zygote" in cmdline:
            pids.append(int(entry))
    return pids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=30, help="timed saves of one module (default: 30)")
    parser.add_argument("--module", default="setup", help="module saved for the latency figure (default: setup)")
    parser.add_argument("--fanouts", type=int, default=5, help="timed tensor.py saves (default: 5)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measured (default: 10)")
    args = parser.parse_args()
    module = catalog.module(args.module)
    everything = {m.id for m in catalog.modules()}

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        shutil.copytree(ROOT / "tinytorch", workspace / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
        baseline = time_fresh_interpreter(workspace, module.id, args.saves)

        watch = Watch(workspace)
        try:
            watch.finished(everything, timeout=60)
            time.sleep(0.5)
            path, original = workspace / module.file, (workspace / module.file).read_text()
            latencies = []
            for i in range(args.saves):
                watch.drain()
                started = save(path, f"{original}\n# save {i}\n")
                latencies.append((watch.finished({module.id}) - started) * 1000)
                time.sleep(0.25)

            tensor = workspace / "tinytorch" / "tensor.py"
            tensor_text, fanouts = tensor.read_text(), []
            dependents = {"tensor", *(m.id for m in catalog.dependents("tensor"))}
            for i in range(args.fanouts):
                watch.drain()
                started = save(tensor, f"{tensor_text}\n# fan-out {i}\n")
                fanouts.append((watch.finished(dependents) - started) * 1000)
                time.sleep(0.5)

            time.sleep(1.0)
            pid = watch.proc.pid
            workers = worker_pids(pid)
            cpu0, wcpu0 = cpu_seconds(pid), sum(cpu_seconds(w) for w in workers)
            time.sleep(args.idle)
            idle_cpu = (cpu_seconds(pid) - cpu0) / args.idle * 100
            worker_cpu = (sum(cpu_seconds(w) for w in workers) - wcpu0) / args.idle * 100
            daemon_rss, worker_rss = rss_mb(pid), sum(rss_mb(w) for w in workers)
        finally:
            watch.stop()

    base_med, base_p90 = summary(baseline)
    med, p90 = summary(latencies)
    fan_med, fan_p90 = summary(fanouts)
    print(f"watch --json on a solved workspace, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"  save -> check.finished ({module.id}, {args.saves} saves)  median {med:6.1f} ms   p90 {p90:6.1f} ms"
          "   (target <= 30 / <= 50 ms)")
    print(f"  fresh interpreter, same file + checks       median {base_med:6.1f} ms   p90 {base_p90:6.1f} ms")
    print(f"  speed-up (baseline / save latency)          median {base_med / med:6.1f} x    p90 {base_p90 / p90:6.1f} x"
          "    (target >= 3x)")
    print(f"  tensor.py save -> tensor + {len(dependents) - 1} dependents re-checked ({args.fanouts} saves)"
          f"  median {fan_med:6.1f} ms   max {max(fanouts):6.1f} ms   (target < 1000 ms)")
    print(f"  idle over {args.idle:g} s: daemon {idle_cpu:.2f}% of a core, {daemon_rss:.0f} MB resident"
          f"   (target < 1%, < 100 MB); sandbox worker {worker_cpu:.2f}%, {worker_rss:.0f} MB")


if __name__ == "__main__":
    main()
