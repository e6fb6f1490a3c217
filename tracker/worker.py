"""The child side of the sandbox: one forked process that imports the student's file and runs its checks.

Everything here runs after fork() in the zygote (tracker/zygote.py) and ends with os._exit, so it may change
process-wide state freely. Results are appended, one JSON object per line, to a file named by the zygote: a
file (opened afresh for every record) survives student code that closes or steals file descriptors, and the
records written before a crash or a timeout still tell the zygote how far the run got.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import importlib
import importlib.machinery
import importlib.util
import io
import json
import marshal
import os
import resource
import signal
import sys
import sysconfig
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, NoReturn

from tracker import procs

ERROR_LINE_LIMIT = 300
FILE_SIZE_LIMIT = 256 * 1024 * 1024  # a runaway writer gets EFBIG instead of filling the disk
PROCESS_LIMIT = 4096  # per user: slows a fork bomb down until the timeout kills the process group
INTERNAL_ERROR_EXIT = 117  # the child's own machinery failed (e.g. its records file was deleted)


class _FreshLoader(importlib.machinery.SourceFileLoader):
    """Loads the student's source as it is now: no __pycache__ read or written in the workspace.

    Python's bytecode caches are validated by mtime in whole seconds and size, so two saves within a second
    that keep the size (`x = 1` -> `x = 2`) would run the old code. Code objects are cached instead in the
    zygote's scratch folder, keyed by a hash of the path and the exact source bytes.
    """

    code_cache = ""

    def get_code(self, fullname: str) -> Any:
        path = self.get_filename(fullname)
        source = self.get_data(path)
        key = hashlib.blake2b(path.encode() + b"\0" + source, digest_size=16).hexdigest()
        cached = os.path.join(self.code_cache, key)
        try:
            with open(cached, "rb") as f:
                return marshal.loads(f.read())
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = self.source_to_code(source, path)
        try:
            with open(f"{cached}.{os.getpid()}", "wb") as f:
                f.write(marshal.dumps(code))
            os.replace(f"{cached}.{os.getpid()}", cached)
        except OSError:
            pass
        return code


def run_child(job: dict[str, Any], output_fd: int, zygote_pid: int) -> NoReturn:
    """Entry point in the forked child; never returns."""
    code = 0
    try:
        _isolate(job, output_fd, zygote_pid)
        _run(job)
    except BaseException:  # nothing may escape back into the zygote's loop
        code = INTERNAL_ERROR_EXIT
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # the student may have closed or replaced it
                pass
        os._exit(code)


def _isolate(job: dict[str, Any], output_fd: int, zygote_pid: int) -> None:
    """Own session and process group, limits, bounded stdio, fresh imports from the workspace only."""
    os.setsid()
    procs.prctl(procs.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote_pid:
        os._exit(71)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    limit = int(job["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    _, max_procs = resource.getrlimit(resource.RLIMIT_NPROC)
    if max_procs == resource.RLIM_INFINITY or max_procs > PROCESS_LIMIT:
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESS_LIMIT, PROCESS_LIMIT))  # not enforced for root

    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )

    workspace = job["workspace"]
    os.chdir(workspace)
    sys.dont_write_bytecode = True
    sys.path[:] = [workspace] + [p for p in sys.path if p not in ("", workspace)]
    sys.meta_path.insert(0, _WorkspaceFinder(workspace))
    _FreshLoader.code_cache = job["code_cache"]


def _record(job: dict[str, Any], **fields: Any) -> None:
    fields["pid"] = os.getpid()
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    try:
        fd = os.open(job["records"], flags, 0o600)
    except OSError as err:
        if err.errno not in (errno.EMFILE, errno.ENFILE):
            raise
        os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])  # the code used up every descriptor
        fd = os.open(job["records"], flags, 0o600)
    try:
        os.write(fd, (json.dumps(fields) + "\n").encode())
    finally:
        os.close(fd)


def _run(job: dict[str, Any]) -> None:
    before = set(sys.modules)
    try:
        _import_and_check(job)
    finally:
        _record(job, phase="learned", names=learnable(before))


def _import_and_check(job: dict[str, Any]) -> None:
    workspace = job["workspace"]
    try:
        checks_module = importlib.import_module(job["checks"])
    except BaseException as exc:
        _record(job, phase="checks_error", error=first_error_line(exc, workspace))
        return
    checks = discover_checks(checks_module)
    _record(job, phase="checks", names=[name for name, _ in checks])

    _record(job, phase="import")
    try:
        importlib.import_module(module_name(job["file"]))
    except BaseException as exc:  # SystemExit/KeyboardInterrupt at import are errors too
        _record(job, phase="import_error", error=first_error_line(exc, workspace))
        return
    _record(job, phase="imported")

    for name, fn in checks:
        _record(job, phase="running", check=name)
        status, error = run_check(fn, workspace)
        _record(job, phase="outcome", check=name, status=status, error=error)
    _record(job, phase="done")


@functools.lru_cache(maxsize=1)
def _library_roots() -> tuple[tuple[str, ...], tuple[str, ...]]:
    paths = sysconfig.get_paths()
    stdlib = tuple({os.path.join(paths[k], "") for k in ("stdlib", "platstdlib")})
    site = tuple({os.path.join(paths[k], "") for k in ("purelib", "platlib")})
    return stdlib, site


def learnable(before: set[str]) -> list[str]:
    """Modules this run imported that the zygote may safely pre-import for the next runs: the standard
    library and numpy only (never the student's code, never other third-party packages)."""
    stdlib, site = _library_roots()
    names = []
    for name, module in list(sys.modules.items()):
        top = name.partition(".")[0]
        if name in before or top in ("tinytorch", "tracker", "__main__"):
            continue
        file = getattr(module, "__file__", None) or ""
        in_stdlib = file.startswith(stdlib) and not file.startswith(site)
        if top == "numpy" or in_stdlib or (not file and name in sys.builtin_module_names):
            names.append(name)
    return names


class _WorkspaceFinder:
    """Resolves `tinytorch` and `tinytorch.*` inside the workspace only.

    Without it a missing student file could be found elsewhere: the tracker's own reference copy via an
    editable-install finder, or site-packages. A name not in the workspace is a ModuleNotFoundError.
    """

    def __init__(self, workspace: str) -> None:
        self.workspace = workspace

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "tinytorch" and not fullname.startswith("tinytorch."):
            return None
        base = os.path.join(self.workspace, *fullname.split("."))
        init = os.path.join(base, "__init__.py")
        if os.path.isfile(init):
            return importlib.util.spec_from_file_location(
                fullname, init, loader=_FreshLoader(fullname, init), submodule_search_locations=[base]
            )
        source = base + ".py"
        if os.path.isfile(source):
            return importlib.util.spec_from_file_location(fullname, source, loader=_FreshLoader(fullname, source))
        if os.path.isdir(base):
            spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = [base]
            return spec
        raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)


def module_name(file: str) -> str:
    """`tinytorch/tensor.py` -> `tinytorch.tensor`."""
    return Path(file).with_suffix("").as_posix().replace("/", ".")


def discover_checks(module: ModuleType) -> list[tuple[str, Any]]:
    """The module's own `check_*` functions, in definition order."""
    return [
        (name, value)
        for name, value in vars(module).items()
        if name.startswith("check_") and callable(value) and getattr(value, "__module__", None) == module.__name__
    ]


def run_check(fn: Any, workspace: str) -> tuple[str, str]:
    """Run one check: ("passed", ""), ("not_implemented", line) or ("failed", line)."""
    try:
        fn()
    except BaseException as exc:  # MemoryError, RecursionError, SystemExit all count as failures
        missing = _not_implemented(exc)
        if missing is not None:
            return "not_implemented", first_error_line(missing, workspace)
        return "failed", first_error_line(exc, workspace)
    return "passed", ""


def _not_implemented(exc: BaseException) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, NotImplementedError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def first_error_line(exc: BaseException, workspace: str) -> str:
    """One line a student can act on: `Type: message (file.py, line N)`."""
    kind = type(exc).__name__
    if isinstance(exc, SyntaxError):
        text = f"{kind}: {exc}"
    else:
        if isinstance(exc, SystemExit):
            message = f"sys.exit({exc.code!r}) was called"
        else:
            # every line, joined: a multi-line message (a numpy array in an assert) keeps its "got ..."
            message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        text = f"{kind}: {message}" if message else kind
        where = _location(exc.__traceback__, workspace)
        if where:
            text += f" ({where})"
    return text if len(text) <= ERROR_LINE_LIMIT else text[: ERROR_LINE_LIMIT - 3] + "..."


def _location(tb: TracebackType | None, workspace: str) -> str:
    """The innermost frame in the student's code, else in a checks module."""
    student = checks = ""
    prefix = os.path.join(workspace, "")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(prefix):
            student = f"{os.path.basename(filename)}, line {tb.tb_lineno}"
        elif f"{os.sep}checks{os.sep}" in filename:
            checks = f"checks/{os.path.basename(filename)}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return student or checks
