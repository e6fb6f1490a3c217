"""Module 11 - Training: losses, accuracy and the loop that ties everything together.

A loss turns the model's outputs and the right answers into one number to push down. Mean squared
error suits numbers; cross-entropy suits classes: it is the negative log of the probability the
softmax gives the right class, computed as log-softmax (subtract the row maximum, then subtract the
log of the summed exponentials) so that large scores never overflow. The training loop repeats, for
every batch: forward, loss, zero the old gradients, backward, optimizer step.

Public names
- `MSELoss()`: `loss(pred, target)` -> scalar Tensor, mean of (pred - target)**2.
- `CrossEntropyLoss()`: `loss(logits, labels)` -> scalar Tensor; logits (N, C) Tensor, labels (N,) ints.
  Leading axes are flattened, so (B, T, C) logits with (B, T) labels work too.
- `log_softmax(logits, axis=-1) -> Tensor`: the numerically stable log of softmax.
- `accuracy(logits, labels) -> float`: fraction of rows whose largest score is at the label.
- `Trainer(model, optimizer, loss_fn)`: `.train_epoch(loader, on_batch=None) -> dict`,
  `.evaluate(loader) -> dict` (both {"loss": mean per example, "accuracy": float or None (None for
  non-integer targets)}; `on_batch(batch_index, n_batches, loss)` is called after every step),
  `.fit(train_loader, epochs, val_loader=None, on_batch=None) -> list[dict]` (one dict per epoch:
  "epoch", "loss", "accuracy", and "val_loss", "val_accuracy" with a val_loader).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor, no_grad


class MSELoss:
    """Mean squared error for regression."""

    def __call__(self, pred: Tensor, target: Any) -> Tensor:
        return self.forward(pred, target)

    def forward(self, pred: Tensor, target: Any) -> Tensor:
        target = target if isinstance(target, Tensor) else Tensor(np.asarray(target), dtype=pred.dtype)
        ### BEGIN SOLUTION hint: ((pred - target) ** 2).mean()
        return ((pred - target) ** 2).mean()
        ### END SOLUTION


def log_softmax(logits: Tensor, axis: int = -1) -> Tensor:
    """x - max - log(sum(exp(x - max))): the max is a constant, so no gradient flows through it."""
    ### BEGIN SOLUTION hint: shifted = logits - logits.data.max(axis, keepdims=True); shifted - log(sum(exp))
    shifted = logits - logits.data.max(axis=axis, keepdims=True)
    return shifted - shifted.exp().sum(axis=axis, keepdims=True).log()
    ### END SOLUTION


class CrossEntropyLoss:
    """Mean negative log-probability of the right class, from raw scores (logits)."""

    def __call__(self, logits: Tensor, labels: Any) -> Tensor:
        return self.forward(logits, labels)

    def forward(self, logits: Tensor, labels: Any) -> Tensor:
        labels = labels.data if isinstance(labels, Tensor) else labels
        labels = np.asarray(labels).astype(np.int64).reshape(-1)
        logits = logits.reshape(-1, logits.shape[-1])
        if len(labels) != logits.shape[0]:
            raise ValueError(f"{logits.shape[0]} rows of logits but {len(labels)} labels")
        ### BEGIN SOLUTION hint: -(log_softmax(logits)[np.arange(N), labels]).mean()
        return -log_softmax(logits, axis=-1)[np.arange(len(labels)), labels].mean()
        ### END SOLUTION


def accuracy(logits: Any, labels: Any) -> float:
    """Fraction of examples whose highest score is the right class."""
    scores = logits.data if isinstance(logits, Tensor) else np.asarray(logits)
    labels = np.asarray(labels).reshape(-1)
    ### BEGIN SOLUTION hint: np.argmax over the last axis, compare with the labels, take the mean
    predicted = scores.reshape(-1, scores.shape[-1]).argmax(axis=-1)
    return float(np.mean(predicted == labels))
    ### END SOLUTION


def _is_classification(out: Tensor, y: np.ndarray) -> bool:
    return np.issubdtype(np.asarray(y).dtype, np.integer) and out.ndim >= 2 and out.shape[-1] > 1


class Trainer:
    """Runs the training loop for a model, an optimizer and a loss."""

    def __init__(self, model: Any, optimizer: Any, loss_fn: Callable[[Tensor, Any], Tensor]) -> None:
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn

    def train_epoch(
        self, loader: Iterable, on_batch: Callable[[int, int, float], None] | None = None
    ) -> dict[str, float | None]:
        """One pass over `loader`: forward, loss, zero_grad, backward, step for every batch."""
        n_batches = len(loader)  # type: ignore[arg-type]
        ### BEGIN SOLUTION hint: per batch (x, y): out = model(Tensor(x)); loss; zero_grad; backward; step
        total_loss, correct, seen, classify = 0.0, 0.0, 0, True
        for i, (x, y) in enumerate(loader):
            out = self.model(Tensor(x))
            loss = self.loss_fn(out, y)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total_loss += loss.item() * len(x)
            seen += len(x)
            classify = classify and _is_classification(out, y)
            if classify:
                correct += accuracy(out, y) * len(x)
            if on_batch is not None:
                on_batch(i, n_batches, loss.item())
        return {"loss": total_loss / max(seen, 1), "accuracy": correct / seen if classify and seen else None}
        ### END SOLUTION

    def evaluate(self, loader: Iterable) -> dict[str, float | None]:
        """Mean loss and accuracy over `loader`, without recording a graph or changing anything."""
        ### BEGIN SOLUTION hint: like train_epoch under no_grad(), without backward and step
        total_loss, correct, seen, classify = 0.0, 0.0, 0, True
        with no_grad():
            for x, y in loader:
                out = self.model(Tensor(x))
                total_loss += self.loss_fn(out, y).item() * len(x)
                seen += len(x)
                classify = classify and _is_classification(out, y)
                if classify:
                    correct += accuracy(out, y) * len(x)
        return {"loss": total_loss / max(seen, 1), "accuracy": correct / seen if classify and seen else None}
        ### END SOLUTION

    def fit(
        self,
        train_loader: Iterable,
        epochs: int,
        val_loader: Iterable | None = None,
        on_batch: Callable[[int, int, float], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Train for `epochs` epochs; one record per epoch (with validation results if given)."""
        history = []
        for epoch in range(1, epochs + 1):
            record: dict[str, Any] = {"epoch": epoch, **self.train_epoch(train_loader, on_batch)}
            if val_loader is not None:
                val = self.evaluate(val_loader)
                record.update(val_loss=val["loss"], val_accuracy=val["accuracy"])
            history.append(record)
        return history
