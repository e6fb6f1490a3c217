"""`tinytorch-tracker demo`: the whole product in a minute or two, with a script playing the student.

A fresh workspace is made by `init` in a temporary folder; the real daemon (store, bus, sandbox,
watcher) runs on it in this process with the terminal subscriber; a solver saves each module's
reference solution atomically (temp file + rename, like an editor), in dependency order, and waits
for the real watcher to notice, check and unlock it. Along the way it saves a half-finished tensor
and a typo in layers, so the other module states show up too. Showcases run with --fast.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from tracker import catalog
from tracker.errors import TrackerError

_WAIT_S = 60.0
_AFTER_SHOWCASE = 3  # paces to linger on a showcase's closing "What you built" before the next save


@dataclass(frozen=True)
class Step:
    """One save the solver makes: which module, what it writes, what it says, whether it must unlock."""

    module: catalog.Module
    source: str
    caption: str
    final: bool


class _Progress:
    """The solver's own subscriber: what the daemon has reported, and when (bus thread writes)."""

    name = "demo"
    queue_size = 100_000
    overflow = "drop_newest"

    def __init__(self) -> None:
        self.finished: list[tuple[int, str, str]] = []  # (event id, module, state)
        self.unlocked: dict[str, tuple[int, float]] = {}  # module -> (event id, monotonic time)
        self.last_event_at = time.monotonic()

    async def handle(self, event: dict[str, Any]) -> None:
        self.last_event_at = time.monotonic()
        data = event.get("data") or {}
        if event["type"] == "check.finished":
            self.finished.append((event["id"], data.get("module"), data.get("state")))
        elif event["type"] == "achievement.unlocked":
            self.unlocked[data.get("module")] = (event["id"], time.monotonic())

    async def close(self) -> None:
        return None

    def result_after(self, module_id: str, event_id: int) -> str | None:
        """The state of the first check of `module_id` reported after event `event_id`, if any yet."""
        return next((s for i, m, s in self.finished if m == module_id and i > event_id), None)

    def last_id(self) -> int:
        return self.finished[-1][0] if self.finished else 0


def half_solved(source: str) -> str | None:
    """The file with only its first half of solutions written (None when it has fewer than two)."""
    from tracker.workspace_init import END_SOLUTION, strip_solutions

    lines = source.splitlines(keepends=True)
    ends = [i for i, line in enumerate(lines) if END_SOLUTION.match(line)]
    if len(ends) < 2:
        return None
    cut = ends[len(ends) // 2 - 1] + 1
    return "".join(lines[:cut]) + strip_solutions("".join(lines[cut:]))


def plan(reference: Path) -> list[Step]:
    """Every module in dependency order, plus a half-done tensor and a layers typo on the way."""
    steps: list[Step] = []
    for m in catalog.modules():
        name = Path(m.file).name
        source = (reference / name).read_text(encoding="utf-8")
        half = half_solved(source) if m.id == "tensor" else None
        if half is not None:
            steps.append(Step(m, half, f"saves {m.file} half done (some solutions written)", False))
        if m.id == "layers":
            typo = source.replace("def forward(", "def forward(:", 1)
            if typo != source:
                steps.append(Step(m, typo, f"saves {m.file} with a typo in it", False))
        steps.append(Step(m, source, f"saves the finished {m.file}", True))
    return steps


def save_atomically(path: Path, text: str) -> None:
    """What an editor does: write a temp file beside the target, then rename it over the target."""
    tmp = path.with_name(f".{path.name}.demo-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


async def _until(test: Callable[[], Any], what: str, timeout: float = _WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := test()):
        if time.monotonic() > deadline:
            raise TrackerError(f"demo: gave up waiting for {what} after {timeout:g} s")
        await anyio.sleep(0.02)
    return result


async def _quiet(progress: _Progress, quiet_s: float = 0.3) -> None:
    """Wait until the daemon has said nothing for `quiet_s` (its current pass is over)."""
    await _until(lambda: time.monotonic() - progress.last_event_at >= quiet_s, "the tracker to settle")


async def solve(ws: Path, steps: list[Step], progress: _Progress, term: Any, pace: float) -> None:
    """Play the student: save each step and wait until the watcher has checked (and unlocked) it."""
    total = len(catalog.modules())
    await _until(lambda: len({m for _, m, _ in progress.finished}) >= total, "the first full check")
    for step in steps:
        await _quiet(progress)
        await _save_and_wait(ws, step, progress, term)
        played = step.final and step.module.showcase and term.play_showcases
        await anyio.sleep(pace * (_AFTER_SHOWCASE if played else 1))


async def _save_and_wait(ws: Path, step: Step, progress: _Progress, term: Any) -> None:
    mid = step.module.id
    before = progress.last_id()
    term.note(Text(f"demo ✎ {step.module.label}: {step.caption}", style="bold cyan"))
    saved_at = time.monotonic()
    save_atomically(ws / step.module.file, step.source)
    if not step.final:
        await _until(lambda: progress.result_after(mid, before), f"the check of {mid}")
        return

    def settled() -> bool:
        state = progress.result_after(mid, before)
        return mid in progress.unlocked or (state is not None and state != "complete")

    await _until(settled, f"{mid} to unlock")
    if mid not in progress.unlocked:
        raise TrackerError(f"demo: {mid} did not unlock on the reference solution "
                           f"(state: {progress.result_after(mid, before)})")
    event_id, at = progress.unlocked[mid]
    term.note(Text(f"demo ⏱ {step.module.label} went from save to unlock in {at - saved_at:.2f} s", style="cyan"))
    await _until(lambda: term.last_event_id >= event_id, "the unlock panel")
    await term.wait_idle()


async def _tour(ws: Path, term: Any, pace: float) -> str:
    """The daemon and the solver side by side; returns why the daemon stopped."""
    from tracker.bus import Bus
    from tracker.daemon import Daemon
    from tracker.sandbox import Sandbox
    from tracker.store import Store, db_path_for
    from tracker.workspace_init import reference_dir

    steps = plan(reference_dir())
    progress = _Progress()
    store = Store.open(db_path_for(ws))
    bus = Bus()
    try:
        bus.subscribe(progress)
        bus.subscribe(term)
        with Sandbox(ws) as sandbox:
            daemon = Daemon(ws, store, sandbox, bus)
            failure: TrackerError | None = None
            async with anyio.create_task_group() as tg:
                async def run_daemon() -> None:
                    await daemon.run()
                    tg.cancel_scope.cancel()  # Ctrl-C / SIGTERM: the daemon has stopped, stop solving
                tg.start_soon(run_daemon)
                try:
                    await solve(ws, steps, progress, term, pace)
                    daemon.stop_reason = "demo finished"
                except TrackerError as err:
                    failure = err
                    daemon.stop_reason = "demo failed"
                finally:
                    tg.cancel_scope.cancel()
            if failure is not None:
                raise failure
            return daemon.stop_reason
    finally:
        bus.close(timeout=2.0)
        store.close()


def _tracker(console: Console, cwd: Path | None, *command: str, first_line_only: bool = False) -> int:
    """Run a real `tinytorch-tracker` command, on this terminal (or showing only its first line)."""
    console.print(Text(f"$ tinytorch-tracker {' '.join(command)}", style="bold"))
    console.file.flush()
    argv = [sys.executable, "-m", "tracker.cli", *command]
    if not first_line_only:
        return subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, check=False).returncode
    done = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    first = (done.stdout.strip().splitlines() or [""])[0]
    console.print(Text(first) if first else Text(done.stderr.strip(), style="red"))
    return done.returncode


def _showcase_note(play: bool, fast: bool) -> str:
    if not play:
        return " (not played here: --no-showcase)"
    return ", played at once (shortened with --fast)" if fast else ", played at once"


def run_demo(keep: Path | None = None, fast: bool = True, play_showcases: bool = True, pace: float = 1.0,
             console: Console | None = None) -> int:
    """The tour; 0 when every module unlocked, 130 when interrupted, 1 otherwise."""
    from subscribers.terminal import TerminalSubscriber

    console = console or Console()
    ws = Path(keep).expanduser().resolve() if keep else Path(tempfile.mkdtemp(prefix="tinytorch-demo-"))
    started = time.monotonic()
    try:
        console.print(Panel(Text.assemble(
            ("A script plays the student: ", "bold"),
            "it saves each module's solution into a fresh workspace, one module at a time. The real "
            "tracker notices every save, checks the code in a sandbox, records it and unlocks the module's "
            f"showcase{_showcase_note(play_showcases, fast)}.\n",
            ("workspace: ", "bold"), str(ws)), title="tinytorch-tracker demo", border_style="cyan",
            width=min(console.width, 78)))
        if _tracker(console, None, "init", str(ws), first_line_only=True) != 0:
            return 1
        term = TerminalSubscriber(console=console, workspace=ws, play_showcases=play_showcases, fast=fast)
        reason = anyio.run(_tour, ws, term, pace)
        if reason != "demo finished":
            console.print(f"demo stopped ({reason})")
            return 130
        console.print(Text(f"demo: all {len(catalog.modules())} modules unlocked in "
                           f"{time.monotonic() - started:.0f} s", style="bold green"))
        _tracker(console, ws, "status")
        _tracker(console, ws, "history")
        if keep:
            console.print(f"The workspace stays in {ws}: cd there and try `tinytorch-tracker showcase 07`.")
        return 0
    finally:
        if not keep:
            shutil.rmtree(ws, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """`tinytorch-tracker demo [--keep DIR] [--full] [--no-showcase] [--pace S]`."""
    parser = argparse.ArgumentParser(
        prog="tinytorch-tracker demo",
        description="A self-running tour: a fresh workspace is solved module by module while the real "
                    "watcher checks each save and unlocks each showcase.")
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="make the workspace in DIR and keep it afterwards (default: a temporary folder)")
    parser.add_argument("--full", action="store_true", help="play the showcases at full length (default --fast)")
    parser.add_argument("--no-showcase", action="store_true", help="do not play the showcases")
    parser.add_argument("--pace", type=float, default=1.0, metavar="S",
                        help="seconds to pause after each step, three times that after a showcase (default 1)")
    args = parser.parse_args(argv)
    if args.pace < 0:
        raise TrackerError("--pace must be zero or more seconds")
    return run_demo(keep=args.keep, fast=not args.full, play_showcases=not args.no_showcase, pace=args.pace)
