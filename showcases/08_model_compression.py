"""Showcase 08 · Model Compression: your pruning and quantization shrinking a real digits model.

The pretrained digits network (the student's `MLP` loaded with the committed weights) is pruned by the
student's `prune_magnitude` at growing sparsities and quantized by their `quantize_int8` /
`QuantizedModel`. Every accuracy is measured on the held-out digits and every size is the byte count
of the arrays the student's code stores (`dense_nbytes`, `sparse_nbytes`, `.nbytes`). If Module 11
(Training) is complete, a heavily pruned model is also fine-tuned back with the student's Trainer.
"""

from __future__ import annotations

import sys
from typing import Any

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Picture, bar, matrix_table, side_by_side, sparkline
from _look import Showcase
from _prerequisites import module_problem
from rich.text import Text


class Digits:
    """The held-out digits and the committed weights, for building fresh copies of the model."""

    def __init__(self) -> None:
        from showcases.datasets import digits_split, load_weights

        x_train, self.y_train, x_test, self.y_test = digits_split()
        self.x_train, self.x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
        self.state, self.config = load_weights("digits_mlp")

    def model(self) -> Any:
        """A fresh student MLP holding the pretrained weights."""
        from tinytorch.networks import MLP

        model = MLP(self.config["sizes"], seed=0)
        model.load_state_dict(self.state)
        return model

    def accuracy(self, model: Any) -> float:
        """Held-out accuracy through the student's forward pass."""
        from tinytorch.tensor import Tensor, no_grad

        with no_grad():
            return float(np.mean(model(Tensor(self.x_test)).data.argmax(axis=1) == self.y_test))


def kb(nbytes: int) -> str:
    return f"{nbytes / 1024:,.1f} KB"


def the_model(show: Showcase, data: Digits) -> tuple[float, int]:
    from tinytorch.compression import dense_nbytes

    show.section("1 · The model to shrink")
    model = data.model()
    accuracy, size = data.accuracy(model), dense_nbytes(model)
    arrows = " → ".join(str(s) for s in data.config["sizes"])
    show.print(f"Your MLP {arrows} with the pretrained digits weights.")
    show.print(Text.assemble("Held-out accuracy ", (f"{accuracy:.1%}", "bold green"),
                             f" on {len(data.y_test)} digits · {size:,} bytes as float32 ({kb(size)})"))
    weights = np.concatenate([p.data.ravel() for _, p in model.named_parameters() if p.ndim >= 2])
    counts, edges = np.histogram(np.abs(weights), bins=40)
    show.print(f"\n|weight| histogram, 0 → {edges[-1]:.2f}: most weights are tiny")
    show.print(Text(sparkline(counts), style="yellow"))
    show.print(f"{np.mean(np.abs(weights) < 0.1 * edges[-1]):.0%} of the weights are below a tenth "
               "of the largest one.")
    show.pause(3.5)
    return accuracy, size


def pruning(show: Showcase, data: Digits, dense: int) -> list[tuple[str, float, int]]:
    from tinytorch.compression import prune_magnitude, sparse_nbytes, sparsity

    show.section("2 · Magnitude pruning: zero the smallest weights")
    show.print("Stored as CSR (non-zero values + their column indices + row starts):\n")
    show.print(Text("target  achieved  accuracy                     size (CSR)      vs dense",
                    style="bold"))
    rows = []
    for target in show.pick([0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95], [0.0, 0.5, 0.9]):
        model = data.model()
        achieved = prune_magnitude(model, target)
        assert abs(sparsity(model) - achieved) < 1e-9, "sparsity() disagrees with prune_magnitude()"
        accuracy, size = data.accuracy(model), sparse_nbytes(model)
        rows.append((f"pruned {target:.0%}", accuracy, size))
        ratio = dense / size
        show.print(Text.assemble(
            f"{target:5.0%}   {achieved:7.1%}  ", bar(accuracy, 1.0, 20, "green"), f" {accuracy:6.1%}",
            f"  {size:>9,} B  ", (f"{ratio:5.2f}× smaller" if ratio >= 1 else f"{1 / ratio:5.2f}× BIGGER",
                                  "cyan" if ratio >= 1 else "red")))
        show.pause(1.5)
    (_, full, unpruned), *_ = rows
    smaller = next((name.split()[-1] for name, _, size in rows if size < dense), None)
    if unpruned > dense:
        show.print(f"\nUnpruned, CSR takes {unpruned / dense:.2f}× the dense bytes: its indices are not free.")
    show.print(f"CSR is smaller than dense from the {smaller} row on." if smaller else "No row beats dense here.")
    last, most, _ = rows[-1]
    show.print(f"Without retraining, accuracy went {full:.1%} → {most:.1%} at {last.split()[-1]} pruned.")
    show.pause(3.5)
    return rows


def what_pruning_removes(show: Showcase, data: Digits) -> None:
    from tinytorch.compression import prune_magnitude

    show.section("3 · What the first layer looks at, before and after 70% pruning")
    model = data.model()
    before = model.layers[0].weight.data.copy()
    prune_magnitude(model, 0.7)
    after = model.layers[0].weight.data
    units = np.argsort(-np.abs(before).sum(axis=0))[:6]  # the six most strongly wired hidden units
    top = float(np.abs(before[:, units]).max())

    def row(weights: np.ndarray) -> list[tuple[str, Picture]]:
        return [(f"unit {u}", Picture(weights[:, u].reshape(8, 8), cmap="signed", vmax=top, scale=1.5))
                for u in units]

    show.print("Each picture: the 64 input weights of one hidden unit (8×8, like a digit),")
    show.print("brighter = stronger" + ("." if show.plain else "; orange pulls the unit up, blue pulls it down."))
    show.print(Text("\nBefore pruning", style="bold"))
    show.print(side_by_side(*row(before), gap=1))
    show.print(Text("After pruning 70% (pruned weights go dark)", style="bold"))
    show.print(side_by_side(*row(after), gap=1))
    show.print("The strokes that matter survive; the faint background is gone.")
    show.pause(3.5)


def quantization(show: Showcase, data: Digits) -> tuple[str, float, int]:
    from tinytorch.compression import QuantizedModel, quantize_int8

    show.section("4 · int8 quantization: one byte per weight")
    weight = data.model().layers[0].weight.data
    q = quantize_int8(weight)
    restored = q.dequantize()
    show.print(f"First layer {weight.shape}: scale {float(q.scale):.5f}, zero point {int(q.zero_point)}")
    show.print(side_by_side(
        ("float32 weights", matrix_table(weight[:3, :3], fmt="{:+.3f}")),
        ("int8 values", matrix_table(q.values[:3, :3], fmt="{:d}")),
        ("dequantized", matrix_table(restored[:3, :3], fmt="{:+.3f}")),
        gap=2))
    error = float(np.abs(restored - weight).max())
    show.print(f"{weight.nbytes:,} B → {q.nbytes:,} B; largest error {error:.5f} "
               f"(half a step is {float(q.scale) / 2:.5f}).")
    quantized = QuantizedModel(data.model())
    accuracy = data.accuracy(quantized)
    show.print(Text.assemble("Whole model as int8: ", (f"{quantized.nbytes:,} bytes", "bold cyan"),
                             ", held-out accuracy ", (f"{accuracy:.1%}", "bold green")))
    show.pause(3.5)
    return "int8", accuracy, quantized.nbytes


def fine_tune(show: Showcase, data: Digits) -> tuple[str, float, int] | None:
    """Prune 90%, then retrain with the student's Trainer, re-pruning after every step."""
    from tracker import catalog

    if module_problem(catalog.module("training")) is not None:
        return None
    from tinytorch.compression import prune_magnitude, sparse_nbytes
    from tinytorch.data import DataLoader, TensorDataset
    from tinytorch.optim import SGD
    from tinytorch.training import CrossEntropyLoss, Trainer

    show.section("5 · Bonus: prune 90%, then let your Trainer heal it")
    model = data.model()
    prune_magnitude(model, 0.9)
    show.print(f"Pruned 90%: {data.accuracy(model):.1%}. Fine-tuning, re-pruning after every step:")
    trainer = Trainer(model, SGD(model.parameters(), lr=0.02, momentum=0.9), CrossEntropyLoss())
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=32, shuffle=True, seed=0)
    for epoch in range(1, show.pick(3, 1) + 1):
        trainer.train_epoch(loader, on_batch=lambda *_: prune_magnitude(model, 0.9))
        accuracy = data.accuracy(model)
        show.print(Text.assemble(f"  epoch {epoch}  ", bar(accuracy, 1.0, 30, "green"), f" {accuracy:.1%}"))
        show.pause(1)
    show.pause(2)
    return "90% + fine-tune", accuracy, sparse_nbytes(model)


def comparison(show: Showcase, variants: list[tuple[str, float, int]]) -> None:
    show.section("6 · Side by side")
    largest = max(size for _, _, size in variants)
    show.print(Text(f"{'':16}{'size':<28}{'accuracy':<28}", style="bold"))
    for name, accuracy, size in variants:
        show.print(Text.assemble(f"{name:<16}", bar(size, largest, 16, "cyan"), f" {kb(size):>9}  ",
                                 bar(accuracy, 1.0, 16, "green"), f" {accuracy:6.1%}"))
    show.pause(2)


def main(show: Showcase) -> None:
    data = Digits()
    accuracy, dense = the_model(show, data)
    pruned = pruning(show, data, dense)
    what_pruning_removes(show, data)
    int8 = quantization(show, data)
    healed = fine_tune(show, data)
    keep = [row for row in pruned if row[0] in ("pruned 50%", "pruned 90%")]
    variants = [("float32 dense", accuracy, dense), *keep, *([healed] if healed else []), int8]
    comparison(show, variants)
    name, smallest_accuracy, smallest = min(variants, key=lambda v: (v[2], -v[1]))  # ties: the more accurate
    _, int8_accuracy, int8_size = int8
    show.built("Your compression makes models production-ready!", [
        f"int8: {dense / int8_size:.1f}× fewer bytes, held-out accuracy {accuracy:.1%} → {int8_accuracy:.1%}",
        f"Smallest, {name}: {dense / smallest:.1f}× smaller ({kb(smallest)}) at {smallest_accuracy:.1%}",
        "Magnitude pruning + CSR: only the weights that matter are stored",
        "This is how models fit phones, microcontrollers and cheaper servers",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
