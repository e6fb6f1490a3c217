"""The one exception type the CLI turns into a single clear line and a non-zero exit."""

from __future__ import annotations


class TrackerError(Exception):
    """A problem the user can fix; its message is shown as is, never with a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
