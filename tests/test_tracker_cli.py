"""The command line: --help everywhere, JSON formats, and one-line errors instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import atomic_write, reference_source, run_cli

from tracker import catalog
from tracker.states import STATES

COMMANDS = ["init", "watch", "check", "status", "history", "showcase", "demo"]
ROW_KEYS = {"module", "number", "state", "passed", "failed", "error"}


def test_every_command_has_help() -> None:
    top = run_cli("--help")
    assert top.returncode == 0
    assert all(c in top.stdout for c in COMMANDS)
    for command in COMMANDS:
        if command == "demo":
            continue  # delegated to the demo script, which has its own --help
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "usage: tinytorch-tracker " + command in result.stdout


HEAVY = ("numpy", "sqlite_utils", "rich", "anyio", "watchfiles")


@pytest.mark.parametrize("args, needed", [
    (["--help"], set()),
    (["check", "--help"], set()),
    (["history"], set()),
    (["history", "--json"], set()),
    (["status", "--json"], set()),
    (["status"], {"rich"}),
])
def test_read_only_commands_stay_off_heavy_imports(workspace: Path, args: list[str], needed: set[str]) -> None:
    """What keeps `--help` and `history` quick (bench/cli_latency.py has the figures): they load none of
    the heavy libraries (sqlite-utils pulls in numpy), and `status` only rich for its table."""
    code = ("import sys\nfrom tracker.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                          cwd=workspace)
    loaded = [line for line in done.stderr.splitlines() if line.startswith("LOADED")]
    assert loaded == [f"LOADED {sorted(needed)!r}"], done.stderr


@pytest.mark.parametrize("args, expected", [
    (["status"], "no tinytorch/ folder"),
    (["check", "tensor"], "no tinytorch/ folder"),
    (["watch"], "no tinytorch/ folder"),
    (["check", "nonsense", "--workspace", "{ws}"], "unknown module 'nonsense'"),
    (["showcase", "12", "--workspace", "{ws}"], "numbered 1 to 11"),
    (["check", "99", "--workspace", "{ws}"], "unknown module '99'"),
    (["showcase", "abc", "--workspace", "{ws}"], "numbered 1 to 11"),
    (["check", "--timeout", "0", "--workspace", "{ws}"], "--timeout must be a positive"),
    (["check", "setup", "--timeout", "inf", "--workspace", "{ws}"], "--timeout must be a positive"),
    (["watch", "--timeout", "nan", "--workspace", "{ws}"], "--timeout must be a positive"),
    (["status", "--workspace", "{ws}/missing"], "is not a folder"),
    (["history", "--db", "{ws}", "--workspace", "{ws}"], "is not a file"),
])
def test_errors_are_one_line_and_non_zero(tmp_path: Path, workspace: Path, args: list[str], expected: str) -> None:
    result = run_cli(*[a.format(ws=workspace) for a in args], cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / ".tinytorch").exists(), "a refused command must not record anything"


def test_status_before_anything_is_recorded(workspace: Path) -> None:
    result = run_cli("status", "--json", "--workspace", str(workspace))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["module"] for r in rows] == [m.id for m in catalog.modules()]
    assert all(set(r) == ROW_KEYS for r in rows)
    states = {r["module"]: r["state"] for r in rows}
    assert states["setup"] == states["tensor"] == "not started" and states["activations"] == "locked"
    text = run_cli("status", "--workspace", str(workspace))
    assert text.returncode == 0 and "0/16 modules complete" in text.stdout


def test_check_records_and_exits_zero_only_when_complete(workspace: Path) -> None:
    stub = run_cli("check", "tensor", "--json", "--workspace", str(workspace))
    assert stub.returncode == 1, stub.stderr
    [row] = json.loads(stub.stdout)
    assert set(row) == ROW_KEYS and row["module"] == "tensor" and row["state"] == "not started"
    assert "NotImplementedError" in row["error"]

    atomic_write(workspace / "tinytorch" / "tensor.py", reference_source("tensor.py"))
    done = run_cli("check", "2", "activations", "--json", "--workspace", str(workspace))
    rows = json.loads(done.stdout)
    assert [(r["module"], r["state"]) for r in rows] == [("tensor", "complete"), ("activations", "not started")]
    assert all(r["state"] in STATES for r in json.loads(run_cli("status", "--json", "-w", str(workspace)).stdout))
    assert done.returncode == 1
    assert run_cli("check", "tensor", "--workspace", str(workspace)).returncode == 0

    status = json.loads(run_cli("status", "--json", "--workspace", str(workspace)).stdout)
    by_id = {r["module"]: r for r in status}
    assert by_id["tensor"]["state"] == "complete" and by_id["tensor"]["passed"] > 0
    assert by_id["activations"]["state"] == "not started"
    history = json.loads(run_cli("history", "--json", "--workspace", str(workspace)).stdout)
    assert [h["module"] for h in history] == ["tensor"]
    text = run_cli("status", "--workspace", str(workspace))
    assert "1/16 modules complete" in text.stdout and "tensor" in text.stdout


def test_db_option_and_environment_variable(workspace: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    assert run_cli("check", "setup", "--db", str(elsewhere), "--workspace", str(workspace)).returncode == 1
    assert elsewhere.is_file() and not (workspace / ".tinytorch" / "progress.db").exists()
    via_env = run_cli("status", "--json", cwd=tmp_path, env={"TINYTORCH_TRACKER_DB": str(elsewhere)})
    assert via_env.returncode == 0, via_env.stderr
    assert json.loads(via_env.stdout)[0]["state"] == "not started"


def test_environment_variable_pointing_at_a_folder_is_named_in_the_error(workspace: Path, tmp_path: Path) -> None:
    result = run_cli("status", "--workspace", str(workspace), env={"TINYTORCH_TRACKER_DB": str(tmp_path)})
    assert result.returncode == 1 and "TINYTORCH_TRACKER_DB" in result.stderr, result.stderr


def test_an_unknown_option_shows_that_commands_usage(workspace: Path) -> None:
    result = run_cli("status", "--bogus", "--workspace", str(workspace))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "usage: tinytorch-tracker status" in result.stderr and "unrecognized arguments: --bogus" in result.stderr


def test_a_read_only_database_is_not_called_damaged() -> None:
    """`attempt to write a readonly database` (permissions): moving the file aside would hide the progress."""
    import sqlite3

    from tracker.cli import database_failure

    line = database_failure(sqlite3.OperationalError("attempt to write a readonly database"))
    assert "writable" in line and "move it aside" not in line
    assert "move it aside" in database_failure(sqlite3.DatabaseError("database disk image is malformed"))


def test_showcase_runs_on_the_workspace_code(workspace: Path) -> None:
    result = run_cli("showcase", "1", "--fast", "--workspace", str(workspace), timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "tinytorch-tracker check tensor" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
