"""Module 04 - Layers: parameters plus a forward pass, and the bookkeeping every model needs.

A `Layer` finds its own parameters by looking at its attributes: Tensors that require grad,
other Layers, and lists or tuples of them, in the order they were assigned. That one walk gives
optimizers their parameter list and gives saving/loading its names ("layers.0.weight").

Public names
- `Layer`: base class. `forward(...)`, `__call__` (= forward), `parameters() -> list[Tensor]`,
  `named_parameters() -> list[tuple[str, Tensor]]`, `state_dict() -> dict[str, np.ndarray]` (copies),
  `load_state_dict(state)` (same names and shapes, copied in place), `zero_grad()`.
- `Linear(in_features, out_features, bias=True, seed=None)`: y = x @ weight + bias with
  `.weight` (in_features, out_features) and `.bias` (out_features,) or None. Works on any leading
  batch axes. Weights are Xavier/Glorot-uniform from `np.random.default_rng(seed)`, bias zeros.
- `Dense`: another name for `Linear`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor


class Layer:
    """Base class for everything with parameters and a forward pass."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def named_parameters(self) -> list[tuple[str, Tensor]]:
        """(dotted name, parameter) pairs in attribute order, each parameter once."""
        ### BEGIN SOLUTION hint: walk vars(self): Tensors with requires_grad, Layers, lists/tuples of those
        found: list[tuple[str, Tensor]] = []
        seen: set[int] = set()

        def visit(name: str, value: Any) -> None:
            if isinstance(value, Tensor):
                if value.requires_grad and id(value) not in seen:
                    seen.add(id(value))
                    found.append((name, value))
            elif isinstance(value, Layer):
                for sub_name, param in value.named_parameters():
                    visit(f"{name}.{sub_name}", param)
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    visit(f"{name}.{i}", item)

        for attr, value in vars(self).items():
            visit(attr, value)
        return found
        ### END SOLUTION

    def parameters(self) -> list[Tensor]:
        """The trainable tensors, for an optimizer."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter's values, by name (np.savez-friendly)."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy saved values into the parameters; names and shapes must match exactly."""
        ### BEGIN SOLUTION hint: match names with named_parameters(), check shapes, copy into p.data[...]
        params = dict(self.named_parameters())
        missing, unexpected = params.keys() - state.keys(), state.keys() - params.keys()
        if missing or unexpected:
            raise KeyError(f"state_dict mismatch: missing {sorted(missing)}, unexpected {sorted(unexpected)}")
        for name, p in params.items():
            value = np.asarray(state[name])
            if value.shape != p.shape:
                raise ValueError(f"{name}: expected shape {p.shape}, got {value.shape}")
            p.data[...] = value
        ### END SOLUTION


class Linear(Layer):
    """A fully connected layer: every output is a weighted sum of every input, plus a bias."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, seed: int | None = None
    ) -> None:
        self.in_features = in_features
        self.out_features = out_features
        ### BEGIN SOLUTION hint: weight uniform in +-sqrt(6/(in+out)) (Xavier), bias zeros; requires_grad=True
        rng = np.random.default_rng(seed)
        limit = np.sqrt(6.0 / (in_features + out_features))
        w = rng.uniform(-limit, limit, size=(in_features, out_features)).astype(np.float32)
        self.weight = Tensor(w, requires_grad=True)
        self.bias = Tensor(np.zeros(out_features, dtype=np.float32), requires_grad=True) if bias else None
        ### END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION hint: x @ weight, then + bias (broadcasts over the batch) if there is one
        out = x @ self.weight
        return out + self.bias if self.bias is not None else out
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features}, bias={self.bias is not None})"


Dense = Linear
