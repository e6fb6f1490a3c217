"""Checks for module 10 (optimizers): tinytorch/optim.py, SGD with momentum and Adam against hand-computed steps."""

from __future__ import annotations

from typing import Any


def _param(values: list[float], grad: list[float]) -> Any:
    """A float64 parameter Tensor with a given gradient."""
    import numpy as np

    from tinytorch.tensor import Tensor

    p = Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    p.grad = np.array(grad, dtype=np.float64)
    return p


def check_sgd_step() -> None:
    import numpy as np

    from tinytorch.optim import SGD

    p = _param([1.0, 2.0], [0.5, -1.0])
    SGD([p], lr=0.1).step()
    assert np.allclose(p.data, [0.95, 2.1]), f"p - lr * grad: expected [0.95, 2.1], got {p.data}"


def check_sgd_momentum() -> None:
    import numpy as np

    from tinytorch.optim import SGD

    p = _param([1.0], [1.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    opt.step()  # v = 1, p = 0.9
    opt.step()  # v = 0.9 * 1 + 1 = 1.9, p = 0.9 - 0.19 = 0.71
    assert np.allclose(p.data, [0.71]), f"two momentum steps (v=1 then 1.9): expected 0.71, got {p.data}"


def check_adam_steps() -> None:
    import numpy as np

    from tinytorch.optim import Adam

    p = _param([1.0, -1.0], [2.0, -0.5])
    opt = Adam([p], lr=0.1)
    opt.step()  # bias-corrected first step: each parameter moves by lr * sign(grad)
    assert np.allclose(p.data, [0.9, -0.9], atol=1e-6), f"first Adam step: expected [0.9, -0.9], got {p.data}"
    p.grad = np.array([1.0, 1.0])
    opt.step()
    m = 0.9 * 0.1 * np.array([2.0, -0.5]) + 0.1 * np.array([1.0, 1.0])
    v = 0.999 * 0.001 * np.array([4.0, 0.25]) + 0.001 * np.array([1.0, 1.0])
    expected = np.array([0.9, -0.9]) - 0.1 * (m / (1 - 0.81)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    assert np.allclose(p.data, expected, atol=1e-6), f"second Adam step: expected {expected}, got {p.data}"


def check_zero_grad_and_missing_grads() -> None:
    import numpy as np

    from tinytorch.optim import SGD

    p, q = _param([1.0], [1.0]), _param([5.0], [0.0])
    q.grad = None
    opt = SGD([p, q], lr=0.5)
    opt.step()
    assert np.allclose(q.data, [5.0]), "a parameter without a gradient must not move"
    opt.zero_grad()
    assert p.grad is None or not np.any(p.grad), "zero_grad() should clear the gradients"


def check_minimises_a_quadratic() -> None:
    import numpy as np

    from tinytorch.optim import SGD, Adam
    from tinytorch.tensor import Tensor

    for make in (lambda ps: SGD(ps, lr=0.1, momentum=0.5), lambda ps: Adam(ps, lr=0.1)):
        w = Tensor(np.zeros(3), requires_grad=True)
        opt = make([w])
        for _ in range(100):
            loss = ((w - np.array([3.0, -1.0, 2.0])) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        name = type(opt).__name__
        assert np.allclose(w.data, [3.0, -1.0, 2.0], atol=0.1), f"{name} on (w-t)^2: expected ~[3,-1,2], got {w.data}"
