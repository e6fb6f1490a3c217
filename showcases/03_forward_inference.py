"""Showcase 03 · Forward Inference: your MLP reads real handwritten digits.

The student's `MLP` (module 05) is built with the architecture stored beside the committed weights
(showcases/assets/digits_mlp.npz, trained with tinytorch by `python -m showcases.train_weights`)
and filled with `load_state_dict`. Every prediction, confidence, accuracy and timing below is the
student's forward pass on the held-out 20% of the UCI handwritten digits, which training never saw.
"""

from __future__ import annotations

import sys

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Heatmap, Picture, bar, side_by_side
from _look import Showcase, seconds_per_call
from rich.table import Table
from rich.text import Text


def build(show: Showcase):
    from showcases.datasets import load_weights
    from tinytorch.activations import ReLU
    from tinytorch.networks import MLP

    show.section("1 · Your network, with trained weights")
    state, config = load_weights("digits_mlp")
    model = MLP(config["sizes"], activation=ReLU)
    model.load_state_dict(state)
    table = Table(box=None, padding=(0, 2), header_style="bold")
    for column in ("parameter", "shape", "values"):
        table.add_column(column, justify="right" if column == "values" else "left")
    total = 0
    for name, tensor in model.named_parameters():
        table.add_row(name, str(tuple(tensor.shape)), f"{tensor.size:,}")
        total += tensor.size
    show.print(f"MLP({config['sizes']}) with ReLU between layers, loaded from digits_mlp.npz:")
    show.print(table)
    show.print(f"{total:,} numbers, all read by your load_state_dict. The input is an 8×8 image")
    show.print("flattened to 64 brightness values; the output is 10 scores, one per digit.")
    show.pause(3)
    return model


def predict(model, images: np.ndarray) -> np.ndarray:
    """Class probabilities from the student's forward pass and Softmax."""
    from tinytorch.activations import Softmax
    from tinytorch.tensor import Tensor, no_grad

    with no_grad():
        return Softmax()(model(Tensor(images.reshape(len(images), 64)))).data


def card(image: np.ndarray, probs: np.ndarray, truth: int) -> Table:
    """A digit next to the network's confidence in each class."""
    guess = int(probs.argmax())
    bars = Text()
    for c, p in enumerate(probs):
        style = ("bold green" if c == truth else "bold red") if c == guess else "dim"
        bars.append(f"{c} ", style=style)
        bars.append_text(bar(p, 1.0, 12, style))
        bars.append(f" {p:4.0%}\n" if p >= 0.005 else "\n", style=style)
    verdict = Text(f"reads {guess}, " + ("right" if guess == truth else f"it is a {truth}"),
                   style="bold green" if guess == truth else "bold red")
    grid = Table.grid(padding=(0, 1))
    grid.add_column()
    grid.add_column()
    grid.add_row(verdict, "")
    grid.add_row(Picture(image, scale=2), bars)
    return grid


def read_digits(show: Showcase, model, images: np.ndarray, labels: np.ndarray) -> None:
    show.section("2 · Reading held-out digits")
    count = show.pick(16, 2)
    probs = predict(model, images[:count])
    for k in range(0, count, 2):
        pair = [card(images[i], probs[i], int(labels[i])) for i in range(k, min(k + 2, count))]
        grid = Table.grid(padding=(0, 4))
        for _ in pair:
            grid.add_column()
        grid.add_row(*pair)
        show.print(grid)
        show.pause(2.5)


def evaluate(show: Showcase, model, images: np.ndarray, labels: np.ndarray) -> float:
    show.section(f"3 · All {len(labels)} held-out digits, live")
    probs = predict(model, images)
    guesses = probs.argmax(axis=1)
    accuracy = float((guesses == labels).mean())
    show.print(Text.assemble(f"One forward pass of your MLP over all {len(labels)} digits. Accuracy: ",
                             (f"{accuracy:.1%}", "bold green"), " (chance: 10%)"))
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (labels, guesses), 1)
    show.print("\nConfusion matrix: rows = true digit, columns = your network's answer")
    show.print(Heatmap(confusion, [str(d) for d in range(10)], values=True, fmt="{:.0f}"))
    show.pause(3)
    wrong = np.flatnonzero(guesses != labels)
    if len(wrong):
        show.print(f"\nThe {len(wrong)} it got wrong (true → read), with how sure it was:")
        items = [(f"{labels[i]}→{guesses[i]} {probs[i].max():.0%}", Picture(images[i], scale=2))
                 for i in wrong[:8]]
        for k in range(0, len(items), 4):
            show.print(side_by_side(*items[k:k + 4], gap=3))
        show.pause(3)
    return accuracy


def speed(show: Showcase, model, images: np.ndarray) -> None:
    show.section("4 · Latency vs throughput")
    budget = show.pick(1.0, 0.05)
    results = []
    for batch in (1, 8, 64, len(images)):
        per_call = seconds_per_call(budget, predict, model, images[:batch])
        results.append((batch, per_call, batch / per_call))
    best = max(rate for *_, rate in results)
    for batch, per_call, rate in results:
        show.print(Text.assemble(f"batch {batch:4d}  ", bar(rate, best, 26, "cyan"),
                                 f" {rate:9,.0f} digits/s  {per_call * 1e3:6.2f} ms/call"))
    quickest = min(results, key=lambda r: r[1])
    busiest = max(results, key=lambda r: r[2])
    show.print(f"Quickest answer: batch {quickest[0]} ({quickest[1] * 1e3:.2f} ms). Most digits per second: "
               f"batch {busiest[0]}.")
    show.print("A server waits to fill a batch: production picks a size between the two.")
    show.pause(2)


def main(show: Showcase) -> None:
    from showcases.datasets import digits_split

    _, _, x_test, y_test = digits_split()
    model = build(show)
    read_digits(show, model, x_test, y_test)
    accuracy = evaluate(show, model, x_test, y_test)
    speed(show, model, x_test)
    show.built("Your network can recognize handwritten digits!", [
        f"{accuracy:.1%} on {len(y_test)} digits it never saw in training (chance: 10%)",
        "Your Linear, ReLU, Sequential/MLP and Softmax, end to end",
        "load_state_dict: trained weights loaded into your own architecture",
        "Latency vs throughput: the trade-off every deployed model makes",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
