"""Every differentiable op and layer of modules 02-08 against central finite differences (float64)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from tinytorch.activations import ReLU, Sigmoid, Softmax, Tanh
from tinytorch.attention import MultiHeadAttention, causal_mask, scaled_dot_product_attention
from tinytorch.layers import Layer, Linear
from tinytorch.spatial import Conv2d, MaxPool2d
from tinytorch.tensor import Tensor

EPS = 1e-6
TOLERANCE = 1e-4


def relative_error(numeric: np.ndarray, analytic: np.ndarray) -> float:
    """max |numeric - analytic| / (|numeric| + |analytic|), with a floor for gradients that are truly 0
    (e.g. the key bias of attention: softmax ignores a shift shared by all keys)."""
    scale = max(1e-3, float(np.abs(numeric).max() + np.abs(analytic).max()))
    return float(np.abs(numeric - analytic).max()) / scale


def assert_gradients_match(
    f: Callable[..., Tensor], arrays: Sequence[np.ndarray], params: Sequence[Tensor] = ()
) -> None:
    """backward() of sum(f(*inputs) * w) vs central differences, for every input and parameter."""
    inputs = [Tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = f(*inputs)
    weights = np.random.default_rng(123).normal(size=out.shape)
    (out * weights).sum().backward()
    for k, t in enumerate([*inputs, *params]):
        assert t.grad is not None, f"tensor {k} got no gradient"
        assert t.grad.shape == t.shape
        numeric = np.zeros_like(t.data)
        for i in np.ndindex(t.shape):
            keep = t.data[i]
            t.data[i] = keep + EPS
            plus = (f(*inputs).data * weights).sum()
            t.data[i] = keep - EPS
            minus = (f(*inputs).data * weights).sum()
            t.data[i] = keep
            numeric[i] = (plus - minus) / (2 * EPS)
        err = relative_error(numeric, t.grad)
        assert err < TOLERANCE, f"tensor {k} (shape {t.shape}): relative error {err:.2e}"


def float64(layer: Layer) -> Layer:
    """Parameters in float64 (and non-zero biases) so finite differences are exact enough."""
    rng = np.random.default_rng(7)
    for p in layer.parameters():
        p.data = p.data.astype(np.float64) + (0.1 * rng.normal(size=p.shape) if p.ndim == 1 else 0.0)
    return layer


def data(*shape: int, seed: int = 0, away_from_zero: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed + len(shape) * 31 + sum(shape))
    if away_from_zero:  # kinks (ReLU at 0) and ties (max) would break finite differences
        return rng.uniform(0.2, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return rng.normal(size=shape)


OP_CASES: dict[str, tuple[Callable[..., Tensor], list[np.ndarray]]] = {
    "add": (lambda a, b: a + b, [data(2, 3), data(2, 3, seed=1)]),
    "add broadcast row": (lambda a, b: a + b, [data(2, 3), data(3)]),
    "add broadcast both": (lambda a, b: a + b, [data(2, 1), data(1, 3)]),
    "add scalar": (lambda a: 3.0 + a + 1.0, [data(4)]),
    "sub broadcast": (lambda a, b: a - b, [data(2, 3, 4), data(3, 1)]),
    "rsub": (lambda a: 1.0 - a, [data(3)]),
    "mul broadcast": (lambda a, b: a * b, [data(2, 3), data(2, 1)]),
    "mul self": (lambda a: a * a * a, [data(3)]),
    "div broadcast": (lambda a, b: a / b, [data(2, 3), data(3, away_from_zero=True)]),
    "rdiv": (lambda a: 2.0 / a, [data(3, away_from_zero=True)]),
    "neg": (lambda a: -a, [data(2, 2)]),
    "pow 2": (lambda a: a**2, [data(3)]),
    "pow fractional": (lambda a: (a * a + 1.0) ** 0.5, [data(3)]),
    "pow negative": (lambda a: (a * a + 1.0) ** -1.5, [data(3)]),
    "matmul": (lambda a, b: a @ b, [data(2, 3), data(3, 4)]),
    "matmul batched": (lambda a, b: a @ b, [data(2, 3, 4), data(2, 4, 2)]),
    "matmul batch broadcast": (lambda a, b: a @ b, [data(2, 2, 3), data(3, 2)]),
    "matmul 2d @ batched": (lambda a, b: a @ b, [data(2, 3), data(4, 3, 2)]),
    "matmul vector": (lambda a, b: a @ b, [data(2, 3), data(3)]),
    "matmul vector left": (lambda a, b: a @ b, [data(3), data(2, 3, 2)]),
    "matmul dot": (lambda a, b: a @ b, [data(3), data(3, seed=1)]),
    "sum all": (lambda a: a.sum(), [data(2, 3)]),
    "sum axis": (lambda a: a.sum(axis=1), [data(2, 3, 4)]),
    "sum axes keepdims": (lambda a: a.sum(axis=(0, 2), keepdims=True), [data(2, 3, 4)]),
    "sum negative axis": (lambda a: a.sum(axis=-1), [data(2, 3)]),
    "mean all": (lambda a: a.mean(), [data(2, 3)]),
    "mean axis": (lambda a: a.mean(axis=0), [data(4, 3)]),
    "mean keepdims": (lambda a: a.mean(axis=-1, keepdims=True), [data(2, 5)]),
    "max all": (lambda a: a.max(), [data(3, 4)]),
    "max axis": (lambda a: a.max(axis=1), [data(3, 4)]),
    "max axes keepdims": (lambda a: a.max(axis=(0, 2), keepdims=True), [data(2, 3, 4)]),
    "reshape": (lambda a: a.reshape(3, -1), [data(2, 3)]),
    "reshape tuple": (lambda a: a.reshape((6,)), [data(2, 3)]),
    "transpose default": (lambda a: a.transpose(), [data(2, 3, 4)]),
    "transpose axes": (lambda a: a.transpose(2, 0, 1), [data(2, 3, 4)]),
    "T": (lambda a: a.T, [data(2, 3)]),
    "getitem int": (lambda a: a[1], [data(3, 2)]),
    "getitem slice": (lambda a: a[1:, ::2], [data(3, 4)]),
    "getitem gather repeated": (lambda a: a[np.array([0, 2, 0, 0])], [data(3, 2)]),
    "getitem gather 2d index": (lambda a: a[:, np.array([[0, 1], [1, 1]])], [data(2, 3)]),
    "getitem mixed": (lambda a: a[np.array([1, 0]), :, np.array([2, 2])], [data(2, 3, 4)]),
    "exp": (lambda a: a.exp(), [data(3)]),
    "log": (lambda a: (a * a + 0.5).log(), [data(3)]),
    "relu": (lambda a: ReLU()(a), [data(3, 4, away_from_zero=True)]),
    "sigmoid": (lambda a: Sigmoid()(a), [data(3, 4)]),
    "tanh": (lambda a: Tanh()(a), [data(3, 4)]),
    "softmax": (lambda a: Softmax()(a), [data(3, 4)]),
    "softmax axis 0": (lambda a: Softmax(axis=0)(a), [data(3, 4)]),
    "softmax large inputs": (lambda a: Softmax()(a * 50.0), [data(2, 3)]),
    "log softmax": (lambda a: (Softmax()(a)).log(), [data(2, 4)]),
    "composite": (lambda a, b: ((a @ b).exp().sum(axis=0) / 3.0 - b.mean()) ** 2, [data(2, 3), data(3, 2)]),
}


@pytest.mark.parametrize("name", list(OP_CASES))
def test_op_gradient(name: str) -> None:
    f, arrays = OP_CASES[name]
    assert_gradients_match(f, arrays)


def test_linear_gradient() -> None:
    layer = float64(Linear(4, 3, seed=0))
    assert_gradients_match(layer, [data(5, 4)], layer.parameters())


def test_linear_gradient_on_sequences() -> None:
    layer = float64(Linear(3, 2, seed=1))
    assert_gradients_match(layer, [data(2, 4, 3)], layer.parameters())


@pytest.mark.parametrize(
    ("kernel", "stride", "padding"), [(3, 1, 0), (3, 1, 1), (3, 2, 1), ((2, 3), 1, 0), (2, 2, 0), (3, 2, 2)]
)
def test_conv2d_gradient(kernel: int | tuple[int, int], stride: int, padding: int) -> None:
    conv = float64(Conv2d(2, 3, kernel, stride=stride, padding=padding, seed=0))
    assert_gradients_match(conv, [data(2, 2, 5, 6)], conv.parameters())


@pytest.mark.parametrize(("kernel", "stride"), [(2, None), (3, 1), (2, 1), (3, 2)])
def test_maxpool2d_gradient(kernel: int, stride: int | None) -> None:
    assert_gradients_match(MaxPool2d(kernel, stride), [data(2, 2, 5, 6)])


@pytest.mark.parametrize("masked", [False, True])
def test_scaled_dot_product_attention_gradient(masked: bool) -> None:
    mask = causal_mask(4) if masked else None

    def attend(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        return scaled_dot_product_attention(q, k, v, mask)[0]

    assert_gradients_match(attend, [data(2, 4, 3), data(2, 4, 3, seed=1), data(2, 4, 2, seed=2)])


def test_attention_weights_gradient() -> None:
    def weights(q: Tensor, k: Tensor) -> Tensor:
        return scaled_dot_product_attention(q, k, k, causal_mask(3))[1]

    assert_gradients_match(weights, [data(3, 2), data(3, 2, seed=3)])


def test_multi_head_attention_gradient() -> None:
    mha = float64(MultiHeadAttention(6, 2, seed=0))
    assert_gradients_match(lambda x: mha(x, mask=causal_mask(4)), [data(2, 4, 6)], mha.parameters())
