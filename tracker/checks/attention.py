"""Checks for module 07 (attention): tinytorch/attention.py, against a numpy reference."""

from __future__ import annotations

from typing import Any


def _attend(q: Any, k: Any, v: Any, mask: Any = None) -> tuple[Any, Any]:
    import numpy as np

    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ v, weights


def check_causal_mask() -> None:
    import numpy as np

    from tinytorch.attention import causal_mask

    mask = np.asarray(causal_mask(4))
    want = np.tril(np.ones((4, 4), dtype=bool))
    assert mask.dtype == bool, f"causal_mask: expected a bool array, got {mask.dtype}"
    assert np.array_equal(mask, want), f"causal_mask(4): expected lower triangle True\n{want}, got\n{mask}"


def check_scaled_dot_product_attention() -> None:
    import numpy as np

    from tinytorch.attention import causal_mask, scaled_dot_product_attention
    from tinytorch.tensor import Tensor

    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(2, 4, 3)) for _ in range(3))
    for mask in (None, causal_mask(4)):
        label = "with a causal mask" if mask is not None else "without a mask"
        out, weights = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), mask)
        want_out, want_weights = _attend(q, k, v, mask)
        assert out.shape == (2, 4, 3), f"{label}: expected out shape (2, 4, 3), got {out.shape}"
        assert np.allclose(weights.data, want_weights, atol=1e-6), f"{label}: attention weights differ"
        assert np.allclose(out.data, want_out, atol=1e-6), f"{label}: output differs from softmax(qk/√d) v"
    rows, cols = np.triu_indices(4, 1)
    future = weights.data[:, rows, cols]
    assert np.all(future == 0), "with a causal mask no weight may go to a future position"


def check_multi_head_attention() -> None:
    import numpy as np

    from tinytorch.attention import MultiHeadAttention, causal_mask
    from tinytorch.tensor import Tensor

    batch, seq, embed, heads = 2, 5, 8, 2
    mha = MultiHeadAttention(embed, heads, seed=0)
    x = np.random.default_rng(1).normal(size=(batch, seq, embed)).astype(np.float32)
    out = mha(Tensor(x), mask=causal_mask(seq))
    assert out.shape == (batch, seq, embed), f"expected output (2, 5, 8), got {out.shape}"
    w = mha.attention_weights
    assert isinstance(w, np.ndarray) and w.shape == (batch, heads, seq, seq), (
        f".attention_weights: expected an np.ndarray (2, 2, 5, 5), got {getattr(w, 'shape', w)}"
    )

    def project(layer: Any, t: Any) -> Any:
        return t @ layer.weight.data + layer.bias.data

    def split(t: Any) -> Any:
        return t.reshape(batch, seq, heads, embed // heads).transpose(0, 2, 1, 3)

    q, k, v = (split(project(p, x)) for p in (mha.q_proj, mha.k_proj, mha.v_proj))
    heads_out, weights = _attend(q, k, v, causal_mask(seq))
    want = project(mha.out_proj, heads_out.transpose(0, 2, 1, 3).reshape(batch, seq, embed))
    assert np.allclose(w, weights, atol=1e-5), "attention_weights differ from per-head softmax(q k^T/√d)"
    assert np.allclose(out.data, want, atol=1e-4), "output differs: split heads, attend, merge, then out_proj"
