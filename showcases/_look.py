"""The shared look and feel of the showcases, so each showcase script keeps only its own story.

A showcase is a `main(show)` function plus two lines:

    if __name__ == "__main__":
        raise SystemExit(run(__file__, main))

`run` parses `--workspace DIR` / `--fast`, puts the workspace's folder first on `sys.path` (so
`import tinytorch` is the STUDENT's code; the repository root comes next, for `showcases.datasets`
and `tracker`), checks that the course module unlocking the showcase and everything it builds on
is complete (by importing it and running its smoke checks from `tracker/checks/`), prints the
header, calls `main`, and turns Ctrl-C or a crash in student code into one clear line.
A module that is not complete ends the run with exit code 2 and a message naming it.

Drawing helpers return rich renderables that choose colour or plain text at render time:
`Picture` (images, feature maps), `Heatmap`, `Chart` (line plots), `matrix_table`, `bar`,
`sparkline`, `side_by_side`. The console prints no escape codes when piped, under NO_COLOR or on a
dumb terminal, and is at most 80 columns wide.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich import box
from rich.color import Color
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.measure import Measurement
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

REPO = Path(__file__).resolve().parent.parent
WIDTH = 80
RAMP = " .:-=+*#%@"  # plain-text brightness, dark to bright
INCOMPLETE = 2  # exit code: a module the showcase needs is not complete


# ---------------------------------------------------------------------------- console

def plain_output(stream: Any = None) -> bool:
    """True when escape codes must not be printed: NO_COLOR, TERM=dumb, or not a terminal."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR", "") != "" or os.environ.get("TERM") == "dumb":
        return True
    if os.environ.get("FORCE_COLOR", "") != "":
        return False
    return not (hasattr(stream, "isatty") and stream.isatty())


def make_console(stream: Any = None) -> Console:
    """A console at most 80 columns wide; plain text (no colour, no cursor moves) when `plain_output`."""
    width = max(40, min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns))
    common = {"file": stream, "width": width, "highlight": False, "emoji": False}
    if plain_output(stream):
        return Console(color_system=None, force_terminal=False, force_interactive=False, **common)
    return Console(**common)


# ---------------------------------------------------------------------------- prerequisites

def _prerequisites(ids: Sequence[str]) -> list[Any]:
    """The catalog modules `ids` and everything they build on, in course order."""
    from tracker import catalog

    wanted: set[str] = set()
    todo = list(ids)
    while todo:
        module = catalog.module(todo.pop())
        if module.id not in wanted:
            wanted.add(module.id)
            todo.extend(module.requires)
    return [m for m in catalog.modules() if m.id in wanted]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def module_problem(module: Any) -> str | None:
    """Why a catalog module is not complete in the student's code, or None when it is.

    Complete means: its file imports and every `check_*` in `tracker/checks/<id>.py` passes,
    the same rule the tracker uses.
    """
    try:
        importlib.import_module("tinytorch." + Path(module.file).stem)
    except (Exception, SystemExit) as error:
        return f"{module.file} does not import ({_first_line(error)})"
    try:
        checks = importlib.import_module(f"tracker.checks.{module.id}")
    except ModuleNotFoundError as error:
        if error.name != f"tracker.checks.{module.id}":
            raise
        return None
    for name, check in vars(checks).items():
        if not (name.startswith("check_") and callable(check)):
            continue
        try:
            check()
        except NotImplementedError as error:
            hint = str(error).strip()
            return f"not implemented yet{f' ({hint})' if hint else ''}"
        except (Exception, SystemExit) as error:
            return f"{name} fails ({_first_line(error)})"
    return None


def require(ids: Sequence[str], showcase: str) -> None:
    """Exit with code 2 and one clear message when a needed module is not complete."""
    for module in _prerequisites(ids):
        problem = module_problem(module)
        if problem is not None:
            _report(module, problem, showcase)
            raise SystemExit(INCOMPLETE)


def _report(module: Any, problem: str, showcase: str) -> None:
    reason = textwrap.fill(problem, WIDTH - 2, initial_indent="  ", subsequent_indent="    ")
    sys.stderr.write(
        f"Showcase {showcase} needs Module {module.number:02d} ({module.title}), which is not complete:\n"
        f"{reason}\nSee its state with:  tinytorch-tracker check {module.id}\n"
    )


# ---------------------------------------------------------------------------- the showcase

class Showcase:
    """One running showcase: its console, pacing (`--fast`), timing and the shared panels."""

    def __init__(self, script: Path, workspace: Path, fast: bool, console: Console, unlocked_by: Any) -> None:
        self.name = script.stem
        self.number = script.stem[:2]
        self.title = script.stem[3:].replace("_", " ").title()
        self.workspace = workspace
        self.fast = fast
        self.console = console
        self.unlocked_by = unlocked_by
        self.started = time.perf_counter()

    @property
    def plain(self) -> bool:
        """True when output has no colour (piped, NO_COLOR): draw with characters instead."""
        return self.console.color_system is None

    @property
    def elapsed(self) -> float:
        """Seconds since the showcase started."""
        return time.perf_counter() - self.started

    def pick(self, normal: Any, fast: Any) -> Any:
        """`normal` by default, `fast` under --fast: same code path, less work."""
        return fast if self.fast else normal

    def pause(self, seconds: float) -> None:
        """A reading pause between sections; skipped under --fast."""
        if not self.fast:
            time.sleep(seconds)

    def print(self, *things: Any, markup: bool = False, **kwargs: Any) -> None:
        """Print through the showcase console; strings are literal (style with rich Text)."""
        self.console.print(*things, markup=markup, **kwargs)

    def header(self) -> None:
        """The opening panel: which showcase, which module unlocked it, whose code it runs on."""
        m = self.unlocked_by
        body = Text.assemble(
            ("Look what you built!\n", "bold"),
            f"Unlocked by Module {m.number:02d} ({m.title}) · running on YOUR code in\n",
            (str(self.workspace / "tinytorch"), "cyan"),
            ("\n--fast: less work, no pauses" if self.fast else "", "dim"),
        )
        title = Text(f"Showcase {self.number} · {self.title}", style="bold")
        self.print(Panel(body, title=title, border_style="magenta", box=box.DOUBLE))

    def section(self, title: str) -> None:
        """Start a part of the story."""
        self.print()
        self.console.rule(Text(title, style="bold cyan"), style="cyan")

    def built(self, message: str, highlights: Sequence[str]) -> None:
        """The closing "what you built" panel, with how long the showcase took."""
        lines = [Text(message, style="bold green"), Text()]
        lines += [Text(f"• {h}") for h in highlights]
        lines += [Text(), Text(f"Showcase ran in {self.elapsed:.1f} s on your own code.", style="dim")]
        self.print()
        self.print(Panel(Group(*lines), title=Text("What you built", style="bold"), border_style="green"))


def _parse(script: Path, argv: Sequence[str] | None) -> argparse.Namespace:
    doc = (sys.modules["__main__"].__doc__ or "").strip()
    parser = argparse.ArgumentParser(prog=script.name, description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--workspace", type=Path, default=Path.cwd(),
                        help="folder holding your tinytorch/ (default: the current directory)")
    parser.add_argument("--fast", action="store_true", help="same demo, less work, no pauses (< 3 s)")
    return parser.parse_args(argv)


def use_workspace(workspace: Path) -> None:
    """Put the student's workspace first on sys.path and the repository right after it."""
    for entry in (str(REPO), str(workspace)):
        while entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)


def run(script: str, main: Callable[[Showcase], None], argv: Sequence[str] | None = None) -> int:
    """Run a showcase script's `main` on the student's workspace; the process exit code.

    The module that unlocks the showcase (from the catalog) and everything it builds on must be complete.
    """
    path = Path(script).resolve()
    args = _parse(path, argv)
    workspace = args.workspace.resolve()
    if not (workspace / "tinytorch").is_dir():
        sys.stderr.write(f"No tinytorch/ folder in\n  {workspace}\n"
                         "Pass --workspace DIR, the folder that holds your tinytorch/.\n")
        return INCOMPLETE
    use_workspace(workspace)
    problem = _student_package(workspace)
    if problem:
        sys.stderr.write(problem + "\n")
        return INCOMPLETE
    from tracker import catalog

    unlocked_by = next(m for m in catalog.modules() if m.showcase == path.stem)
    try:
        require([unlocked_by.id], path.stem[:2])
    except SystemExit as stop:
        return int(stop.code or 0)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    show = Showcase(path, workspace, args.fast, make_console(), unlocked_by)
    try:
        show.header()
        main(show)
    except KeyboardInterrupt:
        show.print("\nStopped.")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # student code the smoke checks did not reach: one clear message
        module, where = _origin(error, workspace)
        sys.stdout.flush()
        if isinstance(error, NotImplementedError) and module is not None:
            hint = str(error).strip()
            _report(module, f"not implemented yet{f' ({hint})' if hint else ''}", path.stem[:2])
            return INCOMPLETE
        message = textwrap.fill(f"The showcase stopped: {_first_line(error)}", WIDTH, subsequent_indent="  ")
        sys.stderr.write(f"\n{message}\n  raised at {where}\n")
        return 1
    return 0


def _student_package(workspace: Path) -> str | None:
    """Why `import tinytorch` would not be the workspace's own package, or None when it is.

    Without tinytorch/__init__.py the folder is only a namespace portion, and the installed reference
    package would be imported instead: the showcase must never run that as the student's code.
    """
    try:
        import tinytorch
    except (Exception, SystemExit) as error:
        return f"{workspace / 'tinytorch' / '__init__.py'} does not import:\n  {_first_line(error)}"
    found = Path(getattr(tinytorch, "__file__", None) or "").resolve().parent
    if found != (workspace / "tinytorch").resolve():
        return (f"{workspace / 'tinytorch'} is not a package (no __init__.py?),\n"
                f"so `import tinytorch` found {found} instead.")
    return None


def _origin(error: BaseException, workspace: Path) -> tuple[Any, str]:
    """The catalog module of the innermost student frame in the traceback, and where it raised."""
    from tracker import catalog

    module, where, tb = None, "?", error.__traceback__
    student = str(workspace / "tinytorch")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        where = f"{filename}:{tb.tb_lineno}"
        if filename.startswith(student):
            module = catalog.module_for_file(filename) or module
        tb = tb.tb_next
    return module, where


class Timer:
    """`with Timer() as t: ...` then `t.seconds`."""

    seconds: float = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


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

    `values=True` writes each number in its cell (`fmt`), else cells are `cell` characters wide.
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
        yield Segment(" " * self.label + "".join(c[: self.cell].center(self.cell) for c in self.cols))
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
