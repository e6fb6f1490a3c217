"""Module 02 - Tensor: an n-dimensional array that remembers how it was made.

A `Tensor` wraps a numpy array (`.data`). Every operation returns a new Tensor and, when gradients
are wanted, records its inputs (`parents`), the operation's name (`op`) and anything the gradient
rule will need later (`ctx`). Module 08 (autograd.py) walks that record backwards.

Public names
- `Tensor(data, requires_grad=False, dtype=None)`: `.data` (np.ndarray), `.grad` (np.ndarray | None),
  `.requires_grad`, `.shape`, `.ndim`, `.size`, `.dtype`. With dtype None a floating ndarray keeps its
  dtype and anything else (lists, ints, scalars) becomes float32.
- Arithmetic with numpy broadcasting: `+ - * /` (also with a number or array on the left), unary `-`,
  `t ** number`, `a @ b` (matrix product, batched over leading axes).
- Shape: `reshape(*shape)`, `transpose(*axes)` (no axes: swap the last two), `.T`, `t[index]` (any numpy
  index, including integer arrays: a differentiable gather).
- Reductions: `sum(axis=None, keepdims=False)`, `mean(...)`, `max(...)`; elementwise `exp()`, `log()`.
- `numpy()`, `item()`, `detach()`, `backward(grad=None)`, `zero_grad()`.
- `Tensor._make(data, parents, op, **ctx)`: how every operation builds its result (scaffolding).
- `no_grad()`: context manager (or decorator) that turns graph recording off, e.g. for evaluation;
  `is_grad_enabled()` tells whether recording is on.

Numbers and numpy arrays mixed into an operation (on either side: `x * 2`, `ndarray + t`) become
constants of the tensor's dtype, so float32 stays float32. Only leaves (tensors created with
requires_grad=True, not results of operations) keep `.grad` after backward().

Recorded op names (each has a gradient rule in autograd.py): add, sub, mul, div, neg, pow, matmul,
sum, max, exp, log, reshape, transpose, getitem; the activations add relu, sigmoid, tanh.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

_grad_enabled = True


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Stop recording the graph inside the block: no memory is kept for a backward pass."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled() -> bool:
    """True unless inside a `no_grad()` block."""
    return _grad_enabled


def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Floating arrays keep their dtype; everything else becomes float32 (the framework default)."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    if isinstance(data, (np.ndarray, np.generic)) and np.issubdtype(data.dtype, np.floating):
        return np.asarray(data)
    return np.asarray(data, dtype=np.float32)


def _index_data(index: Any) -> Any:
    """Tensors used as indices become integer arrays."""
    if isinstance(index, Tensor):
        return index.data.astype(np.intp)
    if isinstance(index, tuple):
        return tuple(_index_data(i) for i in index)
    return index


class Tensor:
    """An array plus the record of the operation that produced it."""

    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__ instead of numpy's loop

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data: np.ndarray = _as_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._op: str | None = None
        self._ctx: dict[str, Any] = {}

    @staticmethod
    def _make(data: Any, parents: tuple[Tensor, ...], op: str, **ctx: Any) -> Tensor:
        """Wrap an op's result; remember parents, op and ctx if a parent needs gradients."""
        out = Tensor(np.asarray(data))
        if _grad_enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._parents = parents
            out._op = op
            out._ctx = ctx
        return out

    def _lift(self, other: Any) -> Tensor:
        """Numbers and arrays join an operation as constants of this tensor's dtype."""
        return other if isinstance(other, Tensor) else Tensor(other, dtype=self.dtype)

    # ----- properties -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4, threshold=20)}{grad})"

    # ----- arithmetic -------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        other = self._lift(other)
        ### BEGIN SOLUTION hint: add the two arrays (numpy broadcasts) and record op "add" with Tensor._make
        return Tensor._make(self.data + other.data, (self, other), "add")
        ### END SOLUTION

    def __sub__(self, other: Any) -> Tensor:
        other = self._lift(other)
        ### BEGIN SOLUTION hint: subtract the arrays and record op "sub"
        return Tensor._make(self.data - other.data, (self, other), "sub")
        ### END SOLUTION

    def __mul__(self, other: Any) -> Tensor:
        other = self._lift(other)
        ### BEGIN SOLUTION hint: multiply elementwise and record op "mul"
        return Tensor._make(self.data * other.data, (self, other), "mul")
        ### END SOLUTION

    def __truediv__(self, other: Any) -> Tensor:
        other = self._lift(other)
        ### BEGIN SOLUTION hint: divide elementwise and record op "div"
        return Tensor._make(self.data / other.data, (self, other), "div")
        ### END SOLUTION

    def __neg__(self) -> Tensor:
        ### BEGIN SOLUTION hint: negate the array and record op "neg"
        return Tensor._make(-self.data, (self,), "neg")
        ### END SOLUTION

    def __pow__(self, exponent: float) -> Tensor:
        ### BEGIN SOLUTION hint: raise to a plain number, record op "pow" with ctx exponent=exponent
        return Tensor._make(self.data**exponent, (self,), "pow", exponent=exponent)
        ### END SOLUTION

    def __matmul__(self, other: Any) -> Tensor:
        other = self._lift(other)
        ### BEGIN SOLUTION hint: np.matmul batches over leading axes; record op "matmul"
        return Tensor._make(self.data @ other.data, (self, other), "matmul")
        ### END SOLUTION

    def __radd__(self, other: Any) -> Tensor:
        return self._lift(other) + self

    def __rsub__(self, other: Any) -> Tensor:
        return self._lift(other) - self

    def __rmul__(self, other: Any) -> Tensor:
        return self._lift(other) * self

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._lift(other) / self

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._lift(other) @ self

    # ----- shape ------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        """`t.reshape(2, 3)` or `t.reshape((2, 3))`; one size may be -1."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        ### BEGIN SOLUTION hint: reshape the array and record op "reshape"
        return Tensor._make(self.data.reshape(shape), (self,), "reshape")
        ### END SOLUTION

    def transpose(self, *axes: Any) -> Tensor:
        """Permute axes; with no arguments swap the last two (the matrix transpose)."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(range(self.ndim))
            if self.ndim >= 2:
                axes = axes[:-2] + (self.ndim - 1, self.ndim - 2)
        ### BEGIN SOLUTION hint: np.transpose by the full permutation; record op "transpose", ctx axes=axes
        return Tensor._make(np.transpose(self.data, axes), (self,), "transpose", axes=axes)
        ### END SOLUTION

    def __getitem__(self, index: Any) -> Tensor:
        """Any numpy index; integer arrays gather (and may repeat) elements."""
        index = _index_data(index)
        ### BEGIN SOLUTION hint: index the array and record op "getitem" with ctx index=index
        return Tensor._make(self.data[index], (self,), "getitem", index=index)
        ### END SOLUTION

    # ----- reductions and elementwise functions -----------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        ### BEGIN SOLUTION hint: np.sum; record op "sum" with ctx axis and keepdims
        data = self.data.sum(axis=axis, keepdims=keepdims)
        return Tensor._make(data, (self,), "sum", axis=axis, keepdims=keepdims)
        ### END SOLUTION

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        ### BEGIN SOLUTION hint: a sum divided by the number of summed elements (reuse sum, no new op)
        total = self.sum(axis=axis, keepdims=keepdims)
        return total / (self.size / total.size)
        ### END SOLUTION

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        ### BEGIN SOLUTION hint: np.max; record op "max" with ctx axis and keepdims
        data = self.data.max(axis=axis, keepdims=keepdims)
        return Tensor._make(data, (self,), "max", axis=axis, keepdims=keepdims)
        ### END SOLUTION

    def exp(self) -> Tensor:
        ### BEGIN SOLUTION hint: np.exp; record op "exp"
        return Tensor._make(np.exp(self.data), (self,), "exp")
        ### END SOLUTION

    def log(self) -> Tensor:
        ### BEGIN SOLUTION hint: natural log, np.log; record op "log"
        return Tensor._make(np.log(self.data), (self,), "log")
        ### END SOLUTION

    # ----- leaving the graph ------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        return self.data.item()

    def detach(self) -> Tensor:
        """The same data as a constant: gradients stop here."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        self.grad = None

    def backward(self, grad: Any = None) -> None:
        """Fill `.grad` of every leaf this tensor depends on (see autograd.py)."""
        from tinytorch.autograd import backward

        backward(self, grad)
