"""Checks for module 02 (tensor): tinytorch/tensor.py, forward results against plain numpy."""

from __future__ import annotations

from typing import Any


def _close(got: Any, want: Any, what: str) -> None:
    import numpy as np

    got = np.asarray(got)
    assert got.shape == np.shape(want), f"{what}: expected shape {np.shape(want)}, got {got.shape}"
    assert np.allclose(got, want, rtol=1e-5, atol=1e-6), f"{what}: expected {np.asarray(want)}, got {got}"


def check_add_broadcasts() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor

    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([10.0, 20.0, 30.0], dtype=np.float32)
    out = Tensor(a) + Tensor(b)
    assert isinstance(out, Tensor), f"a + b should be a Tensor, got {type(out).__name__}"
    _close(out.data, a + b, "(2,3) + (3,)")
    assert out.dtype == np.float32, f"float32 + float32: expected float32, got {out.dtype}"
    _close((Tensor(a) + 1).data, a + 1, "tensor + 1")
    _close((1 + Tensor(a)).data, 1 + a, "1 + tensor")


def check_arithmetic() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor

    a = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    b = np.array([[2.0], [-4.0]])
    x, y = Tensor(a), Tensor(b)
    _close((x - y).data, a - b, "a - b")
    _close((x * y).data, a * b, "a * b")
    _close((x / y).data, a / b, "a / b")
    _close((2 - x).data, 2 - a, "2 - a")
    _close((3 / y).data, 3 / b, "3 / b")
    _close((-x).data, -a, "-a")
    _close((x**2).data, a**2, "a ** 2")
    listed = Tensor([1, 2])
    assert listed.dtype == np.float32, f"Tensor of a list: expected float32, got {listed.dtype}"
    assert (x * 2).dtype == np.float64, f"float64 * 2: expected float64 kept, got {(x * 2).dtype}"


def check_matmul() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    _close((Tensor(a) @ Tensor(b)).data, a @ b, "(2,3) @ (3,4)")
    batch = rng.normal(size=(5, 2, 3))
    _close((Tensor(batch) @ Tensor(b)).data, batch @ b, "batched (5,2,3) @ (3,4)")


def check_reshape_transpose_index() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor

    a = np.arange(24.0).reshape(2, 3, 4)
    t = Tensor(a)
    _close(t.reshape(6, 4).data, a.reshape(6, 4), "reshape(6, 4)")
    _close(t.reshape((4, -1)).data, a.reshape(4, -1), "reshape((4, -1))")
    _close(t.transpose().data, a.swapaxes(-1, -2), "transpose() (swap the last two axes)")
    _close(t.T.data, a.swapaxes(-1, -2), ".T")
    _close(t.transpose(2, 0, 1).data, a.transpose(2, 0, 1), "transpose(2, 0, 1)")
    _close(t[1].data, a[1], "t[1]")
    rows = np.array([2, 0, 2])
    _close(t[:, rows].data, a[:, rows], "t[:, [2, 0, 2]] (gather)")


def check_reductions() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor

    a = np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    t = Tensor(a)
    _close(t.sum().data, a.sum(), "sum()")
    _close(t.sum(axis=0).data, a.sum(axis=0), "sum(axis=0)")
    _close(t.sum(axis=1, keepdims=True).data, a.sum(axis=1, keepdims=True), "sum(axis=1, keepdims=True)")
    _close(t.mean().data, a.mean(), "mean()")
    _close(t.mean(axis=-1).data, a.mean(axis=-1), "mean(axis=-1)")
    _close(t.max(axis=1).data, a.max(axis=1), "max(axis=1)")
    _close(t.exp().data, np.exp(a), "exp()")
    _close(t.log().data, np.log(a), "log()")
    assert t.sum().item() == 21.0, f"sum().item(): expected 21.0, got {t.sum().item()}"


def check_ops_record_the_graph() -> None:
    from tinytorch.tensor import Tensor, no_grad

    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0])
    for out, op in ((a + b, "add"), (a * b, "mul"), (a @ b, "matmul"), (a.sum(), "sum"), (a.exp(), "exp")):
        assert out.requires_grad, f"the result of {op} on a tensor that requires grad should require grad"
        assert out._op == op, f"expected the op to be recorded as {op!r}, got {out._op!r} (use Tensor._make)"
    c = a * b
    assert c._parents == (a, b), "a * b should record (a, b) as its parents"
    assert not (b * b).requires_grad, "constants in, constant out: b * b should not require grad"
    with no_grad():
        assert not (a * b).requires_grad, "inside no_grad() nothing should be recorded"
