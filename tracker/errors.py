"""The one exception type the CLI turns into a single clear line and a non-zero exit."""

from __future__ import annotations

from pathlib import Path


class TrackerError(Exception):
    """A problem the user can fix; its message is shown as is, never with a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def why(err: OSError) -> str:
    """An OS error in a few words ("a file is in the way" rather than "[Errno 17] File exists")."""
    if isinstance(err, (FileExistsError, NotADirectoryError)):
        return "a file is in the way"
    return err.strerror or str(err)


def make_folder(folder: Path, hint: str = "") -> None:
    """mkdir -p, or one clear line saying why the folder cannot be made (followed by `hint`)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise TrackerError(f"cannot create the folder {folder}: {why(err)}{hint}") from None
