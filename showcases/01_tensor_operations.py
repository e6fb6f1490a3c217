"""Showcase 01 · Tensor Operations: your Tensor doing linear algebra, step by step.

Every number below is computed by the student's `tinytorch.tensor.Tensor`: a matrix product worked
out one dot product at a time (with `[]`, `*` and `sum`) and checked against `@`, broadcasting,
reshape/transpose on a real handwritten digit, digits recognised by pure linear algebra (distance
to each class average) and the measured speed of `@`.
"""

from __future__ import annotations

import sys

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Picture, bar, matrix_table, side_by_side
from _look import Showcase, Timer, seconds_per_call
from rich.text import Text


def tensors(show: Showcase) -> None:
    from tinytorch.tensor import Tensor

    show.section("1 · A tensor is numbers with a shape")
    grades = Tensor([[7, 9, 6], [5, 8, 9], [9, 6, 8], [6, 7, 7]])
    show.print(f"Tensor([[7, 9, 6], ...])  →  shape {grades.shape}, dtype {grades.dtype}")
    show.print("4 students × 3 exams:")
    show.print(matrix_table(grades.data, fmt="{:g}"))
    show.pause(2)


def matmul_step_by_step(show: Showcase) -> None:
    from tinytorch.tensor import Tensor

    show.section("2 · Matrix multiplication, one dot product at a time")
    a = Tensor([[1, 2, 3], [4, 5, 6]])
    b = Tensor([[7, 8], [9, 10], [11, 12]])
    result = np.full((2, 2), np.nan)
    show.print("C = A @ B: each C[i, j] is row i of A times column j of B, summed.\n")
    for i in range(2):
        for j in range(2):
            row, col = a[i], b[:, j]  # your __getitem__
            products = row * col  # your elementwise *
            total = products.sum()  # your sum()
            result[i, j] = total.item()
            terms = " + ".join(f"{x:g}×{y:g}" for x, y in zip(row.data, col.data, strict=True))
            show.print(side_by_side(
                (f"A  (row {i})", matrix_table(a.data, fmt="{:g}", highlight_row=i)),
                (f"B  (column {j})", matrix_table(b.data, fmt="{:g}", highlight_col=j)),
                ("C so far", matrix_table(np.nan_to_num(result), fmt="{:g}")),
            ))
            show.print(Text.assemble(f"C[{i},{j}] = {terms} = ", (f"{total.item():g}", "bold green"), "\n"))
            show.pause(1.5)
    product = a @ b  # your matmul, all at once
    same = np.allclose(product.data, result)
    verdict = ("  ✓ same result", "green") if same else ("  ✗ differs!", "bold red")
    show.print(Text.assemble("Your A @ B in one call: ", (str(product.data.tolist()), "bold"), verdict))
    show.pause(2)


def broadcasting(show: Showcase) -> None:
    from tinytorch.tensor import Tensor

    show.section("3 · Broadcasting: one row applied to every row")
    scores = Tensor([[7, 9, 6], [5, 8, 9], [9, 6, 8], [6, 7, 7]])
    means = scores.mean(axis=0)  # shape (3,)
    centred = scores - means  # (4, 3) - (3,) broadcasts the row over all four rows
    show.print(f"scores {scores.shape} - scores.mean(axis=0) {means.shape}  →  {centred.shape}")
    show.print(side_by_side(
        ("scores", matrix_table(scores.data, fmt="{:g}")),
        ("exam means", matrix_table(means.data[None], fmt="{:.2f}")),
        ("scores - means", matrix_table(centred.data, fmt="{:+.2f}")),
    ))
    scaled = Tensor([[1], [10], [100]]) * Tensor([1, 2, 3, 4])  # (3, 1) * (4,) → (3, 4)
    show.print(f"\nA column times a row: (3, 1) * (4,)  →  {scaled.shape}, an outer product")
    show.print(matrix_table(scaled.data, fmt="{:g}"))
    show.pause(2.5)


def reshape_transpose(show: Showcase, digit: np.ndarray, label: int) -> None:
    from tinytorch.tensor import Tensor

    show.section("4 · reshape and transpose move numbers, never change them")
    counting = Tensor(np.arange(12))
    grid = counting.reshape(3, 4)
    show.print(side_by_side(
        ("arange(12).reshape(3, 4)", matrix_table(grid.data, fmt="{:g}")),
        (".T  (4 × 3)", matrix_table(grid.T.data, fmt="{:g}")),
    ))
    image = Tensor(digit)
    show.print(f"\nA real handwritten {label} (8 × 8 pixels) through your reshape and transpose:")
    show.print(side_by_side(
        ("8×8", Picture(image.data, scale=2)),
        (".T", Picture(image.T.data, scale=2)),
        ("reshape(4, 16)", Picture(image.reshape(4, 16).data, scale=2)),
        ("reshape(16, 4)", Picture(image.reshape(16, 4).data, scale=2)),
        gap=2,
    ))
    show.print(f"reshape(64) gives the {image.reshape(64).shape[0]} numbers a network reads.")
    show.pause(2.5)


def digits_by_distance(show: Showcase) -> float:
    from showcases.datasets import digits_split
    from tinytorch.tensor import Tensor

    show.section("5 · Linear algebra alone recognises digits")
    x_train, y_train, x_test, y_test = digits_split()
    n_test = show.pick(len(y_test), 120)
    train = Tensor(x_train.reshape(len(x_train), 64))
    test = Tensor(x_test[:n_test].reshape(n_test, 64))
    centroids = Tensor(np.stack([train[np.flatnonzero(y_train == c)].mean(axis=0).data for c in range(10)]))
    show.print("The average of every digit in the training set, by your mean(axis=0):")
    pictures = [(f"  {c}", Picture(centroids[c].reshape(8, 8).data, scale=1.5)) for c in range(10)]
    show.print(side_by_side(*pictures[:5]))
    show.print(side_by_side(*pictures[5:]))
    show.pause(1.5)
    # squared distance to each average: |x|² - 2 x·c + |c|²   (N, 1) - (N, 10) + (10,)
    with Timer() as t:
        distances = (test * test).sum(axis=1, keepdims=True) - 2 * (test @ centroids.T) \
            + (centroids * centroids).sum(axis=1)
    distances = np.sqrt(np.maximum(distances.data, 0))
    predicted = distances.argmin(axis=1)
    accuracy = float((predicted == y_test[:n_test]).mean())
    show.print(f"\n{n_test} held-out digits: |x|² − 2·x@Cᵀ + |c|², a {distances.shape} matrix "
               f"in {t.seconds * 1000:.1f} ms")
    show.print(Text.assemble("Nearest average = prediction. Accuracy: ",
                             (f"{accuracy:.1%}", "bold green"), " (chance is 10%)"))
    show.pause(1.5)
    for k in range(show.pick(4, 1)):
        show.print(f"\nHeld-out digit #{k + 1}: distance to each average (shortest wins)")
        show.print(side_by_side(("", Picture(test[k].reshape(8, 8).data, scale=2)),
                                ("", distance_bars(distances[k], int(y_test[k])))))
        show.pause(2)
    return accuracy


def distance_bars(row: np.ndarray, truth: int) -> Text:
    """One line per class: a bar as long as the distance, the winner marked."""
    text, winner = Text(), int(row.argmin())
    for c, d in enumerate(row):
        style = "bold green" if c == winner else "dim"
        text.append(f"{c} ", style=style)
        text.append_text(bar(d, row.max(), 24, style))
        text.append(f" {d:5.1f}", style=style)
        if c == winner:
            text.append(f"  ← {'right' if c == truth else f'wrong, it is a {truth}'}", style=style)
        text.append("\n")
    return text


def matmul_speed(show: Showcase) -> None:
    from tinytorch.tensor import Tensor

    show.section("6 · How fast is your @ ?")
    rng = np.random.default_rng(0)
    sizes = show.pick([32, 64, 128, 256, 512], [32, 64, 128])
    budget = show.pick(1.5, 0.1)
    rates = []
    for n in sizes:
        a = Tensor(rng.standard_normal((n, n)).astype(np.float32))
        b = Tensor(rng.standard_normal((n, n)).astype(np.float32))
        seconds = seconds_per_call(budget, lambda x, y: x @ y, a, b)
        rates.append((n, 2 * n**3 / seconds / 1e9, seconds))
    best = max(r for _, r, _ in rates)
    for n, rate, seconds in rates:
        show.print(Text.assemble(f"{n:4d}×{n:<4d} ", bar(rate, best, 30, "cyan"),
                                 f" {rate:6.2f} GFLOP/s  ({seconds * 1e6:,.0f} µs)"))
    (small, first, _), (large, last, _) = rates[0], rates[-1]
    if last > first:
        show.print(f"{large}×{large} ran {last / first:.1f}× more GFLOP/s than {small}×{small}: bigger products keep")
        show.print("the arithmetic units busier. That is why networks work on batches.")
    else:
        show.print(f"Here {large}×{large} did not beat {small}×{small} per GFLOP: this machine is busy or small.")
    show.pause(1.5)


def main(show: Showcase) -> None:
    from showcases.datasets import load_digits

    images, labels = load_digits()
    tensors(show)
    matmul_step_by_step(show)
    broadcasting(show)
    reshape_transpose(show, images[0], int(labels[0]))
    accuracy = digits_by_distance(show)
    matmul_speed(show)
    show.built("Your tensors can do linear algebra!", [
        "Matrix multiplication: the operation under every neural network layer",
        "Broadcasting: one bias row added to a whole batch at once",
        "reshape / transpose: how images become the vectors networks read",
        f"Distance to class averages, all tensor ops: {accuracy:.1%} on held-out digits",
        "Next: activations turn these linear maps into something that can learn XOR",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
