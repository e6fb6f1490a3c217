"""Checks for module 12 (compression): tinytorch/compression.py, pruning, int8 quantization and byte counts."""

from __future__ import annotations


def check_prune_magnitude() -> None:
    import numpy as np

    from tinytorch.compression import prune_magnitude, sparsity
    from tinytorch.networks import MLP

    model = MLP([4, 5, 3], seed=0)
    model.layers[0].bias.data[:] = 0.25
    weights = np.abs(model.layers[0].weight.data).ravel()
    threshold = np.sort(weights)[len(weights) // 2 - 1]
    achieved = prune_magnitude(model, 0.5)
    assert abs(achieved - 0.5) < 0.03, f"prune_magnitude(model, 0.5) returned {achieved}, expected ~0.5"
    assert abs(sparsity(model) - achieved) < 1e-9, f"sparsity() = {sparsity(model)} differs from {achieved}"
    kept = model.layers[0].weight.data
    assert np.all(np.abs(kept[kept != 0]) > threshold), "a weight larger than a pruned one was removed"
    assert np.all(model.layers[0].bias.data == 0.25), "biases must not be pruned"


def check_quantize_int8() -> None:
    import numpy as np

    from tinytorch.compression import quantize_int8

    x = np.array([[-1.0, 0.0, 0.5], [2.0, 1.0, -0.25]], dtype=np.float32)
    q = quantize_int8(x)
    assert q.values.dtype == np.int8, f"values should be int8, got {q.values.dtype}"
    assert q.values.shape == x.shape, f"values should keep the shape {x.shape}, got {q.values.shape}"
    back = q.dequantize()
    step = 3.0 / 255.0
    assert np.max(np.abs(back - x)) <= step / 2 + 1e-6, f"round trip error {np.max(np.abs(back - x))} > step/2"
    assert back[0, 1] == 0.0, f"0 must come back exactly (pruned weights stay zero), got {back[0, 1]}"
    nbytes = q.values.nbytes + np.asarray(q.scale).nbytes + np.asarray(q.zero_point).nbytes
    assert q.nbytes == nbytes, f".nbytes should be the stored arrays' bytes {nbytes}, got {q.nbytes}"


def check_quantized_model() -> None:
    import numpy as np

    from tinytorch.compression import QuantizedModel, dense_nbytes
    from tinytorch.networks import MLP
    from tinytorch.tensor import Tensor

    model = MLP([6, 8, 3], seed=2)
    x = Tensor(np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32))
    q = QuantizedModel(model)
    gap = np.max(np.abs(q(x).data - model(x).data))
    assert gap < 0.05, f"quantized outputs should stay close to the original, largest gap {gap}"
    stored = sum(t.nbytes for t in q.quantized.values()) + sum(a.nbytes for a in q.floats.values())
    assert q.nbytes == stored, f"QuantizedModel.nbytes {q.nbytes} != bytes of its stored arrays {stored}"
    assert dense_nbytes(model) == 4 * (6 * 8 + 8 + 8 * 3 + 3), f"dense_nbytes: got {dense_nbytes(model)}"
    assert q.nbytes < dense_nbytes(model) / 2, f"int8 model ({q.nbytes} B) should be far smaller than float32"


def check_sparse_nbytes() -> None:
    import numpy as np

    from tinytorch.compression import to_csr

    m = np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 3.0]], dtype=np.float32)
    data, indices, indptr = to_csr(m)
    assert np.array_equal(data, [2.0, 1.0, 3.0]), f"CSR values: expected [2, 1, 3], got {data}"
    assert np.array_equal(indices, [1, 0, 2]), f"CSR column indices: expected [1, 0, 2], got {indices}"
    assert np.array_equal(indptr, [0, 1, 1, 3]), f"CSR row pointers: expected [0, 1, 1, 3], got {indptr}"
    rebuilt = np.zeros_like(m)
    for row in range(3):
        rebuilt[row, indices[indptr[row] : indptr[row + 1]]] = data[indptr[row] : indptr[row + 1]]
    assert np.array_equal(rebuilt, m), "the CSR arrays do not rebuild the matrix"
    from tinytorch.compression import prune_magnitude, sparse_nbytes
    from tinytorch.networks import MLP

    model = MLP([8, 6, 2], seed=3)
    prune_magnitude(model, 0.5)
    expected = sum(sum(a.nbytes for a in to_csr(p.data)) if p.ndim == 2 else p.data.astype(np.float32).nbytes
                   for p in model.parameters())
    assert sparse_nbytes(model) == expected, f"sparse_nbytes: expected {expected} (CSR arrays + biases)"
