"""Forward results of modules 01-07 against numpy, graph bookkeeping, and an MLP that learns XOR."""

from __future__ import annotations

import numpy as np
import pytest

from tinytorch.activations import ReLU, Sigmoid, Softmax, Tanh
from tinytorch.attention import MultiHeadAttention, causal_mask, scaled_dot_product_attention
from tinytorch.autograd import unbroadcast
from tinytorch.layers import Dense, Layer, Linear
from tinytorch.networks import MLP, Sequential
from tinytorch.spatial import Conv2d, Flatten, MaxPool2d
from tinytorch.system import personal_info, system_info
from tinytorch.tensor import Tensor, is_grad_enabled, no_grad

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4))
B = RNG.normal(size=(4,))
C = RNG.uniform(0.5, 2.0, size=(3, 1))
A3 = A.reshape(3, 2, 2)


@pytest.mark.parametrize(
    ("name", "got", "want"),
    [
        ("a + b", lambda: Tensor(A) + Tensor(B), A + B),
        ("a - c", lambda: Tensor(A) - Tensor(C), A - C),
        ("a * c", lambda: Tensor(A) * Tensor(C), A * C),
        ("a / c", lambda: Tensor(A) / Tensor(C), A / C),
        ("2 * a - 1", lambda: 2 * Tensor(A) - 1, 2 * A - 1),
        ("1 / c", lambda: 1 / Tensor(C), 1 / C),
        ("ndarray + tensor", lambda: A + Tensor(B), A + B),
        ("ndarray @ tensor", lambda: A @ Tensor(B), A @ B),
        ("-a ** 3", lambda: -(Tensor(A) ** 3), -(A**3)),
        ("a @ a.T", lambda: Tensor(A) @ Tensor(A).T, A @ A.T),
        ("batched @", lambda: Tensor(A3) @ Tensor(A3), A3 @ A3),
        ("reshape", lambda: Tensor(A).reshape(2, 6), A.reshape(2, 6)),
        ("transpose axes", lambda: Tensor(A3).transpose(1, 2, 0), A3.transpose(1, 2, 0)),
        ("sum", lambda: Tensor(A).sum(), A.sum()),
        ("sum axis keepdims", lambda: Tensor(A).sum(axis=0, keepdims=True), A.sum(axis=0, keepdims=True)),
        ("mean axes", lambda: Tensor(A3).mean(axis=(0, 2)), A3.mean(axis=(0, 2))),
        ("max", lambda: Tensor(A).max(axis=-1), A.max(axis=-1)),
        ("exp", lambda: Tensor(A).exp(), np.exp(A)),
        ("log", lambda: Tensor(C).log(), np.log(C)),
        ("gather", lambda: Tensor(A)[np.array([2, 2, 0])], A[[2, 2, 0]]),
        ("tensor index", lambda: Tensor(A)[Tensor([1.0, 0.0])], A[[1, 0]]),
        ("relu", lambda: ReLU()(Tensor(A)), np.maximum(A, 0)),
        ("sigmoid", lambda: Sigmoid()(Tensor(A)), 1 / (1 + np.exp(-A))),
        ("tanh", lambda: Tanh()(Tensor(A)), np.tanh(A)),
        ("softmax", lambda: Softmax()(Tensor(A)), np.exp(A) / np.exp(A).sum(axis=-1, keepdims=True)),
    ],
)
def test_forward_matches_numpy(name: str, got, want) -> None:
    out = got()
    assert isinstance(out, Tensor), name
    np.testing.assert_allclose(out.data, want, rtol=1e-10, atol=1e-12, err_msg=name)


def test_dtypes() -> None:
    assert Tensor([1, 2, 3]).dtype == np.float32
    assert Tensor(np.arange(3)).dtype == np.float32
    assert Tensor(3).dtype == np.float32 and Tensor(3).shape == ()
    assert Tensor(np.zeros(2)).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    x = Tensor(np.ones((2, 2), dtype=np.float32))
    for out in (x + 1.5, 2.0 * x, x / 3, x @ x, x.mean(), Softmax()(x), x + np.ones(2)):
        assert out.dtype == np.float32, "float32 must stay float32 through scalars and constants"


def test_shape_helpers_and_leaving_the_graph() -> None:
    t = Tensor(A, requires_grad=True)
    assert (t.shape, t.ndim, t.size, len(t)) == ((3, 4), 2, 12, 3)
    assert t.numpy() is t.data
    assert Tensor([[2.5]]).item() == 2.5
    d = (t * 2).detach()
    assert not d.requires_grad and d._parents == ()
    assert "requires_grad=True" in repr(t)


def test_unbroadcast() -> None:
    g = np.ones((4, 2, 3))
    assert unbroadcast(g, (2, 3)).shape == (2, 3)
    np.testing.assert_array_equal(unbroadcast(g, (1, 3)), np.full((1, 3), 8.0))
    np.testing.assert_array_equal(unbroadcast(g, ()), 24.0)


def test_backward_accumulates_and_handles_diamonds() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    y = x * 3
    z = (y * y + y).sum()  # y reached twice: dz/dx = 3 * (2y + 1)
    z.backward()
    np.testing.assert_allclose(x.grad, 3 * (2 * np.array([3.0, 6.0]) + 1))
    x.zero_grad()
    assert x.grad is None
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 4 * x.data)


def test_backward_needs_a_graph_and_a_scalar() -> None:
    with pytest.raises(RuntimeError):
        Tensor([1.0]).backward()
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * 2).backward()
    (x * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad, [2.0, 20.0])


def test_deep_graph_needs_no_recursion() -> None:
    x = Tensor([0.5], requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0001**5000])


def test_max_splits_ties_and_gather_adds_repeats() -> None:
    x = Tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad, [[0.0, 0.5, 0.5]])
    y = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_allclose(y.grad, [3.0, 0.0, 1.0])


def test_no_grad() -> None:
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2 + 1
    assert is_grad_enabled()
    assert not y.requires_grad and y._parents == ()
    assert (x * 2)._op == "mul"

    @no_grad()
    def evaluate() -> Tensor:
        return x * 3

    assert not evaluate().requires_grad


def test_layer_parameters_and_state_dict_round_trip(tmp_path) -> None:
    model = Sequential(Conv2d(1, 2, 3, padding=1, seed=0), ReLU(), MaxPool2d(2), Flatten(), Linear(8, 3, seed=1))
    names = [n for n, _ in model.named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.4.weight", "layers.4.bias"]
    path = tmp_path / "weights.npz"
    np.savez(path, **model.state_dict())
    other = Sequential(Conv2d(1, 2, 3, padding=1, seed=5), ReLU(), MaxPool2d(2), Flatten(), Linear(8, 3, seed=6))
    x = Tensor(RNG.normal(size=(2, 1, 4, 4)).astype(np.float32))
    assert not np.allclose(model(x).data, other(x).data)
    with np.load(path) as saved:
        other.load_state_dict(dict(saved))
    np.testing.assert_array_equal(model(x).data, other(x).data)
    with pytest.raises(KeyError):
        other.load_state_dict({"layers.0.weight": np.zeros((2, 1, 3, 3))})
    with pytest.raises(ValueError):
        other.load_state_dict({**model.state_dict(), "layers.4.bias": np.zeros(4)})


def test_shared_parameters_are_listed_once() -> None:
    shared = Linear(2, 2, seed=0)

    class Tied(Layer):
        def __init__(self) -> None:
            self.a, self.b = shared, shared

    assert len(Tied().parameters()) == 2


def test_linear_and_mlp() -> None:
    assert Dense is Linear
    layer = Linear(4, 3, seed=0)
    assert layer.weight.dtype == np.float32 and layer.weight.shape == (4, 3)
    np.testing.assert_allclose(layer(Tensor(A)).data, A @ layer.weight.data + layer.bias.data, rtol=1e-5)
    mlp = MLP([4, 16, 16, 2], activation=Tanh, seed=3)
    assert [type(m).__name__ for m in mlp.layers] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert mlp(Tensor(A)).shape == (3, 2)
    again = MLP([4, 16, 16, 2], activation=Tanh, seed=3)
    np.testing.assert_array_equal(mlp(Tensor(A)).data, again(Tensor(A)).data)


def test_conv2d_matches_a_direct_sum() -> None:
    conv = Conv2d(2, 3, (2, 3), stride=(1, 2), padding=1, seed=0)
    conv.bias.data[:] = [1.0, 2.0, 3.0]
    x = RNG.normal(size=(2, 2, 4, 5)).astype(np.float32)
    out = conv(Tensor(x)).data
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    assert out.shape == (2, 3, 5, 3)
    for i in range(5):
        for j in range(3):
            patch = xp[:, :, i : i + 2, 2 * j : 2 * j + 3]
            want = np.einsum("nchw,ochw->no", patch, conv.weight.data) + conv.bias.data
            np.testing.assert_allclose(out[:, :, i, j], want, rtol=1e-4, atol=1e-5)


def test_attention_masks_the_future() -> None:
    q = Tensor(RNG.normal(size=(1, 5, 4)))
    out, weights = scaled_dot_product_attention(q, q, q, causal_mask(5))
    assert np.allclose(np.triu(weights.data[0], 1), 0) and np.allclose(weights.data.sum(-1), 1)
    np.testing.assert_allclose(out.data[0, 0], q.data[0, 0])  # the first position can only see itself
    mha = MultiHeadAttention(8, 4, seed=0)
    y = mha(Tensor(RNG.normal(size=(3, 6, 8)).astype(np.float32)), mask=causal_mask(6))
    assert y.shape == (3, 6, 8) and y.dtype == np.float32
    assert mha.attention_weights.shape == (3, 4, 6, 6)
    with pytest.raises(ValueError):
        MultiHeadAttention(6, 4)


def test_system_module() -> None:
    info = personal_info()
    assert {"name", "email", "institution", "system_name"} <= info.keys() and "@" in info["email"]
    sys_info = system_info()
    assert sys_info["numpy"] == np.__version__ and sys_info["cpu_count"] >= 1


def test_personal_info_reads_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("TINYTORCH_NAME", "Ada Lovelace")
    monkeypatch.setenv("TINYTORCH_EMAIL", "ada@example.org")
    info = personal_info()
    assert info["name"] == "Ada Lovelace" and info["email"] == "ada@example.org"


def test_mlp_learns_xor() -> None:
    x = Tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32))
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    model = MLP([2, 8, 1], activation=Tanh, seed=0)
    for _ in range(500):
        loss = ((Sigmoid()(model(x)) - y) ** 2).mean()
        model.zero_grad()
        loss.backward()
        for p in model.parameters():  # plain SGD; optim.py is its own module
            p.data -= 1.0 * p.grad
    with no_grad():
        predictions = Sigmoid()(model(x)).data > 0.5
    assert (predictions == (y > 0.5)).all(), f"XOR not learned, loss {loss.item():.3f}"
    assert loss.item() < 0.05
