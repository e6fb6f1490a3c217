"""`tinytorch-tracker demo`, piped and without stdin as in CI: the real watcher unlocks all 16 modules."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_cli

from showcases import showcase_paths
from tracker import catalog


def test_demo_unlocks_every_module_and_plays_the_showcases(tmp_path: Path) -> None:
    ws = tmp_path / "tour"
    result = run_cli("demo", "--keep", str(ws), "--pace", "0", env={"CI": "true"}, timeout=240)
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "\x1b" not in out  # piped: plain text
    for m in catalog.modules():
        assert f"*** ✓ capability unlocked: {m.number:02d} {m.title} ***" in out
    assert "02 tensor: in progress" in out and "04 layers: broken" in out  # the detours on the way
    showcases = [m.showcase for m in catalog.modules() if m.showcase]
    assert sorted(showcases) == [p.stem for p in showcase_paths()]  # every showcase of the catalog exists
    for name in showcases:
        assert re.search(rf"showcase {name[:2]} .* finished in \d+ s", out), name
    assert out.count("Look what you built!") == len(showcases)
    assert "all 16 modules unlocked" in out
    assert "$ tinytorch-tracker status" in out and "$ tinytorch-tracker history" in out
    history = run_cli("history", "--json", "--workspace", str(ws))
    assert [row["module"] for row in json.loads(history.stdout)] == [m.id for m in catalog.modules()]


def test_demo_refuses_an_existing_workspace(workspace: Path) -> None:
    result = run_cli("demo", "--keep", str(workspace), "--no-showcase")
    assert result.returncode != 0
    assert "already exists" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
