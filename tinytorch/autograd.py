"""Module 08 - Autograd: reverse-mode differentiation over the graph the Tensors recorded.

Every Tensor made by an operation remembers its parents, the op's name and a small ctx (tensor.py).
`backward(loss)` visits that graph from the loss back to the leaves, in reverse topological order, and
applies the chain rule one op at a time: a gradient rule turns the gradient of an op's output into
the gradients of its inputs. Gradients that flowed through numpy broadcasting are summed back to the
input's shape (`unbroadcast`). Leaves (tensors created with requires_grad=True, e.g. parameters)
accumulate the result in `.grad`; call `zero_grad()` between steps.

Public names
- `backward(tensor, grad=None)`: seed with `grad` (default 1 for a one-element tensor) and propagate.
- `unbroadcast(grad, shape) -> np.ndarray`: sum a broadcast gradient back to `shape`.
- `GRADIENT_RULES: dict[str, rule]`: op name -> `rule(grad, out) -> tuple` of one gradient (or None)
  per parent of `out`, in order. `out._parents`, `out._ctx` and `out.data` are available to a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

Rule = Callable[[np.ndarray, Tensor], tuple]


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` over the axes numpy broadcasting added or stretched, so it has `shape`."""
    ### BEGIN SOLUTION hint: sum away extra leading axes, then axes where shape has 1 (keepdims=True)
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad
    ### END SOLUTION


def _expand(grad: np.ndarray, x: Tensor, axis: Any, keepdims: bool) -> np.ndarray:
    """Put back the axes a reduction removed, so `grad` broadcasts against its input."""
    if keepdims:
        return grad
    if axis is None:
        return np.reshape(grad, (1,) * x.ndim)
    return np.expand_dims(grad, axis)


# ----- elementwise arithmetic -----------------------------------------------------------------
def _add(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: d(a+b) passes the gradient unchanged to both
    return grad, grad
    ### END SOLUTION


def _sub(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: d(a-b): +grad for a, -grad for b
    return grad, -grad
    ### END SOLUTION


def _mul(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: d(a*b): grad*b for a, grad*a for b
    a, b = out._parents
    return (grad * b.data if a.requires_grad else None), (grad * a.data if b.requires_grad else None)
    ### END SOLUTION


def _div(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: d(a/b): grad/b for a, -grad*a/b**2 = -(grad/b)*out for b
    a, b = out._parents
    ga = grad / b.data
    return ga, (-ga * out.data if b.requires_grad else None)
    ### END SOLUTION


def _neg(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: d(-a) is -grad
    return (-grad,)
    ### END SOLUTION


def _pow(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: d(a**p) = p * a**(p-1) * grad (p is out._ctx["exponent"])
    (a,) = out._parents
    p = out._ctx["exponent"]
    return (grad * p * a.data ** (p - 1),)
    ### END SOLUTION


def _exp(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: d(exp a) = exp(a) * grad, and exp(a) is out.data
    return (grad * out.data,)
    ### END SOLUTION


def _log(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: d(log a) = grad / a
    (a,) = out._parents
    return (grad / a.data,)
    ### END SOLUTION


# ----- matrix product -------------------------------------------------------------------------
def _matmul(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: dA = grad @ B^T, dB = A^T @ grad (transpose = swap the last two axes)
    a, b = out._parents
    if a.ndim == 1 and b.ndim == 1:  # dot product of two vectors
        return grad * b.data, grad * a.data
    A = a.data[None, :] if a.ndim == 1 else a.data  # a vector acts as a 1-row matrix
    B = b.data[:, None] if b.ndim == 1 else b.data  # ... or as a 1-column matrix
    g = grad[..., None, :] if a.ndim == 1 else grad
    g = g[..., None] if b.ndim == 1 else g
    ga = g @ np.swapaxes(B, -1, -2) if a.requires_grad else None
    if b.requires_grad and b.ndim == 2 and A.ndim > 2:  # shared weight: one big product, not a batch + sum
        gb = A.reshape(-1, A.shape[-1]).T @ g.reshape(-1, g.shape[-1])
    else:
        gb = np.swapaxes(A, -1, -2) @ g if b.requires_grad else None
    if ga is not None and a.ndim == 1:
        ga = ga[..., 0, :]
    if gb is not None and b.ndim == 1:
        gb = gb[..., 0]
    return ga, gb
    ### END SOLUTION


# ----- reductions -----------------------------------------------------------------------------
def _sum(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: every summed element gets the gradient of its sum: expand, then broadcast
    (x,) = out._parents
    g = _expand(grad, x, out._ctx["axis"], out._ctx["keepdims"])
    return (np.broadcast_to(g, x.shape),)
    ### END SOLUTION


def _max(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: the gradient goes to the maximum; ties split it evenly
    (x,) = out._parents
    axis, keepdims = out._ctx["axis"], out._ctx["keepdims"]
    winners = x.data == _expand(out.data, x, axis, keepdims)
    count = winners.sum(axis=axis, keepdims=True)
    return (_expand(grad, x, axis, keepdims) * winners / count,)
    ### END SOLUTION


# ----- shape ----------------------------------------------------------------------------------
def _reshape(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: reshape the gradient back to the input's shape
    (x,) = out._parents
    return (grad.reshape(x.shape),)
    ### END SOLUTION


def _transpose(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: apply the inverse permutation, np.argsort(axes)
    return (np.transpose(grad, np.argsort(out._ctx["axes"])),)
    ### END SOLUTION


def _getitem(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: scatter back into zeros; np.add.at adds up elements gathered twice
    (x,) = out._parents
    g = np.zeros(x.shape, dtype=np.result_type(grad, x.data))
    np.add.at(g, out._ctx["index"], grad)
    return (g,)
    ### END SOLUTION


# ----- activations (forward passes live in activations.py) ------------------------------------
def _relu(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: the gradient passes where the input was positive
    (x,) = out._parents
    return (grad * (x.data > 0),)
    ### END SOLUTION


def _sigmoid(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: s' = s * (1 - s), with s = out.data
    s = out.data
    return (grad * s * (1 - s),)
    ### END SOLUTION


def _tanh(grad: np.ndarray, out: Tensor) -> tuple:
    ### BEGIN SOLUTION hint: tanh' = 1 - tanh**2, with tanh = out.data
    t = out.data
    return (grad * (1 - t * t),)
    ### END SOLUTION


GRADIENT_RULES: dict[str, Rule] = {
    "add": _add,
    "sub": _sub,
    "mul": _mul,
    "div": _div,
    "neg": _neg,
    "pow": _pow,
    "exp": _exp,
    "log": _log,
    "matmul": _matmul,
    "sum": _sum,
    "max": _max,
    "reshape": _reshape,
    "transpose": _transpose,
    "getitem": _getitem,
    "relu": _relu,
    "sigmoid": _sigmoid,
    "tanh": _tanh,
}


def _topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor that needs a gradient, each after all of its parents (iterative: deep graphs are fine)."""
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node._parents if p.requires_grad and id(p) not in seen)
    return order


def backward(tensor: Tensor, grad: Any = None) -> None:
    """Propagate d(tensor)/d(.) to every leaf that requires grad, adding into its `.grad`."""
    if not tensor.requires_grad:
        raise RuntimeError("backward() on a tensor that does not require grad (no graph was recorded)")
    if grad is None:
        if tensor.size != 1:
            raise RuntimeError(f"backward() needs a grad for a non-scalar tensor of shape {tensor.shape}")
        grad = np.ones_like(tensor.data)
    ### BEGIN SOLUTION hint: reversed _topological_order(tensor): apply GRADIENT_RULES, unbroadcast, add up
    grads = {id(tensor): np.broadcast_to(np.asarray(grad, dtype=tensor.dtype), tensor.shape)}
    for node in reversed(_topological_order(tensor)):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if not node._parents:  # a leaf: keep the result
            g = np.array(g, dtype=node.dtype)
            node.grad = g if node.grad is None else node.grad + g
            continue
        for parent, pg in zip(node._parents, GRADIENT_RULES[node._op](g, node), strict=True):
            if pg is None or not parent.requires_grad:
                continue
            pg = unbroadcast(pg, parent.shape)
            grads[id(parent)] = grads[id(parent)] + pg if id(parent) in grads else pg
    ### END SOLUTION
