"""The course catalog: 16 modules as DESIGN.md lists them, a DAG in course order, lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import catalog

REPO = Path(__file__).resolve().parent.parent


def test_sixteen_modules_in_course_order_with_their_files() -> None:
    mods = catalog.modules()
    assert [m.number for m in mods] == list(range(1, 17))
    assert len({m.id for m in mods}) == 16 and len({m.file for m in mods}) == 16
    assert catalog.module("dense").file == "tinytorch/networks.py"
    assert catalog.module(9).id == "dataloader"
    assert all((REPO / m.file).is_file() for m in mods), "every module file exists in the reference framework"


def test_requires_form_a_dag_in_course_order() -> None:
    seen: set[str] = set()
    for m in catalog.modules():
        assert set(m.requires) <= seen, f"{m.id} requires a later module"
        seen.add(m.id)
    assert catalog.module("training").requires == ("dense", "dataloader", "optimizers")
    assert catalog.module("tinygpt").requires == ("attention", "training")


def test_showcases_are_the_eleven_of_the_seed() -> None:
    shows = [m.showcase for m in catalog.modules() if m.showcase]
    assert [s[:2] for s in shows] == [f"{n:02d}" for n in range(1, 12)]
    assert catalog.showcase_module(11).id == "tinygpt"
    assert catalog.module("layers").showcase is None


def test_lookups_and_dependents() -> None:
    assert catalog.module("02") is catalog.module(2) is catalog.module("Tensor")
    with pytest.raises(catalog.UnknownModule, match="unknown module 'nope'"):
        catalog.module("nope")
    assert {m.id for m in catalog.dependents("tensor")} == {m.id for m in catalog.modules()} - {"setup", "tensor"}
    assert [m.id for m in catalog.dependents("training")] == ["mlops", "tinygpt"]
    assert catalog.dependents("tinygpt") == ()
    assert [m.id for m in catalog.prerequisites("optimizers")] == ["tensor", "activations", "layers", "autograd"]
    assert [m.id for m in catalog.with_dependents({"optimizers"})] == ["optimizers", "training", "mlops", "tinygpt"]


def test_module_for_file() -> None:
    assert catalog.module_for_file("/x/ws/tinytorch/tensor.py").id == "tensor"
    assert catalog.module_for_file("tinytorch/data.py").id == "dataloader"
    assert catalog.module_for_file("tinytorch/.tensor.py.swp") is None
    assert catalog.module_for_file("other/tensor.py") is None
    assert catalog.module_for_file("tinytorch/__init__.py") is None
