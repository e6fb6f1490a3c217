"""The frame every showcase shares, so each showcase script keeps only its own story.

A showcase script is a docstring whose first line is "Showcase NN · Title: what it shows" (the one
place its title is written), a `main(show)` function, and:

    import _look  # first of the third-party imports: see below
    ...
    if __name__ == "__main__":
        sys.exit(_look.run(__file__, main))

`run` parses `--workspace DIR` / `--fast`, puts the workspace's folder first on `sys.path` (so
`import tinytorch` is the STUDENT's code; the repository root comes next, for `showcases.datasets`
and `tracker`), checks that the course module unlocking the showcase and everything it builds on
is complete (`_prerequisites`: importing it and running its smoke checks), prints the
header, calls `main`, and turns Ctrl-C or a crash in student code into one clear line.
A module that is not complete ends the run with exit code 2 and a message naming it.

Importing this module gives the process `showcases.environment()`'s one BLAS thread (unless the
user chose a number). Numpy reads that only when it is first imported, so a script imports `_look`
before numpy; isort keeps `import _look` ahead of `import numpy`. Drawing lives in `_draw`.

The console prints no escape codes when piped, under NO_COLOR or on a dumb terminal, and is at most
80 columns wide. `Showcase.live` redraws in place in a terminal and prints only the last frame otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _prerequisites import (
    first_line,
    module_problem,
    report_incomplete,
    student_origin,
    student_package_problem,
)
from rich import box
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

REPO = Path(__file__).resolve().parent.parent
WIDTH = 80
INCOMPLETE = 2  # exit code: a module the showcase needs is not complete


def _one_blas_thread() -> None:
    """Give this process the environment a showcase is started in (one BLAS thread), before numpy loads."""
    if str(REPO) not in sys.path:
        sys.path.append(str(REPO))  # last: `use_workspace` puts the student's code ahead of it
    from showcases import environment

    os.environ.update(environment())


_one_blas_thread()


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


# ---------------------------------------------------------------------------- the showcase

class Showcase:
    """One running showcase: its console, pacing (`--fast`), timing and the shared panels."""

    def __init__(self, script: Path, workspace: Path, fast: bool, console: Console, unlocked_by: Any) -> None:
        from showcases import showcase_title

        self.name = script.stem
        self.number = script.stem[:2]
        self.title = showcase_title(script.stem)
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

    @contextmanager
    def live(self, renderable: RenderableType) -> Iterator[Live | LastFrame]:
        """A display redrawn in place: `with show.live(frame) as view: ... view.update(new_frame)`.

        In a terminal a rich Live (about 8 redraws a second). On plain output (piped, NO_COLOR) no
        intermediate frames: the last one is printed once, on its own lines, when the block ends.
        `show.print` inside the block prints above the display in both.
        """
        if self.console.is_terminal:  # make_console says no for piped output, NO_COLOR and TERM=dumb
            with Live(renderable, console=self.console, refresh_per_second=8, transient=False) as view:
                yield view
            return
        view = LastFrame(renderable)
        yield view
        self.print(view.renderable)

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


class LastFrame:
    """What `Showcase.live` hands out on plain output: it only remembers the latest frame."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def update(self, renderable: RenderableType, refresh: bool = False) -> None:
        """Keep `renderable` as the frame to print when the display ends (`refresh` is for rich's signature)."""
        self.renderable = renderable


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
    problem = student_package_problem(workspace)
    if problem:
        sys.stderr.write(problem + "\n")
        return INCOMPLETE
    from tracker import catalog

    unlocked_by = next(m for m in catalog.modules() if m.showcase == path.stem)
    for module in (*catalog.prerequisites(unlocked_by.id), unlocked_by):
        problem = module_problem(module)
        if problem is not None:
            report_incomplete(module, problem, path.stem[:2], unlocked_by)
            return INCOMPLETE
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
        module, where = student_origin(error, workspace)
        sys.stdout.flush()
        if isinstance(error, NotImplementedError) and module is not None:
            hint = str(error).strip()
            report_incomplete(module, f"not implemented yet{f' ({hint})' if hint else ''}", path.stem[:2],
                              unlocked_by)
            return INCOMPLETE
        message = textwrap.fill(f"The showcase stopped: {first_line(error)}", WIDTH, subsequent_indent="  ")
        sys.stderr.write(f"\n{message}\n  raised at {where}\n")
        return 1
    return 0


class Timer:
    """`with Timer() as t: ...` then `t.seconds`."""

    seconds: float = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


def seconds_per_call(budget: float, call: Callable[..., object], *args: Any) -> float:
    """Mean seconds per `call(*args)`, called at least 3 times and for about `budget` seconds."""
    runs, start = 0, time.perf_counter()
    while runs < 3 or time.perf_counter() - start < budget:
        call(*args)
        runs += 1
    return (time.perf_counter() - start) / runs
