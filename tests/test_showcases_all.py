"""What every showcase shares: it runs clean on the reference, stops with exit 2 naming the missing
module on unfinished workspaces, has its title, runs with one BLAS thread, and is started one way.

Every run is a real subprocess. The key results of each showcase are in test_showcases_01_06.py and
test_showcases_07_11.py; all three files read the same reference runs (showcase_helpers).
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from showcase_helpers import (
    REPO,
    SHOWCASES,
    assert_clean,
    assert_stops_at,
    on_terminal,
    play,
    reference_runs,
    stub_workspace,
    unlocking_module,
)

import showcases
from tracker import catalog

BLAS = tuple(showcases.BLAS_THREADS)


@pytest.mark.parametrize("name", SHOWCASES)
def test_runs_clean_on_reference(name: str) -> None:
    result = reference_runs(SHOWCASES)[name]
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert_clean(result)
    assert f"Showcase {name[:2]} · {showcases.showcase_title(name)}" in result.stdout
    assert "What you built" in result.stdout


def test_titles_are_the_course_titles() -> None:
    titles = [showcases.showcase_title(name) for name in SHOWCASES]
    assert len(titles) == 11 and titles[0] == "Tensor Operations" and titles[-1] == "TinyGPT Mastery"


@pytest.mark.parametrize("name", SHOWCASES)
def test_fresh_init_workspace_stops_at_the_tensor(name: str, template_workspace: Path) -> None:
    result = play(name, template_workspace, "--fast")
    assert_stops_at(result, catalog.module("tensor"))  # all build on it; it is the first thing missing
    assert result.stdout == ""  # nothing simulated, not even the header
    unlocker = unlocking_module(name)
    route = f"Module {unlocker.number:02d} ({unlocker.title}) unlocks this showcase"
    assert (route in result.stderr) == (unlocker.id != "tensor"), result.stderr


@pytest.mark.parametrize("name", SHOWCASES)
def test_unfinished_unlocking_module_is_named(name: str, template_workspace: Path, tmp_path: Path) -> None:
    module = unlocking_module(name)
    assert_stops_at(play(name, stub_workspace(tmp_path, template_workspace, module.file), "--fast"), module)


def test_not_implemented_met_mid_showcase_names_its_module(template_workspace: Path, tmp_path: Path) -> None:
    """A stub the prerequisite checks did not reach still ends as exit 2 naming its module, not a crash."""
    workspace = stub_workspace(tmp_path, template_workspace, catalog.module("kernels").file)
    code = ("import sys; sys.path.insert(0, 'showcases'); import _look\n"
            "def main(show):\n"
            "    from tinytorch.kernels import matmul_vectorized\n"
            "    matmul_vectorized([[1.0]], [[1.0]])\n"
            f"sys.exit(_look.run('showcases/01_tensor_operations.py', main, argv=['--workspace', {str(workspace)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    kernels = catalog.module("kernels")
    assert f"Module {kernels.number:02d} ({kernels.title})" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failing_checks_multi_line_message_is_kept_on_one_line() -> None:
    from showcases._prerequisites import first_line

    error = AssertionError("(2,3) + (3,): expected [[10. 21. 32.]\n [13. 24. 35.]], got [[-10. -19. -28.]\n [..]]")
    assert first_line(error) == ("AssertionError: (2,3) + (3,): expected [[10. 21. 32.] [13. 24. 35.]], "
                                 "got [[-10. -19. -28.] [..]]")


def test_default_workspace_is_the_current_directory() -> None:
    result = play("01_tensor_operations", None, "--fast", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert str(REPO / "tinytorch") in result.stdout


def test_folder_without_tinytorch_is_refused(tmp_path: Path) -> None:
    result = play("01_tensor_operations", tmp_path, "--fast")
    assert result.returncode == 2
    assert "No tinytorch/ folder" in result.stderr
    assert_clean(result)


def test_a_tinytorch_folder_that_is_not_a_package_never_falls_back_to_the_reference(tmp_path: Path) -> None:
    stub_workspace(tmp_path, REPO, "tinytorch/__init__.py")  # a solved copy...
    (tmp_path / "tinytorch" / "__init__.py").unlink()  # ...that is only a namespace folder
    result = play("01_tensor_operations", tmp_path, "--fast")
    assert result.returncode == 2, result.stdout[-2000:]
    assert "is not a package" in result.stderr
    assert result.stdout == ""


def test_terminal_gets_colour_and_no_color_gets_plain_text() -> None:
    argv = [sys.executable, str(REPO / "showcases" / "04_image_processing.py"), "--workspace", str(REPO), "--fast"]
    coloured = on_terminal(argv)
    assert "\x1b[" in coloured and "▀" in coloured  # half-block pictures in colour
    plain = on_terminal(argv, {"NO_COLOR": "1"})
    assert "\x1b" not in plain and "▀" not in plain
    assert max(len(line) for line in plain.splitlines()) <= 80


LIVE = """import sys
sys.path.insert(0, 'showcases')
import _look
from pathlib import Path
from rich.text import Text
show = _look.Showcase(Path('showcases/07_full_training.py'), Path('.'), True, _look.make_console(), None)
with show.live(Text('frame 0')) as view:
    for i in (1, 2, 3):
        view.update(Text(f'frame {i}'))
    show.print('inside')
show.print('after')
"""


def test_live_redraws_on_a_terminal_and_prints_the_last_frame_once_when_piped() -> None:
    piped = subprocess.run([sys.executable, "-c", LIVE], cwd=REPO, capture_output=True, text=True, timeout=30,
                           env={**os.environ, "NO_COLOR": ""})
    assert piped.stdout == "inside\nframe 3\nafter\n", piped.stdout + piped.stderr
    for env in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        assert on_terminal([sys.executable, "-c", LIVE], env).replace("\r", "") == "inside\nframe 3\nafter\n"
    live = on_terminal([sys.executable, "-c", LIVE])
    assert "\x1b[" in live and live.index("inside") < live.rindex("frame 3") < live.index("after")


def test_package_import_stays_light_and_finds_showcases() -> None:
    code = ("import sys, showcases as s; assert 'numpy' not in sys.modules and 'rich' not in sys.modules; "
            "print(s.showcase_path(1).name, s.showcase_path('04').name, s.showcase_path('06_data_pipeline').name,"
            " s.showcase_path(99), s.showcase_title('11'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["01_tensor_operations.py", "04_image_processing.py", "06_data_pipeline.py",
                                   "None", "TinyGPT", "Mastery"]


def test_play_returns_the_exit_code(template_workspace: Path) -> None:
    code = ("import sys, showcases as s; from pathlib import Path; "
            f"sys.exit(s.play('02', Path({str(template_workspace)!r}), fast=True) * 10 + s.play(42, Path('.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == (2 * 10 + 127) % 256, done.stderr
    assert "Module 02 (Tensor)" in done.stderr and "No showcase 42" in done.stderr


def test_command_and_environment_are_how_every_showcase_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert showcases.command("11", REPO / ".", fast=True) == [
        sys.executable, str(REPO / "showcases" / "11_tinygpt_mastery.py"), "--workspace", str(REPO), "--fast"]
    assert showcases.command(1, REPO)[-2:] == ["--workspace", str(REPO)]
    with pytest.raises(LookupError, match="No showcase 42"):
        showcases.command(42, REPO)
    for variable in BLAS:
        monkeypatch.delenv(variable, raising=False)
    assert {k: showcases.environment()[k] for k in BLAS} == dict.fromkeys(BLAS, "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")  # the user's choice wins
    assert showcases.environment()["OPENBLAS_NUM_THREADS"] == "2"


IMPORT_ONLY = """import os, runpy, sys
sys.path[0] = {folder!r}  # as for `python showcases/NN.py`: the script's folder, not the repository
runpy.run_path({script!r})  # the imports and definitions, not main()
assert 'numpy' in sys.modules
print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))
"""


def test_a_direct_run_loads_numpy_with_one_blas_thread(tmp_path: Path) -> None:
    """Numpy's BLAS starts its threads when numpy loads: each script must import _look before numpy."""
    env = {k: v for k, v in os.environ.items() if k not in BLAS}

    def threads(name: str) -> str:
        code = IMPORT_ONLY.format(folder=str(REPO / "showcases"), script=str(REPO / "showcases" / f"{name}.py"))
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=60)
        return done.stdout.strip() or done.stderr[-1000:]

    with ThreadPoolExecutor(4) as pool:
        seen = dict(zip(SHOWCASES, pool.map(threads, SHOWCASES), strict=True))
    assert seen == dict.fromkeys(SHOWCASES, "1 1")  # one BLAS thread: no helper threads beside the main one
