"""Module 12 - Compression: smaller models that still get the answer right.

Two classic tricks. Magnitude pruning sets the smallest weights to exactly zero: most of a trained
network's weights matter little, so accuracy barely moves, and a sparse format (CSR: the non-zero
values, their column indices and where each row starts) stores only what is left. Quantization
stores each float32 weight as one int8 byte: x ~ (q - zero_point) * scale, with the scale chosen so
the tensor's range [min, max] (always including 0, so pruned zeros stay exact) fills -128..127.
Every size reported here is the byte count of arrays actually stored (`ndarray.nbytes`).

"Weight matrices" are the parameters with two or more axes; biases and other vectors are left as
they are (they are tiny).

Public names
- `prune_magnitude(model, sparsity) -> float`: in each weight matrix, zero the `sparsity` fraction of
  entries with the smallest |value| (in place); returns the achieved sparsity of all weight matrices.
- `sparsity(model) -> float`: fraction of zeros over all weight matrices.
- `QuantizedTensor`: `.values` int8, `.scale` np.float32, `.zero_point` np.int8, `.shape`,
  `.dequantize() -> float32 array`, `.nbytes` (values + scale + zero_point).
- `quantize_int8(array) -> QuantizedTensor`.
- `QuantizedModel(model)`: int8 weight matrices, float32 everything else; callable (forward runs a
  private copy of the model on the dequantized weights; the original model is untouched);
  `.quantized` (name -> QuantizedTensor), `.floats` (name -> float32 array), `.nbytes`.
- `to_csr(matrix) -> (data float32, indices, indptr)`: compressed sparse rows of a 2-D array (more axes
  are flattened into columns); index arrays use the narrowest unsigned type that fits.
- `dense_nbytes(model)`: bytes of all parameters as float32 arrays.
- `sparse_nbytes(model)`: bytes with every weight matrix in CSR and the other parameters dense.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor


def _weight_matrices(model: Any) -> list[tuple[str, Tensor]]:
    return [(name, p) for name, p in model.named_parameters() if p.ndim >= 2]


def prune_magnitude(model: Any, sparsity: float) -> float:
    """Zero the smallest-magnitude `sparsity` fraction of every weight matrix; return the result."""
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be between 0 and 1, got {sparsity}")
    ### BEGIN SOLUTION hint: per matrix, k = round(sparsity * size); zero the k smallest |w| (np.argsort)
    zeros = total = 0
    for _, p in _weight_matrices(model):
        flat = p.data.reshape(-1).copy()
        k = int(round(sparsity * flat.size))
        flat[np.argsort(np.abs(flat), kind="stable")[:k]] = 0
        p.data[...] = flat.reshape(p.shape)
        zeros += np.count_nonzero(flat == 0)
        total += flat.size
    return float(zeros / total) if total else 0.0
    ### END SOLUTION


def sparsity(model: Any) -> float:
    """Fraction of the weight-matrix entries that are exactly zero."""
    ### BEGIN SOLUTION hint: count zeros over all weight matrices, divide by their total size
    matrices = [p.data for _, p in _weight_matrices(model)]
    total = sum(m.size for m in matrices)
    return float(sum(np.count_nonzero(m == 0) for m in matrices) / total) if total else 0.0
    ### END SOLUTION


class QuantizedTensor:
    """int8 values plus the scale and zero point that map them back to floats."""

    def __init__(self, values: np.ndarray, scale: float, zero_point: int) -> None:
        self.values = np.asarray(values, dtype=np.int8)
        self.scale = np.float32(scale)
        self.zero_point = np.int8(zero_point)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    @property
    def nbytes(self) -> int:
        """Bytes stored: one per value, plus the scale and the zero point."""
        return int(self.values.nbytes + self.scale.nbytes + self.zero_point.nbytes)

    def dequantize(self) -> np.ndarray:
        """The float32 approximation (values - zero_point) * scale."""
        ### BEGIN SOLUTION hint: convert values to float32 BEFORE subtracting the zero point (int8 overflows)
        return (self.values.astype(np.float32) - np.float32(self.zero_point)) * self.scale
        ### END SOLUTION


def quantize_int8(array: Any) -> QuantizedTensor:
    """Affine int8 quantization over [min(x, 0), max(x, 0)]."""
    x = np.asarray(array, dtype=np.float32)
    ### BEGIN SOLUTION hint: scale = (hi - lo) / 255, zero_point = -128 - round(lo / scale), clip to int8
    lo, hi = min(float(x.min(initial=0.0)), 0.0), max(float(x.max(initial=0.0)), 0.0)
    scale = (hi - lo) / 255.0 or 1.0
    zero_point = int(np.clip(-128 - round(lo / scale), -128, 127))
    values = np.clip(np.round(x / scale) + zero_point, -128, 127)
    return QuantizedTensor(values, scale, zero_point)
    ### END SOLUTION


class QuantizedModel:
    """A model whose weight matrices are stored as int8; runs on their dequantized values."""

    def __init__(self, model: Any) -> None:
        self.quantized: dict[str, QuantizedTensor] = {}
        self.floats: dict[str, np.ndarray] = {}
        self._model = copy.deepcopy(model)
        ### BEGIN SOLUTION hint: quantize matrices into .quantized, vectors into .floats; load the dequantized
        for name, p in self._model.named_parameters():
            if p.ndim >= 2:
                self.quantized[name] = quantize_int8(p.data)
            else:
                self.floats[name] = p.data.astype(np.float32)
        dequantized = {name: q.dequantize() for name, q in self.quantized.items()}
        self._model.load_state_dict({**dequantized, **self.floats})
        ### END SOLUTION

    @property
    def nbytes(self) -> int:
        """Bytes stored: the quantized tensors plus the float32 vectors."""
        return sum(q.nbytes for q in self.quantized.values()) + sum(a.nbytes for a in self.floats.values())

    def __call__(self, x: Tensor) -> Tensor:
        return self.forward(x)

    def forward(self, x: Tensor) -> Tensor:
        return self._model(x)


def _index_dtype(largest: int) -> type:
    """The narrowest unsigned integer type that holds values up to `largest`."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if largest <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def to_csr(matrix: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(non-zero values, their column indices, row start offsets with a final end offset)."""
    m = np.asarray(matrix, dtype=np.float32)
    m = m.reshape(m.shape[0], -1)
    ### BEGIN SOLUTION hint: rows, cols = np.nonzero(m); indptr = cumulative count of non-zeros per row
    rows, cols = np.nonzero(m)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=m.shape[0]))])
    return (m[rows, cols], cols.astype(_index_dtype(m.shape[1] - 1)),
            indptr.astype(_index_dtype(len(rows))))
    ### END SOLUTION


def dense_nbytes(model: Any) -> int:
    """Bytes of every parameter stored as a dense float32 array."""
    ### BEGIN SOLUTION hint: sum of p.data.astype(np.float32).nbytes over model.parameters()
    return int(sum(p.size * np.dtype(np.float32).itemsize for p in model.parameters()))
    ### END SOLUTION


def sparse_nbytes(model: Any) -> int:
    """Bytes with weight matrices in CSR form and the remaining parameters dense float32."""
    ### BEGIN SOLUTION hint: sum the nbytes of to_csr's three arrays per matrix, plus dense vectors
    total = 0
    for _, p in model.named_parameters():
        arrays = to_csr(p.data) if p.ndim >= 2 else (p.data.astype(np.float32),)
        total += sum(a.nbytes for a in arrays)
    return int(total)
    ### END SOLUTION
