"""Checks for module 08 (autograd): tinytorch/autograd.py, gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _gradient_error(f: Callable[..., Any], *arrays: Any) -> float:
    """Largest relative gap between backward() and central differences of sum(f(*xs) * w), float64."""
    import numpy as np

    from tinytorch.tensor import Tensor

    xs = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = f(*xs)
    weights = np.random.default_rng(0).normal(size=out.shape)
    (out * weights).sum().backward()
    worst = 0.0
    for x in xs:
        assert x.grad is not None, "backward() left .grad of an input at None"
        assert x.grad.shape == x.shape, f"gradient shape {x.grad.shape} differs from the input's {x.shape}"
        numeric = np.zeros_like(x.data)
        for i in np.ndindex(x.shape):
            keep = x.data[i]
            x.data[i] = keep + 1e-6
            plus = float((f(*xs).data * weights).sum())
            x.data[i] = keep - 1e-6
            minus = float((f(*xs).data * weights).sum())
            x.data[i] = keep
            numeric[i] = (plus - minus) / 2e-6
        scale = max(1e-8, float(np.abs(numeric).max() + np.abs(x.grad).max()))
        worst = max(worst, float(np.abs(numeric - x.grad).max()) / scale)
    return worst


def _expect_gradients(cases: dict[str, tuple]) -> None:
    import numpy as np

    for name, (f, *shapes) in cases.items():
        rng = np.random.default_rng(len(name))
        err = _gradient_error(f, *(rng.uniform(0.5, 1.5, size=s) * rng.choice([-1, 1], size=s) for s in shapes))
        assert err < 1e-5, f"gradient of {name}: differs from finite differences (relative error {err:.2g})"


def check_unbroadcast() -> None:
    import numpy as np

    from tinytorch.autograd import unbroadcast

    got = unbroadcast(np.ones((2, 3, 4)), (3, 1))
    assert got.shape == (3, 1), f"unbroadcast((2,3,4) ones, (3,1)): expected shape (3, 1), got {got.shape}"
    assert np.all(got == 8), f"each entry should add up 2*4 = 8 gradients, got {got.ravel()}"


def check_reused_tensor_accumulates() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor

    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * x + x  # x used three times: dy/dx = 2x + 1
    y.sum().backward()
    assert x.grad is not None and np.allclose(x.grad, [3.0, -3.0, 7.0]), f"d(x*x + x)/dx: expected 2x+1, got {x.grad}"
    (x * 2).sum().backward()
    assert np.allclose(x.grad, [5.0, -1.0, 9.0]), f"a second backward() should add to .grad, got {x.grad}"


def check_arithmetic_gradients() -> None:
    _expect_gradients(
        {
            "a + b (broadcast (2,3) + (3,))": (lambda a, b: a + b, (2, 3), (3,)),
            "a - b (broadcast (2,1) - (1,3))": (lambda a, b: a - b, (2, 1), (1, 3)),
            "a * b": (lambda a, b: a * b, (2, 3), (2, 1)),
            "a / b": (lambda a, b: a / b, (2, 3), (3,)),
            "-a and a ** 3": (lambda a: -(a**3), (4,)),
            "2 - a / 3": (lambda a: 2 - a / 3, (3,)),
        }
    )


def check_tensor_op_gradients() -> None:
    import numpy as np

    _expect_gradients(
        {
            "a @ b": (lambda a, b: a @ b, (2, 3), (3, 2)),
            "batched a @ b": (lambda a, b: a @ b, (2, 2, 3), (3, 2)),
            "sum(axis=1)": (lambda a: a.sum(axis=1), (2, 3)),
            "mean(keepdims=True)": (lambda a: a.mean(axis=0, keepdims=True), (3, 2)),
            "max(axis=-1)": (lambda a: a.max(axis=-1), (2, 4)),
            "exp and log": (lambda a: (a * a).log() + a.exp(), (3,)),
            "reshape and transpose": (lambda a: a.reshape(3, 2).T, (2, 3)),
            "gather a[[0, 2, 0]]": (lambda a: a[np.array([0, 2, 0])], (3, 2)),
        }
    )


def check_activation_gradients() -> None:
    from tinytorch.activations import ReLU, Sigmoid, Softmax, Tanh

    _expect_gradients(
        {
            "ReLU": (lambda a: ReLU()(a), (2, 3)),
            "Sigmoid": (lambda a: Sigmoid()(a), (2, 3)),
            "Tanh": (lambda a: Tanh()(a), (2, 3)),
            "Softmax": (lambda a: Softmax()(a), (2, 3)),
        }
    )


def check_linear_layer_gradients() -> None:
    import numpy as np

    from tinytorch.layers import Linear
    from tinytorch.tensor import Tensor

    layer = Linear(3, 2, seed=0)
    x = Tensor(np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.0]]))

    def loss_of(weight: Any, bias: Any) -> Any:
        layer.weight, layer.bias = weight, bias
        return layer(x) * layer(x)

    _expect_gradients({"Linear (weight and bias) under a square loss": (loss_of, (3, 2), (2,))})
