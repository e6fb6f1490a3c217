"""Module 05 - Dense networks: layers composed into a model.

Public names
- `Sequential(*layers)`: applies `layers` in order; `.layers` is the list. Any callable works as a
  step (activations included); parameters are collected from the Layers among them.
- `MLP(sizes, activation=ReLU, seed=0)`: a multi-layer perceptron, `Linear(sizes[i], sizes[i+1])`
  with an activation between consecutive Linears and none after the last one (it outputs raw scores).
  `activation` is a class (instantiated per gap) or an instance; layer i is seeded with seed + i.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinytorch.activations import ReLU
from tinytorch.layers import Layer, Linear
from tinytorch.tensor import Tensor


class Sequential(Layer):
    """A pipeline of layers: the output of one is the input of the next."""

    def __init__(self, *layers: Callable[[Tensor], Tensor]) -> None:
        self.layers = list(layers)

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION hint: feed x through every layer in order
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}({inner})"


class MLP(Sequential):
    """Linear -> activation -> ... -> Linear, sized by `sizes` (inputs first, outputs last)."""

    def __init__(self, sizes: list[int], activation: Any = ReLU, seed: int | None = 0) -> None:
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output size, got {sizes}")
        self.sizes = list(sizes)
        ### BEGIN SOLUTION hint: a Linear per consecutive pair of sizes (seed + i), activation between them
        layers: list[Any] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            if i > 0:
                layers.append(activation() if isinstance(activation, type) else activation)
            layers.append(Linear(n_in, n_out, seed=None if seed is None else seed + i))
        super().__init__(*layers)
        ### END SOLUTION
