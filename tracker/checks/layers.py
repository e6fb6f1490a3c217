"""Checks for module 04 (layers): tinytorch/layers.py."""

from __future__ import annotations


def check_linear_forward() -> None:
    import numpy as np

    from tinytorch.layers import Linear
    from tinytorch.tensor import Tensor

    layer = Linear(3, 2, seed=0)
    assert layer.weight.shape == (3, 2), f"Linear(3, 2).weight: expected (3, 2), got {layer.weight.shape}"
    assert layer.bias is not None and layer.bias.shape == (2,), "Linear(3, 2).bias: expected shape (2,)"
    layer.bias.data[:] = [0.5, -1.0]
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    want = x @ layer.weight.data + layer.bias.data
    out = layer(Tensor(x))
    assert out.shape == (4, 2), f"Linear(3, 2) on a (4, 3) batch: expected (4, 2), got {out.shape}"
    assert np.allclose(out.data, want, atol=1e-5), f"x @ weight + bias: expected {want}, got {out.data}"
    seq = layer(Tensor(x.reshape(2, 2, 3)))
    assert seq.shape == (2, 2, 2), f"Linear(3, 2) on (2, 2, 3): expected (2, 2, 2), got {seq.shape}"
    assert Linear(3, 2, bias=False).bias is None, "Linear(..., bias=False).bias should be None"


def check_linear_initialisation() -> None:
    import numpy as np

    from tinytorch.layers import Linear

    a, b, c = Linear(64, 32, seed=1), Linear(64, 32, seed=1), Linear(64, 32, seed=2)
    assert np.array_equal(a.weight.data, b.weight.data), "the same seed should give the same weights"
    assert not np.array_equal(a.weight.data, c.weight.data), "different seeds should give different weights"
    assert a.weight.requires_grad and a.bias.requires_grad, "weight and bias should have requires_grad=True"
    std = float(a.weight.data.std())
    assert 0.01 < std < 0.5, f"weights for 64 inputs should be scaled (std ~ 0.1-0.2), got std {std:.3f}"
    assert np.all(a.bias.data == 0), "the bias should start at zero"


def check_parameters_are_found() -> None:
    from tinytorch.layers import Dense, Layer, Linear

    assert Dense is Linear, "Dense should be another name for Linear"

    class Net(Layer):
        def __init__(self) -> None:
            self.first = Linear(2, 3, seed=0)
            self.rest = [Linear(3, 3, seed=1), Linear(3, 1, bias=False, seed=2)]

    net = Net()
    names = [name for name, _ in net.named_parameters()]
    want = ["first.weight", "first.bias", "rest.0.weight", "rest.0.bias", "rest.1.weight"]
    assert names == want, f"named_parameters(): expected {want}, got {names}"
    assert net.parameters()[0] is net.first.weight, "parameters() should return the Tensors themselves"


def check_state_dict_round_trip() -> None:
    import numpy as np

    from tinytorch.layers import Linear

    src, dst = Linear(3, 2, seed=0), Linear(3, 2, seed=5)
    state = src.state_dict()
    assert sorted(state) == ["bias", "weight"], f"state_dict keys: expected bias, weight, got {sorted(state)}"
    dst.load_state_dict(state)
    assert np.array_equal(dst.weight.data, src.weight.data), "load_state_dict should copy the weights"
    state["weight"][:] = 0
    assert np.any(src.weight.data != 0), "state_dict() should hold copies, not the live arrays"
    try:
        dst.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(2)})
    except (KeyError, ValueError):
        pass
    else:
        raise AssertionError("loading a (2, 3) weight into a (3, 2) layer should raise ValueError")
