"""Module 03 - Activations: the nonlinearities that let stacked layers learn more than a line.

Each activation is a small class, callable on a Tensor: `ReLU()(x)` == `ReLU().forward(x)`.
They hold no parameters. ReLU, Sigmoid and Tanh record one op each ("relu", "sigmoid", "tanh"),
whose gradient rules live in autograd.py. Softmax is built from Tensor primitives (subtract the
row maximum as a constant, exp, sum, divide), so its gradient comes for free.

Public names
- `Activation`: the base class (`__call__` runs `forward`). Activations are not Layers: they have no
  parameters, and this module needs only the Tensor.
- `ReLU()`: max(x, 0).
- `Sigmoid()`: 1 / (1 + exp(-x)), computed without overflow.
- `Tanh()`: the hyperbolic tangent.
- `Softmax(axis=-1)`: exp(x) / sum(exp(x)) along `axis`; stable for large inputs.
"""

from __future__ import annotations

import numpy as np

from tinytorch.tensor import Tensor


class Activation:
    """Base class: calling the object runs `forward`."""

    def __call__(self, x: Tensor) -> Tensor:
        return self.forward(x)

    def forward(self, x: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(Activation):
    """Rectified linear unit: negative inputs become 0, positive ones pass unchanged."""

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION hint: np.maximum(x.data, 0), recorded as op "relu" with Tensor._make
        return Tensor._make(np.maximum(x.data, 0), (x,), "relu")
        ### END SOLUTION


class Sigmoid(Activation):
    """Squashes to (0, 1); useful for probabilities of yes/no outcomes."""

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION hint: 1/(1+exp(-x)) overflows for very negative x; 0.5*(1+tanh(x/2)) does not
        return Tensor._make(0.5 * (1 + np.tanh(0.5 * x.data)), (x,), "sigmoid")
        ### END SOLUTION


class Tanh(Activation):
    """Squashes to (-1, 1), centred on 0."""

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION hint: np.tanh, recorded as op "tanh"
        return Tensor._make(np.tanh(x.data), (x,), "tanh")
        ### END SOLUTION


class Softmax(Activation):
    """Turns scores into probabilities that sum to 1 along `axis`."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def __repr__(self) -> str:
        return f"Softmax(axis={self.axis})"

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION hint: subtract x.data.max(axis, keepdims=True) (a constant), then exp / sum of exp
        shifted = x - x.data.max(axis=self.axis, keepdims=True)
        e = shifted.exp()
        return e / e.sum(axis=self.axis, keepdims=True)
        ### END SOLUTION
