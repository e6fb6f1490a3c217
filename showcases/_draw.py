"""Terminal drawing for the showcases: rich renderables that pick colour or plain text at render time.

`Picture` (images, feature maps: two pixels per cell with upper half blocks), `Heatmap` (attention
weights, confusion matrices), `Chart` (line plots on a character grid), `matrix_table`, `bar`,
`sparkline` and `side_by_side` (before/after). On a console without colour (piped, NO_COLOR, a dumb
terminal) they draw with plain characters: brightness ramps, one mark per series, no escape codes.

Import `_look` before this module in a showcase script: `_look` chooses one BLAS thread, which only
counts if it happens before numpy (imported here) is first loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from rich import box
from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderableType
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

RAMP = " .:-=+*#%@"  # plain-text brightness, dark to bright


# ---------------------------------------------------------------------------- colour maps

_HEAT = np.array([[0.0, 12, 7, 35], [0.35, 120, 28, 109], [0.65, 237, 105, 37], [1.0, 252, 255, 164]])


def _paint(values: np.ndarray, cmap: str) -> np.ndarray:
    """RGB uint8 for values already scaled to [0, 1] (or [-1, 1] for "signed")."""
    if cmap == "gray":
        return np.repeat((values * 255)[..., None], 3, axis=-1).astype(np.uint8)
    if cmap == "heat":
        return np.stack([np.interp(values, _HEAT[:, 0], _HEAT[:, i]) for i in (1, 2, 3)], -1).astype(np.uint8)
    if cmap == "signed":
        pos, neg = np.clip(values, 0, 1)[..., None], np.clip(-values, 0, 1)[..., None]
        return (pos * [255, 150, 40] + neg * [70, 140, 255]).astype(np.uint8)
    raise ValueError(f"unknown colour map {cmap!r} (gray, heat, signed)")


def _scale(values: np.ndarray, cmap: str, vmin: float | None, vmax: float | None) -> np.ndarray:
    if cmap == "signed":
        top = vmax if vmax is not None else float(np.abs(values).max())
        return np.clip(values / (top or 1.0), -1, 1)
    low = float(values.min()) if vmin is None else vmin
    high = float(values.max()) if vmax is None else vmax
    return np.clip((values - low) / ((high - low) or 1.0), 0, 1)


def _ramp(level: np.ndarray) -> list[str]:
    return [RAMP[i] for i in np.clip((level * (len(RAMP) - 1)).round().astype(int), 0, len(RAMP) - 1)]


# ---------------------------------------------------------------------------- pictures

class Picture:
    """An image or feature map drawn two pixels per character cell (upper half block, colour).

    `pixels`: (H, W) values drawn with `cmap` ("gray", "heat", or "signed" for maps with a sign),
    or (H, W, 3) RGB in [0, 1]. `scale` enlarges (nearest neighbour, 1.5 works).
    Plain output uses brightness characters.
    """

    def __init__(self, pixels: Any, cmap: str = "gray", scale: float = 1,
                 vmin: float | None = None, vmax: float | None = None) -> None:
        values = np.asarray(pixels, dtype=np.float64)
        if scale != 1:  # nearest neighbour, so 1.5 works too
            rows = (np.arange(round(values.shape[0] * scale)) / scale).astype(int)
            cols = (np.arange(round(values.shape[1] * scale)) / scale).astype(int)
            values = values[rows][:, cols]
        if values.ndim == 3:
            self.rgb = (np.clip(values, 0, 1) * 255).astype(np.uint8)
            self.level = values @ np.array([0.299, 0.587, 0.114])
        else:
            scaled = _scale(values, cmap, vmin, vmax)
            self.rgb, self.level = _paint(scaled, cmap), np.abs(scaled)
        if self.level.shape[0] % 2:
            self.rgb = np.concatenate([self.rgb, np.zeros_like(self.rgb[:1])])
            self.level = np.concatenate([self.level, np.zeros_like(self.level[:1])])
        self.width = self.level.shape[1]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        plain = console.color_system is None
        for r in range(0, self.level.shape[0], 2):
            if plain:
                yield Segment("".join(_ramp((self.level[r] + self.level[r + 1]) / 2)))
            else:
                for top, bottom in zip(self.rgb[r], self.rgb[r + 1], strict=True):
                    style = Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom))
                    yield Segment("▀", style)
            yield Segment.line()


class Heatmap:
    """A matrix as coloured cells with row/column labels (attention weights, confusion...).

    `values=True` writes each number in its cell (`fmt`, right-aligned under a right-aligned column
    label, at least one space between numbers), else cells are `cell` characters wide.
    Plain output uses brightness characters.
    """

    def __init__(self, matrix: Any, rows: Sequence[str], cols: Sequence[str] | None = None, *,
                 cmap: str = "heat", values: bool = False, fmt: str = "{:.2f}", vmin: float = 0.0,
                 vmax: float | None = None, cell: int = 3) -> None:
        self.matrix = np.asarray(matrix, dtype=np.float64)
        self.rows, self.cols = [str(r) for r in rows], [str(c) for c in (cols if cols is not None else rows)]
        self.values, self.fmt = values, fmt
        self.vmin, self.vmax = vmin, (float(self.matrix.max()) if vmax is None else vmax)
        self.level = _scale(self.matrix, "gray", self.vmin, self.vmax)
        self.rgb = _paint(self.level, cmap)
        self.cell = max(len(fmt.format(v)) for v in self.matrix.ravel()) + 1 if values else cell
        self.label = max(len(r) for r in self.rows) + 1

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self.label + self.cell * len(self.cols)
        return Measurement(width, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        plain = console.color_system is None
        align = str.rjust if self.values else str.center  # labels over numbers line up with their last digit
        yield Segment(" " * self.label + "".join(align(c[: self.cell], self.cell) for c in self.cols))
        yield Segment.line()
        for i, row in enumerate(self.rows):
            yield Segment(row.rjust(self.label - 1) + " ")
            for j in range(len(self.cols)):
                level, rgb = float(self.level[i, j]), self.rgb[i, j]
                if self.values:
                    text = self.fmt.format(self.matrix[i, j]).rjust(self.cell)
                elif plain:
                    mark = _ramp(np.array([level]))[0]
                    text = mark * self.cell if self.cell < 3 else " " + mark * (self.cell - 1)
                else:
                    text = " " * self.cell
                ink = Color.from_rgb(0, 0, 0) if level > 0.6 else Color.from_rgb(235, 235, 235)
                yield Segment(text, None if plain else Style(color=ink, bgcolor=Color.from_rgb(*rgb)))
            yield Segment.line()


# ---------------------------------------------------------------------------- charts

_MARKS = "*o+x#"
_SERIES_STYLES = ("bold yellow", "bold cyan", "bold magenta", "bold green", "bold red")


class Chart:
    """Line plot of named series on a character grid, with axes and a legend.

    `series` maps a label to (xs, ys). Colour output marks each series with a coloured dot,
    plain output with its own character (*, o, +, x, #).
    """

    def __init__(self, series: Mapping[str, tuple[Sequence[float], Sequence[float]]], width: int = 56,
                 height: int = 12, ylim: tuple[float, float] | None = None, x_label: str = "",
                 y_label: str = "") -> None:
        self.series = {k: (np.asarray(x, float), np.asarray(y, float)) for k, (x, y) in series.items()}
        xs = np.concatenate([x for x, _ in self.series.values()])
        ys = np.concatenate([y for _, y in self.series.values()])
        self.xlim = float(xs.min()), float(xs.max())
        self.ylim = ylim or (float(ys.min()), float(ys.max()))
        self.width, self.height, self.x_label, self.y_label = width, height, x_label, y_label

    def _grid(self) -> list[list[int]]:
        grid = [[-1] * self.width for _ in range(self.height)]
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        columns = np.linspace(x0, x1, self.width)
        for index, (xs, ys) in enumerate(self.series.values()):
            heights = np.interp(columns, xs, ys)
            rows = ((y1 - heights) / ((y1 - y0) or 1) * (self.height - 1)).round()
            rows = np.clip(rows, 0, self.height - 1)
            previous = int(rows[0])
            for c, r in enumerate(rows.astype(int)):
                for fill in range(min(previous, r), max(previous, r) + 1):  # join steep steps
                    grid[fill][c] = index
                previous = r
        return grid

    def _row_of(self, y: float) -> int:
        (y0, y1) = self.ylim
        return int(round((y1 - y) / ((y1 - y0) or 1) * (self.height - 1)))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        plain = console.color_system is None
        (y0, y1), (x0, x1), grid = self.ylim, self.xlim, self._grid()
        zero_row = self._row_of(0.0) if y0 < 0 < y1 else -1
        zero_col = int(round(-x0 / ((x1 - x0) or 1) * (self.width - 1))) if x0 < 0 < x1 else -1
        labels = {0: y1, self.height - 1: y0, zero_row: 0.0}
        text = Text()
        if self.y_label:
            text.append(f"{self.y_label}\n", style="dim")
        for r, row in enumerate(grid):
            text.append(f"{labels[r]:7.2f} ┤" if r in labels else " " * 7 + " │", style="dim")
            for c, index in enumerate(row):
                if index >= 0:
                    text.append(_MARKS[index % 5] if plain else "•", _SERIES_STYLES[index % 5])
                else:
                    text.append("┼" if (r, c) == (zero_row, zero_col) else "─" if r == zero_row
                                else "│" if c == zero_col else " ", style="dim")
            text.append("\n")
        text.append(" " * 8 + "└" + "─" * self.width + "\n", style="dim")
        left, right = f"{self.xlim[0]:g}", f"{self.xlim[1]:g}"
        middle = self.x_label.center(self.width - len(left) - len(right))
        text.append(" " * 9 + left + middle + right + "\n", style="dim")
        for index, name in enumerate(self.series):
            text.append(f"  {_MARKS[index % 5] if plain else '•'} ", _SERIES_STYLES[index % 5])
            text.append(name)
        yield text


def sparkline(values: Sequence[float], width: int = 40, low: float | None = None,
              high: float | None = None) -> str:
    """Values as one line of block characters (▁ `low` … █ `high`, default their range), at most `width`."""
    blocks = "▁▂▃▄▅▆▇█"
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return ""
    if v.size > width:
        v = np.array([chunk.mean() for chunk in np.array_split(v, width)])
    level = _scale(v, "gray", low, high)
    return "".join(blocks[int(round(x * 7))] for x in level)


def bar(value: float, maximum: float = 1.0, width: int = 20, style: str = "green") -> Text:
    """A horizontal bar `width` characters long at full scale, with eighth-character resolution."""
    eighths = int(round(max(0.0, min(1.0, value / (maximum or 1.0))) * width * 8))
    full, part = divmod(eighths, 8)
    body = "█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")
    return Text(body.ljust(width), style=style)


def matrix_table(matrix: Any, title: str | None = None, fmt: str = "{:.2f}",
                 highlight_row: int | None = None, highlight_col: int | None = None) -> Table:
    """A 2-D array as a boxed table of numbers; a highlighted row/column shows what is being combined."""
    values = np.atleast_2d(np.asarray(matrix))
    table = Table(show_header=False, box=box.SQUARE, title=title, padding=(0, 1), title_style="bold")
    for _ in range(values.shape[1]):
        table.add_column(justify="right")
    for i, row in enumerate(values):
        cells = []
        for j, v in enumerate(row):
            hit_row, hit_col = i == highlight_row, j == highlight_col
            style = "bold yellow" if hit_row or hit_col else ""
            style = "bold black on yellow" if hit_row and hit_col else style
            cells.append(Text(fmt.format(v), style=style))
        table.add_row(*cells)
    return table


def side_by_side(*items: tuple[str, RenderableType], gap: int = 3) -> Table:
    """Renderables next to each other, each under its own title (before/after comparisons)."""
    grid = Table.grid(padding=(0, gap))
    for _ in items:
        grid.add_column()
    if any(title for title, _ in items):
        grid.add_row(*[Text(title, style="bold") for title, _ in items])
    grid.add_row(*[thing for _, thing in items])
    return grid
