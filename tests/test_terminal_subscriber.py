"""The terminal subscriber fed events directly (the schema of CONTRACT.md), with stand-in showcases."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from rich.console import Console

import showcases as showcases_package
from subscribers.terminal import TerminalSubscriber
from tracker import catalog

INDENT = " " * 11  # an error's lines sit under the module label


class Feed:
    """A subscriber under test plus a console capturing what it prints."""

    def __init__(self, tmp_path: Path, terminal_like: bool = False, **kwargs: Any) -> None:
        self.out = io.StringIO()
        console = Console(file=self.out, width=80, force_terminal=terminal_like, color_system=None)
        self.sub = TerminalSubscriber(console=console, workspace=tmp_path, **kwargs)
        self.next_id = 0

    def send(self, kind: str, **data: Any) -> None:
        """Hand one event to `handle`."""
        self.next_id += 1
        event = {"id": self.next_id, "type": kind, "at": "2026-12-04T20:31:07.123Z", "data": data}
        anyio.run(self.sub.handle, event)

    def finished(self, module: str, state: str, passed: int = 0, failed: int = 0, error: str = "") -> None:
        m = catalog.module(module)
        self.send("check.finished", module=m.id, number=m.number, state=state, passed=passed, failed=failed,
                  duration_ms=12.0, error=error)

    def save(self, *files: str) -> None:
        """files.changed as the daemon sends it: the saved files and every module they re-check."""
        own = [m.id for m in map(catalog.module_for_file, files) if m]
        wanted = {m.id for m in catalog.with_dependents(own or [m.id for m in catalog.modules()])}
        self.send("files.changed", paths=list(files), modules=[m.id for m in catalog.modules() if m.id in wanted])

    def unlock(self, module: str) -> None:
        m = catalog.module(module)
        self.finished(module, "complete", passed=3)
        self.send("achievement.unlocked", module=m.id, number=m.number, title=m.title, showcase=m.showcase)

    def first_pass(self) -> None:
        for m in catalog.modules():
            self.finished(m.id, "locked" if m.requires else "not started", failed=3,
                          error="NotImplementedError: yours to write")

    def idle(self, timeout: float = 10.0) -> None:
        async def wait() -> None:
            with anyio.fail_after(timeout):
                await self.sub.wait_idle()

        anyio.run(wait)

    def close(self) -> None:
        anyio.run(self.sub.close)

    @property
    def text(self) -> str:
        return self.out.getvalue()


MakeFeed = Callable[..., Feed]


@pytest.fixture
def make_feed(tmp_path: Path) -> Iterator[MakeFeed]:
    """Feeds for a test; each subscriber is closed afterwards, so no showcase outlives its test."""
    feeds: list[Feed] = []

    def make(**kwargs: Any) -> Feed:
        feeds.append(Feed(tmp_path, **kwargs))
        return feeds[-1]

    yield make
    for feed in feeds:
        feed.close()


@pytest.fixture
def showcases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Showcases:
    """Stand-in showcase scripts (only those written exist) that log when they start and end."""
    found = Showcases(tmp_path / "showcases")
    monkeypatch.setattr(showcases_package, "HERE", found.root)
    return found


class Showcases:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        self.log = root / "played.log"
        self.log.touch()

    def add(self, name: str, seconds: float = 0.05, gate: Path | None = None) -> None:
        """A showcase that runs `seconds`, after waiting (at most 10 s) for the file `gate` if given."""
        wait = (f"deadline = time.monotonic() + 10\n"
                f"while not os.path.exists({str(gate)!r}) and time.monotonic() < deadline:\n"
                "    time.sleep(0.01)\n") if gate else ""
        (self.root / f"{name}.py").write_text(
            "import os, sys, time\n"
            f"log = open({str(self.log)!r}, 'a', buffering=1)\n"
            f"log.write('start {name} ' + ' '.join(sys.argv[1:]) + '\\n')\n"
            "print('SHOWCASE OUTPUT', flush=True)\n"
            f"{wait}"
            f"time.sleep({seconds})\n"
            f"log.write('end {name}\\n')\n"
        )

    def played(self) -> list[str]:
        return self.log.read_text().splitlines()


def test_first_pass_is_quiet_and_each_change_is_one_line(tmp_path: Path, make_feed: MakeFeed) -> None:
    feed = make_feed()
    feed.send("daemon.started", workspace=str(tmp_path), db="progress.db")
    feed.first_pass()
    assert feed.text.count("\n") == 1, feed.text  # only the "watching" line
    error = "check_matmul: AssertionError: (2, 3) @ (3, 4) gave shape (2, 3)"
    feed.finished("tensor", "in progress", passed=5, failed=2, error=error)
    assert f"02 tensor: in progress 5/7 (12 ms)\n{INDENT}{error}\n" in feed.text
    before = feed.text
    feed.finished("tensor", "in progress", passed=5, failed=2, error=error)
    assert feed.text == before  # nothing changed and nothing saved (a dependent re-checked): nothing said
    feed.finished("tensor", "broken", error="SyntaxError: invalid syntax (tensor.py, line 3)")
    assert f"02 tensor: broken (12 ms)\n{INDENT}SyntaxError: invalid syntax (tensor.py, line 3)\n" in feed.text
    assert "\x1b" not in feed.text  # not a terminal: plain text


def test_regression_is_reported_once(make_feed: MakeFeed) -> None:
    feed = make_feed(play_showcases=False)
    feed.first_pass()
    feed.unlock("setup")
    feed.finished("setup", "broken", error="NameError: name 'x' is not defined")
    feed.send("module.regressed", module="setup", number=1, state="broken", error="NameError: name 'x' is not defined")
    assert feed.text.count("NameError") == 1
    assert f"01 setup: regressed, now broken\n{INDENT}NameError" in feed.text
    feed.close()
    assert "↓ 01 setup" in feed.text  # the final status marks it


def test_a_regression_found_by_the_first_pass_is_one_line(make_feed: MakeFeed) -> None:
    """watch restarted after setup broke: its check line is printed, module.regressed does not repeat it."""
    feed = make_feed(play_showcases=False)
    feed.finished("setup", "broken", error="NameError: name 'x' is not defined")
    feed.send("module.regressed", module="setup", number=1, state="broken", error="NameError: name 'x' is not defined")
    assert feed.text.count("NameError") == 1, feed.text
    feed.close()
    assert "↓ 01 setup" in feed.text


def test_unlock_panel_then_showcases_in_order_without_blocking(
    tmp_path: Path, make_feed: MakeFeed, showcases: Showcases
) -> None:
    gate = tmp_path / "let-the-showcases-finish"
    for m in ("tensor", "activations"):
        showcases.add(catalog.module(m).showcase, gate=gate)
    feed = make_feed(fast=True)
    feed.first_pass()
    for m in ("tensor", "activations", "layers"):
        feed.unlock(m)
    assert not [line for line in showcases.played() if line.startswith("end")], \
        "handle() waited for a showcase: it must only queue it"
    gate.touch()
    feed.idle()
    assert showcases.played() == [
        f"start 01_tensor_operations --workspace {tmp_path.resolve()} --fast", "end 01_tensor_operations",
        f"start 02_neural_intelligence --workspace {tmp_path.resolve()} --fast", "end 02_neural_intelligence",
    ]
    text = feed.text
    assert text.count("capability unlocked") == 3
    order = [text.index(s) for s in ("02 Tensor", "01 tensor operations: playing now",
                                      "showcase 01 tensor operations finished",
                                      "03 Activations", "02 neural intelligence: playing now",
                                      "showcase 02 neural intelligence finished",
                                      "04 Layers", "none for this module")]
    assert order == sorted(order), text
    assert "now open  03 activations · 04 layers · 09 dataloader · 13 kernels" in text


def test_output_waits_while_a_showcase_owns_the_terminal(make_feed: MakeFeed, showcases: Showcases) -> None:
    showcases.add("01_tensor_operations", seconds=1.0)
    feed = make_feed()
    feed.first_pass()
    feed.unlock("tensor")
    deadline = time.monotonic() + 5
    while "start" not in showcases.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    feed.finished("activations", "in progress", passed=1, failed=3, error="AssertionError: relu")
    assert "03 activations: in progress" not in feed.text  # held back: the showcase is drawing
    feed.idle()
    text = feed.text
    assert text.index("showcase 01 tensor operations finished") < text.index("03 activations: in progress")


def test_showcases_off_or_missing(make_feed: MakeFeed, showcases: Showcases) -> None:
    feed = make_feed(play_showcases=False)
    feed.unlock("tensor")
    assert "01 tensor operations: run `tinytorch-tracker showcase 01`" in feed.text
    feed = make_feed()
    feed.unlock("tensor")  # no script for it: skipped with a note, nothing queued
    assert "01 tensor operations: not installed yet, skipped" in feed.text
    feed.idle(timeout=1)
    assert showcases.played() == []


def test_close_stops_a_playing_showcase_and_shows_what_waited(make_feed: MakeFeed, showcases: Showcases) -> None:
    showcases.add("01_tensor_operations", seconds=60)
    showcases.add("02_neural_intelligence", seconds=60)
    feed = make_feed()
    feed.unlock("tensor")
    deadline = time.monotonic() + 5
    while "start" not in showcases.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    feed.unlock("activations")
    feed.finished("layers", "in progress", passed=1, failed=3, error="AssertionError: weight shape")
    started = time.monotonic()
    feed.close()
    assert time.monotonic() - started < 1.5
    assert showcases.played() == [f"start 01_tensor_operations --workspace {feed.sub.workspace}"]
    assert "02 neural intelligence: not played, the tracker stopped" in feed.text
    assert "exit code -15" not in feed.text  # our own SIGTERM is not the showcase failing
    assert "04 layers: in progress 1/4" in feed.text
    assert "2/16 complete" in feed.text  # the final status


def test_live_status_pauses_while_a_showcase_plays(tmp_path: Path, make_feed: MakeFeed, showcases: Showcases) -> None:
    showcases.add("01_tensor_operations", seconds=0.8)
    feed = make_feed(terminal_like=True)
    feed.send("daemon.started", workspace=str(tmp_path), db="progress.db")
    feed.first_pass()
    assert feed.sub._live is not None and feed.sub._live.is_started
    seen_live_during_play: list[bool] = []

    def probe() -> None:
        deadline = time.monotonic() + 5
        while "start" not in showcases.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_live_during_play.append(feed.sub._live is not None)

    watcher = threading.Thread(target=probe)
    watcher.start()
    feed.unlock("tensor")
    watcher.join()
    feed.idle()
    assert seen_live_during_play == [False]
    assert feed.sub._live is not None and feed.sub._live.is_started  # back after the showcase
    feed.close()
    assert "02 tensor" in feed.text


def test_status_fits_80_columns_and_has_every_module(make_feed: MakeFeed) -> None:
    feed = make_feed(terminal_like=True)
    feed.first_pass()
    feed.sub.console.print(feed.sub.status())
    lines = feed.text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for m in catalog.modules():
        assert m.label in feed.text


def test_ascii_symbols_when_the_terminal_cannot_show_unicode(tmp_path: Path) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict", write_through=True)
    sub = TerminalSubscriber(console=Console(file=stream, width=80, color_system=None), workspace=tmp_path,
                             play_showcases=False)
    anyio.run(sub.handle, {"id": 1, "type": "check.finished", "at": "", "data": {
        "module": "tensor", "number": 2, "state": "broken", "passed": 0, "failed": 0, "duration_ms": 5,
        "error": "SyntaxError: invalid syntax"}})
    anyio.run(sub.close)
    text = raw.getvalue().decode("ascii")
    assert f"x 02 tensor: broken (5 ms)\n{INDENT}SyntaxError: invalid syntax\n" in text
    assert "0/16 complete" in text


def test_the_first_error_is_shown_whole_under_the_state_line(make_feed: MakeFeed) -> None:
    """At 80 columns the part that says where (line 32, the expected shape) is not cut off."""
    syntax = "SyntaxError: '(' was never closed (tensor.py, line 32)"
    broadcast = ("check_add_broadcasts: AssertionError: Tensor([[1, 2, 3]]) + Tensor([[10], [20]]) should "
                 "broadcast to shape (2, 3), got (1, 3)")
    for terminal_like in (False, True):
        feed = make_feed(terminal_like=terminal_like, play_showcases=False)
        feed.first_pass()
        feed.finished("tensor", "broken", error=syntax)
        feed.finished("tensor", "in progress", passed=3, failed=3, error=broadcast)
        feed.finished("tensor", "in progress", passed=3, failed=4,
                      error="check_create: NotImplementedError: wrap a numpy array")
        feed.finished("tensor", "in progress", passed=3, failed=5, error="check_x: AssertionError: " + "word " * 100)
        lines = feed.text.splitlines()
        assert f"02 tensor: broken (12 ms)\n{INDENT}{syntax}\n" in feed.text
        at = next(i for i, line in enumerate(lines) if line.endswith("in progress 3/6 (12 ms)"))
        assert all(line.startswith(INDENT) and not line.endswith("…") for line in lines[at + 1:at + 3])
        assert " ".join(line.strip() for line in lines[at + 1:at + 3]) == broadcast  # wrapped, nothing lost
        assert f"in progress 3/7 (12 ms)\n{INDENT}check_create: not implemented: wrap a numpy array\n" in feed.text
        at = next(i for i, line in enumerate(lines) if line.endswith("in progress 3/8 (12 ms)"))
        assert [line.startswith(INDENT) for line in [*lines, ""][at + 1:at + 5]] == [True, True, True, False]
        assert lines[at + 3].endswith("…")  # only an error past 3 lines is cut
        assert all(len(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line)) < 80 for line in lines), feed.text
        assert "NotImplementedError" not in feed.text
    assert "\x1b" not in make_feed().text


def test_a_save_is_acknowledged_even_when_nothing_changed(tmp_path: Path, make_feed: MakeFeed) -> None:
    feed = make_feed(play_showcases=False)
    feed.send("daemon.started", workspace=str(tmp_path), db="progress.db")
    feed.first_pass()
    assert feed.text.count("\n") == 1  # the first pass stays quiet
    feed.save("tinytorch/tensor.py")  # still every check NotImplementedError; dependents stay locked
    feed.finished("tensor", "not started", failed=3, error="NotImplementedError: yours to write")
    for m in catalog.dependents("tensor"):
        feed.finished(m.id, "locked")
    new = feed.text.splitlines()[1:]
    assert len(new) == 1 and new[0].endswith("· 02 tensor: still not started 0/3 (12 ms)"), new
    error = "check_add_broadcasts: AssertionError: got shape (1, 3)"
    feed.save("tinytorch/tensor.py")
    feed.finished("tensor", "in progress", passed=3, failed=3, error=error)
    feed.save("tinytorch/tensor.py")  # the same counts and error again
    feed.finished("tensor", "in progress", passed=3, failed=3, error=error)
    for m in catalog.dependents("tensor"):
        feed.finished(m.id, "locked")
    new = feed.text.splitlines()[2:]
    assert new[0].endswith("◐ 02 tensor: in progress 3/6 (12 ms)") and new[1] == INDENT + error
    assert len(new) == 3 and new[2].endswith("· 02 tensor: still in progress 3/6 (12 ms)"), new
    feed.finished("tensor", "in progress", passed=3, failed=3, error=error)  # re-checked, not saved: quiet
    feed.save("tinytorch/activations.py")  # a locked module's own file
    feed.finished("activations", "locked")
    assert feed.text.splitlines()[5:] == [feed.text.splitlines()[5]]
    assert feed.text.splitlines()[5].endswith("· 03 activations: still locked")
    assert "\x1b" not in feed.text


def test_a_helper_file_save_is_acknowledged_by_the_modules_needing_nothing_else(make_feed: MakeFeed) -> None:
    feed = make_feed(play_showcases=False)
    feed.first_pass()
    feed.save("tinytorch/__init__.py")  # re-checks all 16
    for m in catalog.modules():
        feed.finished(m.id, "locked" if m.requires else "not started", failed=3,
                      error="NotImplementedError: yours to write")
    lines = feed.text.splitlines()
    assert [line[9:] for line in lines] == ["· 01 setup: still not started 0/3 (12 ms)",
                                            "· 02 tensor: still not started 0/3 (12 ms)"], lines


def test_a_save_checked_as_a_new_state_is_one_ordinary_line(make_feed: MakeFeed) -> None:
    feed = make_feed(play_showcases=False)
    feed.first_pass()
    feed.save("tinytorch/tensor.py")
    feed.finished("tensor", "broken", error="SyntaxError: invalid syntax (tensor.py, line 3)")
    assert feed.text.count("02 tensor") == 1 and "still" not in feed.text
    feed.save("tinytorch/tensor.py")
    feed.finished("tensor", "broken", error="SyntaxError: invalid syntax (tensor.py, line 3)")
    assert "✗ 02 tensor: broken (12 ms)" in feed.text and feed.text.endswith("· 02 tensor: still broken (12 ms)\n")
