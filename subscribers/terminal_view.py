"""What the terminal subscriber draws: the module status box, one-line updates and unlock panels.

Pure rendering from a snapshot of module rows, so it can run on rich's refresh thread without
locks. A terminal gets boxes and colour; a log (piped, CI) gets plain lines that grep well.
UTF-8 symbols fall back to ASCII when the console's encoding cannot show them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tracker import catalog

SYMBOLS = {"complete": "✓", "in progress": "◐", "not started": "○", "broken": "✗", "locked": "·",
           "regressed": "↓", "checking": "…", "unknown": " ", "still": "·"}
ASCII = {"complete": "+", "in progress": "~", "not started": "o", "broken": "x", "locked": "-",
         "regressed": "v", "checking": "?", "unknown": " ", "still": "."}
STYLES = {"complete": "green", "in progress": "yellow", "not started": "default", "broken": "red",
          "locked": "bright_black", "regressed": "magenta", "checking": "cyan", "unknown": "bright_black",
          "still": "bright_black"}
CELL_WIDTH = 17  # "· 14 benchmarking"
LEGEND = ("complete", "in progress", "not started", "broken", "locked")
ERROR_INDENT = 11  # under the module label: "20:31:07 ◐ "
ERROR_LINES = 3  # an error longer than this many wrapped lines ends in an ellipsis


def error_words(error: str) -> str:
    """A first error in the words the student reads (`check`, `status` and `watch` alike):
    "not implemented: ..." rather than "NotImplementedError: ..."."""
    return error.replace("NotImplementedError: ", "not implemented: ")


@dataclass(frozen=True)
class Row:
    """What the status shows for one module; replaced whole so the render thread never sees half."""

    state: str = "unknown"
    passed: int = 0
    failed: int = 0
    error: str = ""
    checking: bool = False
    regressed: bool = False

    @property
    def look(self) -> str:
        if self.checking:
            return "checking"
        return "regressed" if self.regressed and self.state != "complete" else self.state


def showcase_label(showcase: str) -> str:
    """"01_tensor_operations" -> "01 tensor operations"."""
    return showcase.replace("_", " ")


def completed(rows: Mapping[str, Row]) -> frozenset[str]:
    return frozenset(k for k, r in rows.items() if r.state == "complete")


class View:
    """Renderables for one console (its width, encoding and whether it is a live terminal)."""

    def __init__(self, console: Console, live: bool) -> None:
        self.console = console
        self.live = live
        unicode = (console.encoding or "").lower().startswith("utf")
        self.symbols = SYMBOLS if unicode else ASCII
        self.dot = "·" if unicode else ","

    def status(self, rows: Mapping[str, Row]) -> RenderableType:
        """Overall progress and one cell per module, in catalog order."""
        mods = catalog.modules()
        width = self.console.width
        # stay off the last column: a full-width line leaves the cursor pending a wrap, and a typed
        # ^C then pushes the live box down a line
        cols = max(1, min(4, (width - 3) // (CELL_WIDTH + 2)))
        grid = Table.grid(padding=(0, 2))
        for _ in range(cols):
            grid.add_column(width=CELL_WIDTH, no_wrap=True, overflow="ellipsis")
        cells = [self._cell(m, rows[m.id]) for m in mods]
        for start in range(0, len(cells), cols):
            grid.add_row(*cells[start:start + cols])
        box_width = min(width - 1, 2 + cols * (CELL_WIDTH + 2))
        progress = self.progress(len(completed(rows)), len(mods), max(0, min(30, box_width - 32)), " TinyTorch ")
        if not self.live:
            return Group(progress, grid)
        legend = Text("  ".join(f"{self.symbols[s]} {s}" for s in LEGEND), style="bright_black",
                      no_wrap=True, overflow="ellipsis")
        return Panel(Group(grid, legend), title=progress, title_align="left", border_style="blue", width=box_width)

    def _cell(self, m: catalog.Module, row: Row) -> Text:
        look = row.look
        text = Text(f"{self.symbols[look]} ", style=STYLES[look])
        text.append(m.label, style="bright_black" if look == "locked" else "")
        return text

    def progress(self, done: int, total: int, width: int, label: str = "") -> Text:
        full, empty = ("█", "░") if self.symbols is SYMBOLS else ("#", "-")
        filled = round(width * done / total) if width > 0 else 0
        text = Text(label, style="bold")
        text.append(full * filled, style="green")
        text.append(empty * max(0, width - filled), style="bright_black")
        text.append(f" {done}/{total} complete ", style="bold")
        return text

    def line(self, module_id: str | None, look: str, what: str, error: str = "") -> Text:
        """`20:31:07 ◐ 02 tensor: in progress 5/7 (40 ms)`, then the first error whole on indented
        lines wrapped to the console (at most ERROR_LINES; only a longer one is cut, with an ellipsis)."""
        try:
            label = catalog.module(module_id or "").label
        except KeyError:
            label = str(module_id)
        text = Text(time.strftime("%H:%M:%S "), style="bright_black")
        text.append(f"{self.symbols.get(look, ' ')} {label}: {what}", style=STYLES.get(look, ""))
        for part in self.wrap_error(error):
            text.append("\n" + " " * ERROR_INDENT)
            text.append(part)
        return text

    def wrap_error(self, error: str) -> list[str]:
        """`error` in `check`'s words, as lines that fit beside the indent and off the last column."""
        words = " ".join(error_words(error).split())  # one paragraph: the lines are ours to break
        if not words:
            return []
        width = max(20, self.console.width - 1 - ERROR_INDENT)
        lines = [line.plain.rstrip() for line in Text(words).wrap(self.console, width, overflow="fold")]
        if len(lines) > ERROR_LINES:
            ellipsis = "…" if self.symbols is SYMBOLS else "..."
            rest = " ".join(lines[ERROR_LINES - 1:])
            lines = lines[:ERROR_LINES - 1] + [rest[: width - len(ellipsis)].rstrip() + ellipsis]
        return lines

    def panel(self, data: Mapping, showcase_line: str, done: frozenset[str], row: Row) -> RenderableType:
        """The "capability unlocked" panel for an achievement.unlocked event's data."""
        mid = data.get("module")
        opened = [m.label for m in catalog.modules()
                  if mid in m.requires and set(m.requires) <= done and m.id not in done]
        body = Table.grid(padding=(0, 2))
        body.add_column(style="bold cyan", no_wrap=True)
        body.add_column()
        checks = f"{row.passed}/{row.passed + row.failed} checks pass" if row.passed else "every check passes"
        title = f"{int(data.get('number') or 0):02d} {data.get('title') or mid}"
        body.add_row("module", Text(f"{title}: {checks}"))
        body.add_row("progress", self.progress(len(done), len(catalog.modules()), 20))
        if opened:
            body.add_row("now open", Text(f" {self.dot} ".join(opened)))
        body.add_row("showcase", Text(showcase_line))
        heading = f"{self.symbols['complete']} capability unlocked"
        if not self.live:  # a log, not a screen: plain lines that grep well
            return Group(Text(f"*** {heading}: {title} ***", style="bold green"), body)
        return Panel(body, title=Text(f" {heading} ", style="bold green"), border_style="green",
                     width=min(self.console.width - 1, 78))
