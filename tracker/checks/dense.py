"""Checks for module 05 (dense): tinytorch/networks.py."""

from __future__ import annotations


def check_sequential() -> None:
    import numpy as np

    from tinytorch.activations import ReLU
    from tinytorch.layers import Linear
    from tinytorch.networks import Sequential
    from tinytorch.tensor import Tensor

    first, second = Linear(4, 5, seed=0), Linear(5, 2, seed=1)
    model = Sequential(first, ReLU(), second)
    assert len(model.layers) == 3, f"Sequential(a, b, c).layers: expected 3 layers, got {len(model.layers)}"
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    hidden = np.maximum(x @ first.weight.data + first.bias.data, 0)
    want = hidden @ second.weight.data + second.bias.data
    out = model(Tensor(x))
    assert out.shape == (3, 2), f"expected output shape (3, 2), got {out.shape}"
    assert np.allclose(out.data, want, atol=1e-5), f"Sequential output: expected {want}, got {out.data}"
    count = len(model.parameters())
    assert count == 4, f"expected 4 parameters (2 weights, 2 biases), got {count}"


def check_mlp_structure() -> None:
    from tinytorch.activations import ReLU, Tanh
    from tinytorch.layers import Linear
    from tinytorch.networks import MLP

    model = MLP([4, 8, 8, 3])
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"], f"MLP([4, 8, 8, 3]).layers: got {kinds}"
    shapes = [layer.weight.shape for layer in model.layers if isinstance(layer, Linear)]
    assert shapes == [(4, 8), (8, 8), (8, 3)], f"weight shapes: expected (4,8), (8,8), (8,3), got {shapes}"
    assert not isinstance(model.layers[-1], ReLU), "no activation after the last layer (raw scores out)"
    tanh_mlp = MLP([2, 3, 1], activation=Tanh)
    assert isinstance(tanh_mlp.layers[1], Tanh), "MLP(..., activation=Tanh) should use Tanh between layers"


def check_mlp_forward() -> None:
    import numpy as np

    from tinytorch.networks import MLP
    from tinytorch.tensor import Tensor

    a, b = MLP([3, 6, 2], seed=7), MLP([3, 6, 2], seed=7)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    out = a(Tensor(x))
    assert out.shape == (5, 2), f"MLP([3, 6, 2]) on (5, 3): expected (5, 2), got {out.shape}"
    assert np.array_equal(out.data, b(Tensor(x)).data), "two MLPs with the same seed should agree"
    w1, b1, w2, b2 = (p.data for p in a.parameters())
    want = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    assert np.allclose(out.data, want, atol=1e-5), f"MLP forward: expected {want}, got {out.data}"
