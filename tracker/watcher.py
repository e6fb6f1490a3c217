"""Watches `<workspace>/tinytorch/` and yields the Python files that changed, burst by burst.

Built on watchfiles' `awatch`: `step` (ms of quiet that ends a burst) is small so a save is seen in
a few ms, while a burst of writes (a `git checkout`) still arrives as one batch; `debounce` caps how
long a never-ending burst is held. Only `*.py` files directly in `tinytorch/` pass the filter, so
editor temp/swap/backup files, caches and `.tinytorch/` never trigger. Whether a file's content
really changed is decided by `ContentHashes`, not here.
"""

from __future__ import annotations

import hashlib
import logging
import stat
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from pathlib import Path

log = logging.getLogger("tinytorch-tracker")

STEP_MS = 4
DEBOUNCE_MS = 400
POLL_DELAY_MS = 50
RUST_TIMEOUT_MS = 5_000  # also how often the watched folder's identity is re-checked when all is quiet
REATTACH_POLL_S = 0.1  # how often a vanished tinytorch/ is looked for
# file systems where inotify events do not arrive (network mounts, WSL's Windows drives, VM shares)
_NO_NATIVE_EVENTS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "drvfs", "v9fs", "vboxsf", "fuse.sshfs",
                     "afs", "ncpfs", "fuse.rclone", "prl_fs", "vmhgfs", "fuse.vmhgfs-fuse"}


def is_source_file(path: str | Path, source_dir: Path) -> bool:
    """A `.py` file (importable name) directly inside the watched `tinytorch/` folder."""
    p = Path(path)
    return p.parent == source_dir and p.suffix == ".py" and p.stem.isidentifier()


def mount_type(path: Path, mounts: str | None = None) -> str | None:
    """The file system type holding `path` (from /proc/mounts, or `mounts` text), None when unknown."""
    try:
        lines = (Path("/proc/mounts").read_text() if mounts is None else mounts).splitlines()
    except OSError:
        return None
    best, best_type = "", None
    target = str(path.resolve())
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mnt = parts[1].replace("\\040", " ")
        if (target == mnt or target.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
            best, best_type = mnt, parts[2]
    return best_type


def polling_reason(path: Path, mounts: str | None = None) -> str | None:
    """Why native file events will not work for `path`, or None when they should."""
    fs = mount_type(path, mounts)
    if fs in _NO_NATIVE_EVENTS:
        return f"{path} is on a '{fs}' file system, where change notifications do not arrive"
    return None


def folder_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the folder at `path`; None when there is no folder there (gone, or a file)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


EMPTY = _hash(b"")


class ContentHashes:
    """Remembers each file's content hash, so a save that changes nothing checks nothing."""

    def __init__(self) -> None:
        self._known: dict[Path, str | None] = {}

    @staticmethod
    def digest(path: Path) -> str | None:
        """The content hash; None for a missing file, EMPTY for an empty one (maybe mid-write)."""
        try:
            return _hash(path.read_bytes())
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as err:  # unreadable right now (permissions, a half-done rename): treat as new
            return f"unreadable:{err.errno}"

    def known(self) -> list[Path]:
        """Every path recorded so far (including ones last seen missing)."""
        return list(self._known)

    def snapshot(self, paths: list[Path]) -> None:
        """Record the current content of every path."""
        for p in paths:
            self._known[p] = self.digest(p)

    def differs(self, path: Path) -> bool:
        """True when `path` differs from what was last recorded (without recording it)."""
        return self._known.get(path, "never seen") != self.digest(path)

    def update(self, path: Path, digest: str | None) -> bool:
        """Record `digest` for `path`; True when it differs from what was recorded before."""
        if path in self._known and self._known[path] == digest:
            return False
        self._known[path] = digest
        return True


async def watch_sources(
    source_dir: Path,
    poll: bool = False,
    on_note: Callable[[str], None] | None = None,
    stop_event: object | None = None,
) -> AsyncIterator[set[Path]]:
    """Yield sets of changed source files under `source_dir` until cancelled (or `stop_event` set).

    Falls back to polling, with a note, when native events are unavailable (a file system without
    them, the inotify watch limit reached, or an OS error starting the watcher).

    The watch follows a folder, not a path: when `source_dir` is moved away, deleted or replaced (a
    restore from backup), a note says so, the watcher re-attaches to whatever folder is at the path
    now (waiting for one to come back if needed) and yields a set holding `source_dir` itself,
    meaning "anything may have changed: compare everything".
    """
    import anyio
    from watchfiles import awatch

    note = on_note or (lambda msg: log.warning("%s", msg))
    if not poll:
        reason = polling_reason(source_dir)
        if reason:
            note(f"{reason}: polling for changes every {POLL_DELAY_MS} ms instead (--poll)")
            poll = True
    name = f"{source_dir.name}/"
    root = str(source_dir)

    def keep(_change: object, path: str) -> bool:
        return path == root or is_source_file(path, source_dir)

    def stopped() -> bool:
        is_set = getattr(stop_event, "is_set", None)
        return bool(is_set and is_set())

    attached: tuple[int, int] | None = None  # the folder being watched
    lost = False  # the watched folder was moved, deleted or replaced
    while True:
        current = folder_identity(source_dir)
        if current is None:
            note(f"{name} is gone: waiting for it to come back")
            if attached is not None:
                yield {source_dir}  # its files are missing now: their modules are reported broken
            while current is None:
                if stopped():
                    return
                await anyio.sleep(REATTACH_POLL_S)
                current = folder_identity(source_dir)
            note(f"{name} is back: watching it again")
            yield {source_dir}
        elif lost:
            note(f"{name} was replaced: watching the new folder")
            yield {source_dir}
        attached, lost = current, False
        try:
            # nothing awaits between the yield above and this: the caller compares files once it is watched
            async with aclosing(awatch(
                source_dir, watch_filter=keep, debounce=DEBOUNCE_MS, step=STEP_MS,
                rust_timeout=RUST_TIMEOUT_MS, force_polling=poll, poll_delay_ms=POLL_DELAY_MS,
                stop_event=stop_event, recursive=False, yield_on_timeout=True,
            )) as batches:
                async for changes in batches:
                    paths = {Path(p) for _, p in changes}
                    files = paths - {source_dir}
                    if files:
                        yield files
                    # an event on the folder itself, or (the periodic check) another folder at its path
                    if source_dir in paths or folder_identity(source_dir) != attached:
                        lost = True
                        break
                else:
                    return
        except OSError as err:
            if folder_identity(source_dir) != attached:
                lost = True
                continue  # it vanished or changed as the watch started: attach again
            if poll:
                raise
            limit = "watch limit" in str(err).lower() or getattr(err, "errno", None) == 28
            hint = " (raise it with: sysctl fs.inotify.max_user_watches=524288)" if limit else ""
            note(f"native file events unavailable ({err}){hint}: "
                 f"polling for changes every {POLL_DELAY_MS} ms instead")
            poll = True
