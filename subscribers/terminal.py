"""The terminal subscriber: live module status, "capability unlocked" panels and showcase playback.

Why it is built this way:
- `handle()` never waits for a showcase (they run 30 s-2 min). It updates an in-memory model and
  prints, or defers the print while a showcase owns the terminal; showcases queue in an unbounded
  in-process list (at most one per module), played one after another by a player thread. So the
  bus queue stays short and `drop_oldest` only ever sheds stale updates in theory: an
  `achievement.unlocked` that reached `handle()` is never lost.
- While a showcase plays, the Live status is stopped (transient, so it leaves no copies behind) and
  the showcase runs as a child process that inherits the terminal; then the status comes back.
- A change is one line, its first error whole on indented lines under it (wrapped to the width,
  never cropped mid-error); a save that changes nothing visible still gets one dim "still" line for
  the saved module (files.changed says which), so the student sees it was checked.
- Not a terminal (piped, CI): no Live display, plain lines; NO_COLOR is honoured by rich.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console, RenderableType
from rich.live import Live
from rich.text import Text

import showcases
from subscribers.terminal_view import Row, View, completed, showcase_label
from tracker import catalog


def _wait_or_kill(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _saved_modules(data: dict) -> set[str]:
    """The modules whose own files a files.changed event names (not the dependents it re-checks).

    A shared helper file is no module's own: then the modules it affects that need none of the others."""
    affected = [m for m in data.get("modules") or [] if isinstance(m, str)]
    own = {m.id for m in map(catalog.module_for_file, data.get("paths") or []) if m is not None}
    saved = own & set(affected) if affected else own
    if not saved:
        known = {m.id: m for m in catalog.modules()}
        saved = {mid for mid in affected if mid in known and not set(known[mid].requires) & set(affected)}
    return saved


@dataclass(frozen=True)
class _PendingPanel:
    """An unlock panel whose showcase is queued: drawn (as of its event) when that showcase starts."""

    data: dict
    done: frozenset[str]
    row: Row


class TerminalSubscriber:
    """Subscriber (CONTRACT.md) drawing the tracker's story in a terminal."""

    name = "terminal"
    queue_size = 1024
    overflow = "drop_oldest"

    def __init__(self, console: Console | None = None, workspace: Path | str = ".",
                 play_showcases: bool = True, fast: bool = False) -> None:
        self.console = console or Console()
        self.workspace = Path(workspace).resolve()
        self.play_showcases = play_showcases
        self.fast = fast
        self._rows = {m.id: Row() for m in catalog.modules()}
        self._use_live = self.console.is_terminal and not self.console.is_dumb_terminal
        self._view = View(self.console, live=self._use_live)
        self._live: Live | None = None
        self._lock = threading.RLock()  # order: self._lock, then rich's own locks; render takes none
        self._busy = False  # a showcase is queued or playing: output is deferred
        self._deferred: list[RenderableType | _PendingPanel] = []
        self._playlist: deque[dict[str, Any]] = deque()
        self._wake = threading.Condition(self._lock)
        self._closing = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._player: threading.Thread | None = None
        self.last_event_id = 0
        self._said: tuple[str | None, int] = (None, 0)  # (module, event id) of the last check line printed
        self._saved: set[str] = set()  # modules whose file was saved and whose check has not finished yet

    # ---- the Subscriber protocol -------------------------------------------------------------
    async def handle(self, event: dict) -> None:
        """Update the model and show what changed; returns at once (never waits for a showcase)."""
        kind, data = event.get("type", ""), event.get("data") or {}
        self.last_event_id = int(event.get("id") or 0)
        if kind == "daemon.started":
            where = Path(data.get("workspace") or self.workspace) / "tinytorch"
            self._out(Text(f"watching {where}: each save is checked (Ctrl-C stops)", style="bold"))
        elif kind == "daemon.stopped":
            self._out(Text(f"tracker stopped ({data.get('reason', 'done')})", style="bright_black"))
        elif kind == "files.changed":
            self._saved |= _saved_modules(data)
        elif kind == "check.started":
            self._set(data.get("module"), checking=True)
        elif kind == "check.finished":
            self._on_finished(data)
        elif kind == "module.regressed":
            self._set(data.get("module"), regressed=True, checking=False)
            if self._said != (data.get("module"), self.last_event_id - 1):  # not said by the line just above
                self._out(self._line(data.get("module"), "regressed", f"regressed, now {data.get('state')}",
                                     data.get("error", "")))
        elif kind == "achievement.unlocked":
            self._on_unlocked(data)

    async def close(self) -> None:
        """Stop any showcase, the player and the Live display; leave the final status on screen."""
        with self._lock:
            self._closing = True
            self._wake.notify_all()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            await anyio.to_thread.run_sync(_wait_or_kill, proc, 0.5)
        player = self._player
        if player is not None:
            await anyio.to_thread.run_sync(player.join, 0.5)
        with self._lock:
            if self._live is not None:
                self._live.stop()
                self._live = None
            for item in self._deferred:  # what happened while the last showcase played
                if isinstance(item, _PendingPanel):
                    line = f"{showcase_label(item.data['showcase'])}: not played, the tracker stopped"
                    item = self._view.panel(item.data, line, item.done, item.row)
                self._print(item)
            self._deferred.clear()
            self.console.print(self.status())

    # ---- public helpers (the demo uses them) ---------------------------------------------------
    def note(self, message: RenderableType) -> None:
        """Print a line above the live status (deferred while a showcase owns the terminal)."""
        self._out(message)

    async def wait_idle(self, poll_s: float = 0.05) -> None:
        """Wait until no showcase is queued or playing and deferred output has been shown."""
        while self._busy:
            await anyio.sleep(poll_s)

    def status(self) -> RenderableType:
        """The compact status: overall progress and one cell per module (catalog order)."""
        return self._view.status(self._rows)

    # ---- events --------------------------------------------------------------------------------
    def _on_finished(self, data: dict) -> None:
        mid = data.get("module")
        if mid not in self._rows:
            return
        old = self._rows[mid]
        state = data.get("state", "unknown")
        new = replace(old, state=state, passed=int(data.get("passed") or 0),
                      failed=int(data.get("failed") or 0), error=data.get("error") or "",
                      checking=False, regressed=old.regressed and state != "complete")
        self._rows[mid] = new
        saved = mid in self._saved  # the check of a save: said even when nothing changed
        self._saved.discard(mid)
        if old.state == "complete" and state != "complete":
            return  # module.regressed tells this one
        words = [state]
        if new.passed + new.failed:
            words.append(f"{new.passed}/{new.passed + new.failed}")
        if data.get("duration_ms") and state != "locked":
            words.append(f"({float(data['duration_ms']):.0f} ms)")
        quiet = ("unknown", "locked", "not started")
        if (state in quiet and old.state in quiet) or (
                new.state == old.state and (state == "locked" or (new.passed, new.failed, new.error) ==
                                            (old.passed, old.failed, old.error))):
            # the first pass, a module opening up, a dependent re-checked: the status shows these
            if saved:  # one dim line, so the student sees the save was checked
                still = "still " if state == old.state else ""
                self._out(self._line(mid, "still", still + " ".join(words)))
            return
        self._out(self._line(mid, new.look, " ".join(words), new.error))
        self._said = (mid, self.last_event_id)

    def _on_unlocked(self, data: dict) -> None:
        mid = data.get("module")
        if mid in self._rows:
            self._rows[mid] = replace(self._rows[mid], state="complete", checking=False, regressed=False)
        showcase = data.get("showcase")
        with self._lock:
            if showcase and self.play_showcases and showcases.showcase_path(showcase) is None:
                self._out(self._panel(data, f"{showcase_label(showcase)}: not installed yet, skipped"))
            elif showcase and self.play_showcases:
                self._out(_PendingPanel(data, completed(self._rows), self._rows.get(mid, Row())))
                self._playlist.append(data)
                self._busy = True
                self._start_player()
                self._wake.notify_all()
            elif showcase:
                number = showcase.split("_", 1)[0]
                self._out(self._panel(data, f"{showcase_label(showcase)}: "
                                            f"run `tinytorch-tracker showcase {number}`"))
            else:
                self._out(self._panel(data, "none for this module: it powers the next ones"))

    # ---- output --------------------------------------------------------------------------------
    def _out(self, item: RenderableType | _PendingPanel) -> None:
        with self._lock:
            if self._busy:
                self._deferred.append(item)
                return
            self._ensure_live()
            self._print(item)

    def _print(self, item: RenderableType | _PendingPanel) -> None:
        if isinstance(item, _PendingPanel):
            line = f"{showcase_label(item.data['showcase'])}: playing now"
            item = self._view.panel(item.data, line, item.done, item.row)
        if self._use_live:  # one screen line per line
            self.console.print(item, no_wrap=True, overflow="ellipsis", crop=True)
        else:  # a log keeps whole lines
            self.console.print(item, soft_wrap=True)

    def _ensure_live(self) -> None:
        if self._use_live and self._live is None and not self._closing:
            self._live = Live(console=self.console, get_renderable=self.status, transient=True,
                              refresh_per_second=4, redirect_stdout=False, redirect_stderr=False)
            self._live.start(refresh=True)

    def _set(self, mid: str | None, **changes: Any) -> None:
        if mid in self._rows:
            self._rows[mid] = replace(self._rows[mid], **changes)

    def _line(self, mid: str | None, look: str, what: str, error: str = "") -> Text:
        return self._view.line(mid, look, what, error)

    def _panel(self, data: dict, showcase_line: str) -> RenderableType:
        return self._view.panel(data, showcase_line, completed(self._rows), self._rows.get(data.get("module"), Row()))

    # ---- the showcase player (its own thread: showcases take minutes) ------------------------
    def _start_player(self) -> None:
        if self._player is None:
            self._player = threading.Thread(target=self._play_loop, name="showcase-player", daemon=True)
            self._player.start()

    def _play_loop(self) -> None:
        while True:
            with self._lock:
                while not self._playlist and not self._closing:
                    self._wake.wait()
                if self._closing:
                    return
                data = self._playlist.popleft()
                if self._live is not None:
                    self._live.stop()
                    self._live = None
                self._flush(until=data)
            note = self._play(data["showcase"])
            with self._lock:
                self.console.print(note)
                if not self._playlist:
                    self._busy = False
                    self._flush()
                    self._ensure_live()

    def _flush(self, until: dict | None = None) -> None:
        """Print deferred output; with `until`, only up to that showcase's panel, if it is waiting."""
        if until is not None and not any(isinstance(i, _PendingPanel) and i.data is until
                                         for i in self._deferred):
            return
        while self._deferred:
            item = self._deferred.pop(0)
            self._print(item)
            if until is not None and isinstance(item, _PendingPanel) and item.data is until:
                return

    def _play(self, showcase: str) -> Text:
        """Run one showcase in a child process on the terminal; a one-line note of how it went."""
        label = showcase_label(showcase)
        if showcases.showcase_path(showcase) is None:
            return Text(f"showcase {label} is not installed yet: skipped", style="yellow")
        cmd = showcases.command(showcase, self.workspace, self.fast)
        started = time.monotonic()
        self.console.file.flush()
        with self._lock:
            if self._closing:
                return Text("")
            self._proc = subprocess.Popen(cmd, env=showcases.environment())
        code = self._proc.wait()
        with self._lock:
            self._proc = None
        took = time.monotonic() - started
        if code == 0:
            return Text(f"showcase {label} finished in {took:.0f} s", style="bright_black")
        if code in (130, -2):  # SIGINT: the terminal's Ctrl-C reached it too
            return Text(f"showcase {label} stopped (Ctrl-C) after {took:.0f} s", style="yellow")
        if self._closing and code in (-signal.SIGTERM, -signal.SIGKILL):  # close() ended it
            return Text(f"showcase {label} stopped with the tracker after {took:.0f} s", style="yellow")
        return Text(f"showcase {label} ended with exit code {code} after {took:.0f} s", style="yellow")
