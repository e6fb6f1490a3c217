"""Showcase 07 · Full Training: your training loop learning handwritten digits, live.

A fresh, untrained MLP (the student's `MLP`, `SGD`, `CrossEntropyLoss` and `Trainer`) trains for
three epochs on the real UCI digits. Every batch's loss comes from the student's `on_batch` callback,
and the held-out accuracy is measured with the student's forward pass and `accuracy()` while training
runs. Nothing is scripted: the curves are whatever the student's code does.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Chart, Heatmap, Picture, bar, side_by_side, sparkline
from _look import Showcase
from rich.console import Group
from rich.text import Text

SIZES = [64, 128, 64, 10]
EPOCHS = 3
BATCH = 16
SPARK = 46  # sparkline width in characters


class LiveTraining:
    """What the training loop has done so far, drawn as bars and sparklines."""

    def __init__(self, n_batches: int) -> None:
        self.n_batches = n_batches
        self.epoch = 1
        self.batch = 0
        self.losses: list[float] = []
        self.held_out: list[float] = []
        self.compute_s = 0.0
        self.samples = 0

    def frame(self) -> Group:
        done = ((self.epoch - 1) * self.n_batches + self.batch) / (EPOCHS * self.n_batches)
        speed = self.samples / self.compute_s if self.compute_s else 0.0
        loss = f"{self.losses[-1]:.3f}" if self.losses else "-"
        acc = f"{self.held_out[-1]:.1%}" if self.held_out else "-"
        return Group(
            Text.assemble(f"Epoch {self.epoch}/{EPOCHS}  ", bar(self.batch, self.n_batches, 30, "cyan"),
                          f" batch {self.batch:3d}/{self.n_batches}"),
            Text.assemble("All epochs ", bar(done, 1.0, 30, "magenta"), f" {done:6.1%}"),
            Text.assemble("loss       ", (sparkline(self.losses, SPARK, low=0.0).ljust(SPARK), "yellow"), f" {loss}"),
            Text.assemble("held-out   ", (sparkline(self.held_out, SPARK, 0.0, 1.0).ljust(SPARK), "green"), f" {acc}"),
            Text(f"compute    {speed:,.0f} samples/s through your forward + backward + step", style="dim"),
        )


def held_out_accuracy(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    """The student's forward pass and accuracy() on digits the model never trains on."""
    from tinytorch.tensor import Tensor, no_grad
    from tinytorch.training import accuracy

    with no_grad():
        return accuracy(model(Tensor(x)), y)


def meet_the_data(show: Showcase, x_train: np.ndarray, y_train: np.ndarray, n_test: int) -> None:
    show.section("1 · The data: real handwritten digits")
    pictures = [(f"  {y_train[i]}", Picture(x_train[i], scale=1.5)) for i in range(6)]  # 6 fit 80 columns
    show.print(side_by_side(*pictures, gap=1))
    show.print(f"{len(y_train)} training digits, {n_test} held out (never trained on). "
               "8×8 pixels = 64 inputs.")
    show.pause(2)


def before_training(show: Showcase, model: Any, x_test: np.ndarray, y_test: np.ndarray) -> float:
    show.section("2 · Your network, before it has seen a single example")
    n_params = sum(p.size for p in model.parameters())
    arrows = " → ".join(str(s) for s in SIZES)
    show.print(f"MLP {arrows}  ({n_params:,} parameters, random start, ReLU between layers)")
    chance = held_out_accuracy(model, x_test, y_test)
    show.print(Text.assemble("Held-out accuracy now: ", (f"{chance:.1%}", "bold red"),
                             "  (guessing among 10 digits gives about 10%)"))
    show.pause(2)
    return chance


def train_live(show: Showcase, model: Any, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
               y_test: np.ndarray) -> LiveTraining:
    from tinytorch.data import DataLoader, TensorDataset
    from tinytorch.optim import SGD
    from tinytorch.training import CrossEntropyLoss, Trainer

    show.section("3 · Training LIVE: forward, loss, backward, step")
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=BATCH, shuffle=True, seed=0)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.05, momentum=0.9), CrossEntropyLoss())
    show.print(f"SGD (lr 0.05, momentum 0.9), cross-entropy loss, batches of {BATCH}, {EPOCHS} epochs.")
    state = LiveTraining(len(loader))
    pace = show.pick(0.09, 0.0)  # seconds per batch on screen, so the curves can be watched
    every = 3  # measure held-out accuracy every few batches
    last = time.perf_counter()

    with show.live(state.frame()) as live:
        def on_batch(index: int, n_batches: int, loss: float) -> None:
            nonlocal last
            state.compute_s += time.perf_counter() - last
            state.samples += BATCH
            state.batch, state.losses = index + 1, [*state.losses, loss]
            if index % every == every - 1 or index + 1 == n_batches:
                state.held_out.append(held_out_accuracy(model, x_test, y_test))
            live.update(state.frame())
            if pace:
                time.sleep(pace)
            last = time.perf_counter()

        for epoch in range(1, EPOCHS + 1):
            state.epoch, state.batch = epoch, 0
            last = time.perf_counter()
            result = trainer.train_epoch(loader, on_batch=on_batch)
            test = held_out_accuracy(model, x_test, y_test)
            show.print(Text.assemble(
                f"Epoch {epoch}: mean loss {result['loss']:.3f} · train accuracy ",
                (f"{result['accuracy']:.1%}", "bold"), " · held-out ", (f"{test:.1%}", "bold green")))
    show.print(Text(f"Pure compute: {state.compute_s:.2f} s for {state.samples:,} samples; "
                    "the rest was pacing, so you could watch.", style="dim"))
    show.pause(2)
    return state


def results(show: Showcase, model: Any, state: LiveTraining, x_test: np.ndarray, y_test: np.ndarray,
            chance: float) -> float:
    from tinytorch.tensor import Tensor, no_grad

    show.section("4 · What it learned")
    steps = np.arange(1, len(state.held_out) + 1) * (EPOCHS * state.n_batches / len(state.held_out))
    show.print(Chart({"held-out accuracy": (steps, state.held_out)}, width=60, height=8,
                     ylim=(0.0, 1.0), x_label="batches trained"))
    with no_grad():
        predicted = model(Tensor(x_test)).data.argmax(axis=1)
    final = float(np.mean(predicted == y_test))
    show.print(Text.assemble("Held-out accuracy: ", (f"{chance:.1%}", "red"), " → ",
                             (f"{final:.1%}", "bold green"), f" on {len(y_test)} digits it never trained on"))
    show.pause(1.5)
    confusion = np.zeros((10, 10))
    np.add.at(confusion, (y_test, predicted), 1)
    show.print("\nConfusion matrix: rows are the true digit, columns your network's answer")
    show.print(Heatmap(confusion, rows=[str(d) for d in range(10)], values=True, fmt="{:.0f}"))
    wrong = np.flatnonzero(predicted != y_test)[:6]
    if len(wrong):
        show.print("\nSome digits it still gets wrong (true → predicted):")
        show.print(side_by_side(*[(f"{y_test[i]}→{predicted[i]}", Picture(x_test[i].reshape(8, 8), scale=1.5))
                                  for i in wrong], gap=1))
    show.pause(2)
    return final


def main(show: Showcase) -> None:
    from showcases.datasets import digits_split
    from tinytorch.networks import MLP

    x_train, y_train, x_test, y_test = digits_split()
    meet_the_data(show, x_train, y_train, len(y_test))
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    model = MLP(SIZES, seed=0)
    chance = before_training(show, model, x_test, y_test)
    state = train_live(show, model, x_train, y_train, x_test, y_test)
    final = results(show, model, state, x_test, y_test, chance)
    show.built("Your training loop is learning RIGHT NOW!", [
        f"{EPOCHS * state.n_batches} gradient steps: held-out accuracy {chance:.0%} → {final:.1%}",
        "Autograd found every gradient; SGD with momentum walked downhill",
        "DataLoader batched, Trainer ran forward → loss → backward → step",
        "The same loop, scaled up, trains ResNets and GPTs in production",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
