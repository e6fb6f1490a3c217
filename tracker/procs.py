"""Process plumbing shared by the sandbox's three sides: prctl, killing a run's process group, reaping.

Linux only (prctl and /proc), like the sandbox itself.
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def prctl(option: int, value: int) -> None:
    """Call prctl(2). Errors are ignored: without it runs still work, only the clean-up is weaker."""
    ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def kill_group(pid: int, group_only: bool = False) -> None:
    """SIGKILL a run's child and its whole process group (the child is a session leader: pgid == pid).

    `group_only` for a pid that may already be reaped and reused: the group id stays reserved while any
    member lives, a bare pid does not.
    """
    for kill in (os.killpg,) if group_only else (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def children() -> list[int]:
    """This process's children (from /proc; the per-task list where the kernel has it)."""
    me = os.getpid()
    pids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{me}/task"):
            with open(f"/proc/{me}/task/{tid}/children") as f:
                pids.extend(int(p) for p in f.read().split())
        return pids
    except OSError:
        pass
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                pids.append(int(entry))
    return pids


def sweep() -> None:
    """Kill and reap every remaining descendant (all of them are re-parented to this subreaper)."""
    for _ in range(1000):
        pids = children()
        if not pids:
            return
        for pid in pids:
            kill_group(pid)
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
