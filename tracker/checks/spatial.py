"""Checks for module 06 (spatial): tinytorch/spatial.py, against a plain-loop convolution."""

from __future__ import annotations

from typing import Any


def _naive_conv(x: Any, w: Any, b: Any, stride: int, padding: int) -> Any:
    import numpy as np

    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = w.shape[2:]
    out_h, out_w = (x.shape[2] - kh) // stride + 1, (x.shape[3] - kw) // stride + 1
    out = np.zeros((x.shape[0], w.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w) + b
    return out


def check_conv2d_shapes() -> None:
    import numpy as np

    from tinytorch.spatial import Conv2d
    from tinytorch.tensor import Tensor

    conv = Conv2d(3, 4, kernel_size=3, stride=2, padding=1, seed=0)
    shape = conv.weight.shape
    assert shape == (4, 3, 3, 3), f"Conv2d(3, 4, 3).weight: expected (4, 3, 3, 3), got {shape}"
    assert conv.bias is not None and conv.bias.shape == (4,), "Conv2d(3, 4, 3).bias: expected shape (4,)"
    out = conv(Tensor(np.zeros((2, 3, 6, 7), dtype=np.float32)))
    assert out.shape == (2, 4, 3, 4), f"(2,3,6,7) in, k=3 s=2 p=1: expected (2, 4, 3, 4), got {out.shape}"


def check_conv2d_matches_loops() -> None:
    import numpy as np

    from tinytorch.spatial import Conv2d
    from tinytorch.tensor import Tensor

    x = np.random.default_rng(0).normal(size=(2, 2, 5, 6)).astype(np.float32)
    for stride, padding in ((1, 0), (1, 1), (2, 1)):
        conv = Conv2d(2, 3, kernel_size=3, stride=stride, padding=padding, seed=1)
        conv.bias.data[:] = [0.1, -0.2, 0.3]
        want = _naive_conv(x, conv.weight.data, conv.bias.data, stride, padding)
        got = conv(Tensor(x)).data
        case = f"stride={stride}, padding={padding}"
        assert got.shape == want.shape, f"{case}: expected shape {want.shape}, got {got.shape}"
        err = float(np.abs(got - want).max())
        assert err < 1e-4, f"{case}: differs from a loop convolution by {err:.2g}"


def check_maxpool2d() -> None:
    import numpy as np

    from tinytorch.spatial import MaxPool2d
    from tinytorch.tensor import Tensor

    x = np.random.default_rng(1).normal(size=(2, 3, 4, 6)).astype(np.float32)
    out = MaxPool2d(2)(Tensor(x))
    want = x.reshape(2, 3, 2, 2, 3, 2).max(axis=(3, 5))
    assert out.shape == (2, 3, 2, 3), f"MaxPool2d(2) on (2,3,4,6): expected (2, 3, 2, 3), got {out.shape}"
    assert np.allclose(out.data, want), "MaxPool2d(2) should take the max of each 2x2 window"
    overlap = MaxPool2d(3, stride=1)(Tensor(x)).data
    assert overlap.shape == (2, 3, 2, 4), f"MaxPool2d(3, stride=1): expected (2,3,2,4), got {overlap.shape}"
    want_one = x[1, 2, 1:4, 3:6].max()
    assert np.isclose(overlap[1, 2, 1, 3], want_one), "MaxPool2d(3, stride=1): a window's max is wrong"


def check_flatten() -> None:
    import numpy as np

    from tinytorch.spatial import Flatten
    from tinytorch.tensor import Tensor

    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    out = Flatten()(Tensor(x))
    assert out.shape == (2, 60), f"Flatten on (2,3,4,5): expected (2, 60), got {out.shape}"
    assert np.array_equal(out.data, x.reshape(2, 60)), "Flatten should keep the element order (C order)"
