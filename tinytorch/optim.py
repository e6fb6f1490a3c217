"""Module 10 - Optimizers: turning gradients into better parameters.

After `loss.backward()` every parameter holds `.grad`, the direction in which the loss grows fastest.
An optimizer steps each parameter a little the other way. Plain SGD steps by lr * grad. Momentum keeps
a running velocity, so steps that agree add up and steps that zig-zag cancel. Adam also keeps a running
average of the squared gradient and divides by its root, giving every parameter its own step size;
both averages start at zero, so early on they are divided by (1 - beta**t) to undo that bias.

Public names
- `Optimizer(params)`: base class; `.params` (list of Tensors), `.zero_grad()`, `.step()`.
- `SGD(params, lr=0.01, momentum=0.0)`: v = momentum * v + grad; p -= lr * v (v starts at 0).
- `Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-8)`: with t the step count,
  m = b1 * m + (1 - b1) * grad, v = b2 * v + (1 - b2) * grad**2,
  p -= lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps).
Parameters whose `.grad` is None are left alone. Updates happen in place on `p.data`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tinytorch.tensor import Tensor


class Optimizer:
    """Holds the parameters to update; subclasses define `step()`."""

    def __init__(self, params: Iterable[Tensor]) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters to update")

    def zero_grad(self) -> None:
        """Forget the gradients of the last step (backward adds into .grad)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__}.step")


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum."""

    def __init__(self, params: Iterable[Tensor], lr: float = 0.01, momentum: float = 0.0) -> None:
        super().__init__(params)
        self.lr = lr
        self.momentum = momentum
        self.velocity = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        ### BEGIN SOLUTION hint: v = momentum * v + grad (in place, v[...] = ...), then p.data -= lr * v
        for p, v in zip(self.params, self.velocity, strict=True):
            if p.grad is None:
                continue
            v[...] = self.momentum * v + p.grad
            p.data -= self.lr * v
        ### END SOLUTION


class Adam(Optimizer):
    """Adaptive moment estimation: momentum plus a per-parameter step size."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params)
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.t = 0
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        """One bias-corrected Adam update of every parameter that has a gradient."""
        ### BEGIN SOLUTION hint: t += 1; update m and v in place; correct by 1 - beta**t; p.data -= ...
        b1, b2 = self.betas
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            m[...] = b1 * m + (1 - b1) * p.grad
            v[...] = b2 * v + (1 - b2) * p.grad * p.grad
            m_hat = m / (1 - b1**self.t)
            v_hat = v / (1 - b2**self.t)
            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        ### END SOLUTION
