"""Checks for module 03 (activations): tinytorch/activations.py."""

from __future__ import annotations

from typing import Any


def _close(got: Any, want: Any, what: str) -> None:
    import numpy as np

    got = np.asarray(got)
    assert got.shape == np.shape(want), f"{what}: expected shape {np.shape(want)}, got {got.shape}"
    assert np.allclose(got, want, rtol=1e-5, atol=1e-6), f"{what}: expected {np.asarray(want)}, got {got}"


def check_relu() -> None:
    from tinytorch.activations import ReLU
    from tinytorch.tensor import Tensor

    x = Tensor([[-2.0, 0.0, 3.0]], requires_grad=True)
    out = ReLU()(x)
    _close(out.data, [[0.0, 0.0, 3.0]], "ReLU([-2, 0, 3])")
    assert out._op == "relu", f"ReLU should record op 'relu' (for autograd), got {out._op!r}"


def check_sigmoid() -> None:
    import numpy as np

    from tinytorch.activations import Sigmoid
    from tinytorch.tensor import Tensor

    x = np.array([-1.0, 0.0, 2.0])
    _close(Sigmoid()(Tensor(x)).data, 1 / (1 + np.exp(-x)), "Sigmoid([-1, 0, 2])")
    with np.errstate(over="raise"):
        extreme = Sigmoid()(Tensor(np.array([-1000.0, 1000.0], dtype=np.float32)))
    _close(extreme.data, [0.0, 1.0], "Sigmoid([-1000, 1000]) (must not overflow)")
    assert extreme.dtype == np.float32, f"float32 in: expected float32 out, got {extreme.dtype}"
    assert Sigmoid()(Tensor([0.0], requires_grad=True))._op == "sigmoid", "Sigmoid should record op 'sigmoid'"


def check_tanh() -> None:
    import numpy as np

    from tinytorch.activations import Tanh
    from tinytorch.tensor import Tensor

    x = np.array([-3.0, 0.0, 0.5])
    _close(Tanh()(Tensor(x)).data, np.tanh(x), "Tanh([-3, 0, 0.5])")
    assert Tanh()(Tensor([0.0], requires_grad=True))._op == "tanh", "Tanh should record op 'tanh'"


def check_softmax() -> None:
    import numpy as np

    from tinytorch.activations import Softmax
    from tinytorch.tensor import Tensor

    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1001.0]])
    e = np.exp(x - x.max(axis=1, keepdims=True))
    out = Softmax()(Tensor(x)).data
    assert np.isfinite(out).all(), f"Softmax of [1000, 1000, 1001] should stay finite, got {out[1]}"
    _close(out, e / e.sum(axis=1, keepdims=True), "Softmax over the last axis")
    _close(out.sum(axis=-1), [1.0, 1.0], "each row of Softmax should sum to 1")
    cols = Softmax(axis=0)(Tensor(x[:1].T)).data
    _close(cols[:, 0], out[0], "Softmax(axis=0) on a column")
