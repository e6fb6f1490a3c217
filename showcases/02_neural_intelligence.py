"""Showcase 02 · Neural Intelligence: your activations are what let a network learn XOR.

Runs on the student's `tinytorch.activations` (ReLU, Sigmoid, Tanh, Softmax) and Tensor. The curves
are their outputs; the XOR networks run their forward pass. There is no autograd yet (module 08),
so the learning part uses finite differences: every weight is nudged up and down and the loss is
measured with the student's forward pass (all nudges batched into one pass), then weights step downhill.
"""

from __future__ import annotations

import sys

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Chart, bar, matrix_table, side_by_side, sparkline
from _look import Showcase
from rich.text import Text

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float32)
ORANGES = ("rgb(135,95,0)", "rgb(215,135,0)", "rgb(255,175,0)")  # answers 1: unsure → sure
BLUES = ("rgb(0,95,135)", "rgb(0,135,215)", "rgb(95,175,255)")  # answers 0 (xterm-256 exact)


def curves(show: Showcase) -> None:
    from tinytorch.activations import ReLU, Sigmoid, Tanh
    from tinytorch.tensor import Tensor

    show.section("1 · Your activation functions")
    x = Tensor(np.linspace(-3, 3, 121))
    series = {name: (x.data, act()(x).data) for name, act in (("ReLU", ReLU), ("Sigmoid", Sigmoid), ("Tanh", Tanh))}
    show.print(Chart(series, width=60, height=14, ylim=(-1.2, 3.0), x_label="input x"))
    probe = Tensor([-2.0, -0.5, 0.0, 0.5, 2.0])
    rows = np.stack([probe.data] + [act()(probe).data for act in (ReLU, Sigmoid, Tanh)])
    show.print("\nRows: x, ReLU(x), Sigmoid(x), Tanh(x), straight from your code:")
    show.print(matrix_table(rows, fmt="{:+.3f}"))
    show.print("Each bends the line somewhere. A stack of straight lines stays a straight line;")
    show.print("a bend in between is what lets a network draw curved borders.")
    show.pause(4)


def softmax(show: Showcase) -> None:
    from tinytorch.activations import Softmax
    from tinytorch.tensor import Tensor

    show.section("2 · Softmax turns scores into probabilities")
    for scores in ([2.0, 1.0, 0.1], [1000.0, 1001.0, 1002.0]):
        probs = Softmax()(Tensor(scores)).data
        show.print(f"scores {scores}  →  sum {probs.sum():.3f}")
        for name, p in zip(("cat", "dog", "bird"), probs, strict=True):
            show.print(Text.assemble(f"  {name:5}", bar(p, 1.0, 30, "magenta"), f" {p:.3f}"))
        show.pause(2)
    if np.all(np.isfinite(probs)) and abs(probs.sum() - 1) < 1e-3:
        show.print("Huge scores did not overflow (exp(1000) alone is infinite): your softmax is")
        show.print("numerically stable.")
    else:
        show.print(Text("Huge scores broke it (exp overflowed): subtract the maximum score first.", style="bold red"))
    show.pause(2)


def gates(show: Showcase) -> None:
    from tinytorch.activations import Sigmoid
    from tinytorch.tensor import Tensor

    show.section("3 · Sigmoids as logic gates: XOR wired by hand")
    show.print("XOR is 1 when exactly one input is 1. Hand-set textbook weights:")
    show.print("  h1 = σ(20·a + 20·b − 10) ≈ OR,  h2 = σ(−20·a − 20·b + 30) ≈ NAND,")
    show.print("  out = σ(20·h1 + 20·h2 − 30) ≈ AND(h1, h2) = XOR(a, b)\n")
    sigmoid = Sigmoid()
    x = Tensor(XOR_X)
    hidden = sigmoid(x @ Tensor([[20.0, -20.0], [20.0, -20.0]]) + Tensor([-10.0, 30.0]))
    out = sigmoid(hidden @ Tensor([[20.0], [20.0]]) + Tensor([-30.0]))
    table = np.concatenate([XOR_X, hidden.data, out.data, XOR_Y], axis=1)
    show.print("Columns: a, b, h1 (OR), h2 (NAND), out, XOR — computed by your Sigmoid and @:")
    show.print(matrix_table(table, fmt="{:.3f}"))
    right = int(((out.data > 0.5) == (XOR_Y > 0.5)).sum())
    show.print(Text.assemble("Correct: ", (f"{right}/4", "bold green"), " with two hidden sigmoids."))
    show.pause(4)


class FiniteDifferenceNet:
    """A tiny net on XOR, trained by central finite differences through the student's forward pass."""

    def __init__(self, hidden: int, seed: int) -> None:
        self.shapes = [(2, hidden), (1, hidden), (hidden, 1), (1, 1)] if hidden else [(2, 1), (1, 1)]
        rng = np.random.default_rng(seed)
        self.theta = np.concatenate([rng.normal(0, 1, s).ravel() for s in self.shapes]).astype(np.float32)
        self.losses: list[float] = []

    def predict(self, points: np.ndarray, thetas: np.ndarray | None = None) -> np.ndarray:
        """Probabilities for (N, 2) points under each parameter vector in `thetas` (P, n) → (P, N)."""
        from tinytorch.activations import Sigmoid, Tanh
        from tinytorch.tensor import Tensor

        thetas = self.theta[None] if thetas is None else thetas
        parts, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            parts.append(Tensor(thetas[:, start:start + size].reshape(len(thetas), *shape)))
            start += size
        x = Tensor(points.astype(np.float32))
        if len(parts) == 2:
            logits = x @ parts[0] + parts[1]
        else:
            logits = Tanh()(x @ parts[0] + parts[1]) @ parts[2] + parts[3]
        return Sigmoid()(logits).data[..., 0]

    def step(self, lr: float = 1.0, eps: float = 1e-2) -> None:
        n = self.theta.size
        nudges = np.eye(n, dtype=np.float32) * eps
        batch = np.concatenate([self.theta[None], self.theta + nudges, self.theta - nudges])
        losses = ((self.predict(XOR_X, batch) - XOR_Y[:, 0]) ** 2).mean(axis=1)
        self.losses.append(float(losses[0]))
        self.theta -= lr * (losses[1:n + 1] - losses[n + 1:]) / (2 * eps)

    def correct(self) -> int:
        return int(((self.predict(XOR_X)[0] > 0.5) == (XOR_Y[:, 0] > 0.5)).sum())


def boundary(net: FiniteDifferenceNet, plain: bool, width: int = 34, height: int = 13) -> Text:
    """The plane [-0.5, 1.5]² coloured by the net's answer, the four XOR points on top."""
    xs, ys = np.linspace(-0.5, 1.5, width), np.linspace(1.5, -0.5, height)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    p = net.predict(grid)[0].reshape(height, width)
    points = {(int(round((1.5 - b) / 2 * (height - 1))), int(round((a + 0.5) / 2 * (width - 1)))): int(y)
              for (a, b), y in zip(XOR_X, XOR_Y[:, 0], strict=True)}
    text = Text()
    for r in range(height):
        for c in range(width):
            label = points.get((r, c))
            char = str(label) if label is not None else ("+" if p[r, c] > 0.5 else ".") if plain else " "
            level = min(2, int(abs(p[r, c] - 0.5) * 6))  # unsure, leaning, sure
            colour = (ORANGES if p[r, c] > 0.5 else BLUES)[level]
            text.append(char, style=None if plain else f"bold white on {colour}")
        text.append("\n")
    return text


def learning(show: Showcase) -> tuple[int, int]:
    show.section("4 · Learning XOR: straight line vs a network that can bend")
    show.print("Both start from random weights and take the same finite-difference steps.")
    show.print("Left: σ(x·w + b), a straight border. Right: 4 hidden Tanh units, then σ.")
    key = "  1/+ = answers 1, 0/. = answers 0" if show.plain else "  orange = answers 1, blue = answers 0"
    show.print(key)
    linear, bent = FiniteDifferenceNet(hidden=0, seed=0), FiniteDifferenceNet(hidden=4, seed=0)
    done = 0
    for checkpoint in show.pick([0, 20, 60, 150, 400, 800], [0, 60, 800]):
        while done < checkpoint:
            linear.step()
            bent.step()
            done += 1
        loss_l = float(((linear.predict(XOR_X)[0] - XOR_Y[:, 0]) ** 2).mean())
        loss_b = float(((bent.predict(XOR_X)[0] - XOR_Y[:, 0]) ** 2).mean())
        show.print(f"\nafter {checkpoint} steps")
        show.print(side_by_side(
            (f"straight: loss {loss_l:.3f}, {linear.correct()}/4", boundary(linear, show.plain)),
            (f"with Tanh: loss {loss_b:.3f}, {bent.correct()}/4", boundary(bent, show.plain)),
            gap=4,
        ))
        show.pause(3)
    top = max(linear.losses + bent.losses)
    show.print(Text.assemble("loss, straight  ", (sparkline(linear.losses, low=0, high=top), "blue"),
                             f"  {linear.losses[-1]:.3f}"))
    show.print(Text.assemble("loss, with Tanh ", (sparkline(bent.losses, low=0, high=top), "yellow"),
                             f"  {bent.losses[-1]:.3f}"))
    show.print("No straight line puts both 1s on one side and both 0s on the other: a linear")
    show.print(f"model gets at most 3/4 (yours: {linear.correct()}/4). With Tanh bends in between, your")
    how = " by wrapping a region around the 1s." if bent.correct() == 4 else ": it needs more steps."
    show.print(f"network got {bent.correct()}/4{how}")
    return linear.correct(), bent.correct()


def main(show: Showcase) -> None:
    curves(show)
    softmax(show)
    gates(show)
    straight, bent = learning(show)
    show.built("Your activations make networks intelligent!", [
        "ReLU, Sigmoid, Tanh: the bends between layers (plotted from your code)",
        "Softmax: scores to probabilities, stable even for huge scores",
        f"XOR: a straight line gets {straight}/4, your Tanh network learns {bent}/4",
        "Every modern network stacks linear maps and nonlinearities like these",
        "Next: layers and networks, then autograd computes the gradients for you",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
