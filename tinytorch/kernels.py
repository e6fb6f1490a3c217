"""Module 13 - Kernels: the same matrix product, three speeds.

Nearly all of a network's time goes into matrix products. Written as three Python loops, a product of
two n x n matrices does n**3 multiply-adds one interpreted step at a time. Cutting the matrices into
tiles keeps a small block in the CPU cache while it is reused, and handing whole blocks to numpy runs
the inner loops in compiled code. Calling the BLAS library through numpy's `@` does all of this (and
more) for us. Fusing the bias add and ReLU into the product's output buffer saves two extra passes
over memory.

Public names (numpy arrays in, numpy arrays out)
- `matmul_naive(a, b)`: three nested Python loops; for small inputs only (it is ~1000x slower).
- `matmul_tiled(a, b, tile=32)`: loops over tile x tile blocks, numpy inside a block.
- `matmul_vectorized(a, b)`: one call into numpy's BLAS-backed matrix product.
- `fused_linear_relu(x, w, b)`: relu(x @ w + b) computed in one output buffer, without temporaries.
"""

from __future__ import annotations

import numpy as np


def _check_shapes(a: np.ndarray, b: np.ndarray) -> tuple[int, int, int]:
    """(n, k, m) for a (n, k) @ b (k, m); a clear error for anything else."""
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply shapes {a.shape} and {b.shape}")
    return a.shape[0], a.shape[1], b.shape[1]


def matmul_naive(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """out[i, j] = sum over p of a[i, p] * b[p, j], one scalar multiply-add at a time."""
    a, b = np.asarray(a), np.asarray(b)
    n, k, m = _check_shapes(a, b)
    out = np.zeros((n, m), dtype=np.result_type(a, b))
    ### BEGIN SOLUTION hint: three nested for-loops over i, j and p accumulating a[i, p] * b[p, j]
    for i in range(n):
        for j in range(m):
            total = 0.0
            for p in range(k):
                total += a[i, p] * b[p, j]
            out[i, j] = total
    return out
    ### END SOLUTION


def matmul_tiled(a: np.ndarray, b: np.ndarray, tile: int = 32) -> np.ndarray:
    """The product computed block by block: out[I, J] += a[I, P] @ b[P, J] for tile-sized I, J, P."""
    a, b = np.asarray(a), np.asarray(b)
    n, k, m = _check_shapes(a, b)
    if tile < 1:
        raise ValueError(f"tile must be at least 1, got {tile}")
    out = np.zeros((n, m), dtype=np.result_type(a, b))
    ### BEGIN SOLUTION hint: loop i, j, p in steps of `tile`; add a[i:i+t, p:p+t] @ b[p:p+t, j:j+t] into out
    for i in range(0, n, tile):
        for j in range(0, m, tile):
            block = out[i : i + tile, j : j + tile]
            for p in range(0, k, tile):
                block += a[i : i + tile, p : p + tile] @ b[p : p + tile, j : j + tile]
    return out
    ### END SOLUTION


def matmul_vectorized(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The whole product in one call to numpy (which hands it to an optimised BLAS)."""
    a, b = np.asarray(a), np.asarray(b)
    _check_shapes(a, b)
    ### BEGIN SOLUTION hint: one numpy call does it all
    return a @ b
    ### END SOLUTION


def fused_linear_relu(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """relu(x @ w + b), adding the bias and clamping in place in the product's own buffer."""
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    _check_shapes(x, w)
    ### BEGIN SOLUTION hint: out = x @ w, then out += b and np.maximum(out, 0, out=out) (no new arrays)
    out = x @ w
    out += b
    np.maximum(out, 0, out=out)
    return out
    ### END SOLUTION
