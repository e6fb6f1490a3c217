"""The real `tinytorch-tracker watch` in a pseudo-terminal (80 columns): a save unlocks, the panel
pops up and the module's showcase plays on the terminal; `--no-showcase` keeps it quiet; Ctrl-C ends it all."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import termios
import threading
import time
from pathlib import Path

from conftest import REPO, atomic_write, descendants, process_exists, reference_source, tracker_cmd

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")


class Terminal:
    """A command running on a pseudo-terminal of `cols` x `rows`, its screen output collected as text."""

    def __init__(self, argv: list[str], cols: int = 80, rows: int = 30) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES", "CI")}
        env.pop("TINYTORCH_TRACKER_DB", None)
        env["TERM"] = "xterm-256color"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size the terminal, then become the command
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.chdir(REPO)
            os.execvpe(argv[0], argv, env)
        self.raw = bytearray()
        self.status: int | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # EIO: the child side closed
                return
            if not chunk:
                return
            self.raw.extend(chunk)

    @property
    def text(self) -> str:
        return _ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def wait_for(self, needle: str, timeout: float = 30.0) -> float:
        """Seconds until `needle` shows up on the screen; fails with the screen after `timeout`."""
        started = time.monotonic()
        while needle not in self.text:
            if time.monotonic() - started > timeout:
                raise AssertionError(f"{needle!r} not seen within {timeout} s; screen:\n{self.text[-3000:]}")
            time.sleep(0.02)
        return time.monotonic() - started

    def ctrl_c(self, timeout: float = 5.0) -> tuple[int, float]:
        """Type Ctrl-C; (exit code, seconds until the command exited)."""
        started = time.monotonic()
        os.write(self.fd, b"\x03")
        while time.monotonic() - started < timeout:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status, time.monotonic() - started
            time.sleep(0.02)
        self.kill()
        raise AssertionError(f"still running {timeout} s after Ctrl-C; screen:\n{self.text[-3000:]}")

    def kill(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.status = -9
        self._reader.join(1)
        os.close(self.fd)


def _watch(workspace: Path, *extra: str) -> Terminal:
    return Terminal([*tracker_cmd(), "watch", "--workspace", str(workspace), *extra])


def test_save_unlocks_then_the_showcase_plays_on_the_terminal(workspace: Path) -> None:
    term = _watch(workspace)
    try:
        term.wait_for("watching")
        term.wait_for("0/16 complete")  # the live status box is drawn
        saved = time.monotonic()
        atomic_write(workspace / "tinytorch" / "tensor.py", reference_source("tensor.py"))
        term.wait_for("capability unlocked")
        panel_s = time.monotonic() - saved
        term.wait_for("01 tensor operations: playing now")
        term.wait_for("Look what you built!")  # the showcase's own header, on the same terminal
        showcase_s = time.monotonic() - saved
        screen = term.text
        assert "02 tensor: complete" in screen and "02 Tensor:" in screen
        assert "now open  03 activations · 04 layers · 09 dataloader · 13 kernels" in screen
        print(f"save -> unlock panel {panel_s:.2f} s, save -> showcase on screen {showcase_s:.2f} s")
        children = descendants(term.pid)
        code, took = term.ctrl_c()
        assert code == 0 and took < 3, (code, took, term.text[-2000:])
        time.sleep(0.2)
        assert not [p for p in children if process_exists(p)], "a showcase or check outlived watch"
    finally:
        term.kill()


def test_no_showcase_shows_the_panel_but_plays_nothing(workspace: Path) -> None:
    term = _watch(workspace, "--no-showcase")
    try:
        term.wait_for("watching")
        atomic_write(workspace / "tinytorch" / "tensor.py", reference_source("tensor.py"))
        term.wait_for("01 tensor operations: run `tinytorch-tracker showcase 01`")
        time.sleep(1.0)
        assert "Look what you built!" not in term.text
        code, took = term.ctrl_c()
        assert code == 0 and took < 3
        assert "1/16 complete" in term.text  # the final status stays on screen
    finally:
        term.kill()


def test_a_save_shows_its_whole_error_and_an_unchanged_save_is_still_acknowledged(workspace: Path) -> None:
    term = _watch(workspace, "--no-showcase")
    try:
        term.wait_for("0/16 complete")
        source = reference_source("tensor.py")
        broken = source.rstrip("\n") + "\nbroken = print(\n"
        where = f"(tensor.py, line {broken.count(chr(10))})"
        atomic_write(workspace / "tinytorch" / "tensor.py", broken)
        term.wait_for(where)  # the end of the error, not cropped at 80 columns
        assert re.search(r"02 tensor: broken \(\d+ ms\)\n +SyntaxError: '\(' was never closed " + re.escape(where),
                         term.text), term.text[-3000:]
        atomic_write(workspace / "tinytorch" / "tensor.py", broken + "# saved again, the same error\n")
        term.wait_for("· 02 tensor: still broken")
        assert term.text.count("was never closed") == 1  # the repeat is one line, not the error again
        code, _ = term.ctrl_c()
        assert code == 0
    finally:
        term.kill()
