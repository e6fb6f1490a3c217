"""The course catalog: the one table of TinyTorch's 16 modules.

Everything else (daemon, CLI, subscribers, showcases, checks runner) asks this module; nothing keeps
its own copy. `requires` lists real code prerequisites (a DAG), so a change to a file re-checks its
module and every module that depends on it, in dependency order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Module:
    """One course module: what the student writes, where, what it needs and what it unlocks."""

    number: int
    id: str
    title: str
    file: str
    requires: tuple[str, ...]
    showcase: str | None

    @property
    def label(self) -> str:
        """`02 tensor`: how people refer to a module."""
        return f"{self.number:02d} {self.id}"


_MODULES: tuple[Module, ...] = (
    Module(1, "setup", "Setup", "tinytorch/system.py", (), None),
    Module(2, "tensor", "Tensor", "tinytorch/tensor.py", (), "01_tensor_operations"),
    Module(3, "activations", "Activations", "tinytorch/activations.py", ("tensor",),
           "02_neural_intelligence"),
    Module(4, "layers", "Layers", "tinytorch/layers.py", ("tensor",), None),
    Module(5, "dense", "Dense Networks", "tinytorch/networks.py", ("activations", "layers"),
           "03_forward_inference"),
    Module(6, "spatial", "Spatial (CNNs)", "tinytorch/spatial.py", ("layers",), "04_image_processing"),
    Module(7, "attention", "Attention", "tinytorch/attention.py", ("activations", "layers"),
           "05_attention_visualization"),
    Module(8, "autograd", "Autograd", "tinytorch/autograd.py", ("activations", "layers"), None),
    Module(9, "dataloader", "DataLoader", "tinytorch/data.py", ("tensor",), "06_data_pipeline"),
    Module(10, "optimizers", "Optimizers", "tinytorch/optim.py", ("autograd",), None),
    Module(11, "training", "Training", "tinytorch/training.py", ("dense", "dataloader", "optimizers"),
           "07_full_training"),
    Module(12, "compression", "Compression", "tinytorch/compression.py", ("dense",), "08_model_compression"),
    Module(13, "kernels", "Kernels", "tinytorch/kernels.py", ("tensor",), None),
    Module(14, "benchmarking", "Benchmarking", "tinytorch/benchmarking.py", ("dense",),
           "09_performance_profiling"),
    Module(15, "mlops", "MLOps", "tinytorch/mlops.py", ("training",), "10_production_systems"),
    Module(16, "tinygpt", "TinyGPT", "tinytorch/tinygpt.py", ("attention", "training"), "11_tinygpt_mastery"),
)

_BY_ID = {m.id: m for m in _MODULES}
_BY_NUMBER = {m.number: m for m in _MODULES}
_BY_FILENAME = {PurePath(m.file).name: m for m in _MODULES}


class UnknownModule(KeyError):
    """Raised for a module name or number the course does not have."""

    def __str__(self) -> str:
        return f"unknown module {self.args[0]!r} (known: {', '.join(m.id for m in _MODULES)})"


def modules() -> tuple[Module, ...]:
    """All modules in course (number) order, which is also a valid dependency order."""
    return _MODULES


def module(id_or_number: str | int) -> Module:
    """Look a module up by id ("tensor"), number (2) or a numeric string ("02")."""
    if isinstance(id_or_number, int):
        found = _BY_NUMBER.get(id_or_number)
    elif id_or_number.isdigit():
        found = _BY_NUMBER.get(int(id_or_number))
    else:
        found = _BY_ID.get(id_or_number.strip().lower())
    if found is None:
        raise UnknownModule(id_or_number)
    return found


def dependents(module_id: str) -> tuple[Module, ...]:
    """Every module that needs `module_id`, directly or through others, in course order."""
    module(module_id)
    affected = {module_id}
    out: list[Module] = []
    for m in _MODULES:  # course order is topological, so one pass reaches the transitive closure
        if any(r in affected for r in m.requires):
            affected.add(m.id)
            out.append(m)
    return tuple(out)


def with_dependents(module_ids: set[str] | list[str]) -> tuple[Module, ...]:
    """The given modules plus everything that depends on them, each once, in dependency order."""
    wanted = set(module_ids)
    for mid in list(wanted):
        wanted.update(m.id for m in dependents(mid))
    return tuple(m for m in _MODULES if m.id in wanted)


def prerequisites(module_id: str) -> tuple[Module, ...]:
    """Everything `module_id` needs, directly or through others, in course order."""
    needed: set[str] = set()
    todo = list(module(module_id).requires)
    while todo:
        mid = todo.pop()
        if mid not in needed:
            needed.add(mid)
            todo.extend(module(mid).requires)
    return tuple(m for m in _MODULES if m.id in needed)


def module_for_file(path: str | PurePath) -> Module | None:
    """The module whose source file is `path` (any path ending in tinytorch/<file>), else None."""
    p = PurePath(path)
    if p.parent.name != "tinytorch":
        return None
    return _BY_FILENAME.get(p.name)


def showcase_module(number: int) -> Module | None:
    """The module whose completion unlocks showcase `number` (1-11), or None."""
    prefix = f"{number:02d}_"
    return next((m for m in _MODULES if m.showcase and m.showcase.startswith(prefix)), None)
