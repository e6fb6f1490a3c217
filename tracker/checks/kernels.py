"""Checks for module 13 (kernels): tinytorch/kernels.py, every matmul variant against numpy."""

from __future__ import annotations


def _pair(n: int, k: int, m: int) -> tuple:
    import numpy as np

    rng = np.random.default_rng(n * 100 + k * 10 + m)
    return rng.normal(size=(n, k)), rng.normal(size=(k, m))


def check_matmul_naive() -> None:
    import numpy as np

    from tinytorch.kernels import matmul_naive

    a, b = _pair(3, 4, 5)
    got = np.asarray(matmul_naive(a, b))
    assert got.shape == (3, 5), f"(3,4) @ (4,5): expected shape (3, 5), got {got.shape}"
    assert np.allclose(got, a @ b), "matmul_naive differs from numpy's a @ b"


def check_matmul_tiled() -> None:
    import numpy as np

    from tinytorch.kernels import matmul_tiled

    a, b = _pair(10, 7, 9)
    for tile in (1, 3, 4, 32):
        got = np.asarray(matmul_tiled(a, b, tile=tile))
        assert got.shape == (10, 9), f"tile={tile}: expected shape (10, 9), got {got.shape}"
        assert np.allclose(got, a @ b), f"matmul_tiled(tile={tile}) differs from a @ b (edge tiles?)"


def check_matmul_vectorized() -> None:
    import numpy as np

    from tinytorch.kernels import matmul_vectorized

    a, b = _pair(6, 5, 4)
    got = np.asarray(matmul_vectorized(a, b))
    assert got.shape == (6, 4) and np.allclose(got, a @ b), "matmul_vectorized differs from a @ b"


def check_fused_linear_relu() -> None:
    import numpy as np

    from tinytorch.kernels import fused_linear_relu

    x, w = _pair(4, 3, 5)
    b = np.linspace(-1, 1, 5)
    keep = (x.copy(), w.copy(), b.copy())
    got = np.asarray(fused_linear_relu(x, w, b))
    assert np.allclose(got, np.maximum(x @ w + b, 0)), "fused_linear_relu differs from relu(x @ w + b)"
    assert all(np.array_equal(u, v) for u, v in zip((x, w, b), keep, strict=True)), "inputs must not change"
