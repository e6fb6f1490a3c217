"""Module 07 - Attention: every position looks at every other and takes a weighted mix.

Scaled dot-product attention scores each query against each key (q @ k^T / sqrt(d)), turns the
scores into weights with a softmax (masked positions get a huge negative score, hence weight 0)
and returns the weighted sum of the values. Multi-head attention runs several of these side by
side on learned projections of the input. It is all matmul + softmax, so autograd needs nothing new.

Public names
- `causal_mask(seq_len) -> np.ndarray`: bool (seq_len, seq_len), True where attending is allowed
  (the lower triangle: a position sees itself and the past, never the future).
- `scaled_dot_product_attention(q, k, v, mask=None) -> (out, weights)`: q, k (..., seq_q/seq_k, d),
  v (..., seq_k, d_v) Tensors; `mask` bool, broadcastable to (..., seq_q, seq_k), True = allowed.
  `out` (..., seq_q, d_v) and `weights` (..., seq_q, seq_k) are Tensors; each row of weights sums to 1.
- `MultiHeadAttention(embed_dim, num_heads, seed=None)`: `.q_proj`, `.k_proj`, `.v_proj`, `.out_proj`
  (Linear embed_dim -> embed_dim); `forward(x, mask=None)` with x (batch, seq, embed_dim) returns
  (batch, seq, embed_dim); afterwards `.attention_weights` is an np.ndarray (batch, heads, seq, seq).
"""

from __future__ import annotations

import numpy as np

from tinytorch.activations import Softmax
from tinytorch.layers import Layer, Linear
from tinytorch.tensor import Tensor

MASKED_SCORE = -1e9  # added to the score of a forbidden position: exp() of it is 0


def causal_mask(seq_len: int) -> np.ndarray:
    """Lower-triangular bool mask: query i may attend to keys 0..i."""
    ### BEGIN SOLUTION hint: np.tril of a (seq_len, seq_len) array of True
    return np.tril(np.ones((seq_len, seq_len), dtype=bool))
    ### END SOLUTION


def scaled_dot_product_attention(
    q: Tensor, k: Tensor, v: Tensor, mask: np.ndarray | None = None
) -> tuple[Tensor, Tensor]:
    """softmax(q @ k^T / sqrt(d) + masked) @ v, and the softmax weights."""
    ### BEGIN SOLUTION hint: scores = q @ k.transpose() / sqrt(d); add MASKED_SCORE where mask is False
    scores = (q @ k.transpose()) / float(np.sqrt(q.shape[-1]))
    if mask is not None:
        scores = scores + np.where(np.asarray(mask, dtype=bool), 0.0, MASKED_SCORE)
    weights = Softmax(axis=-1)(scores)
    return weights @ v, weights
    ### END SOLUTION


class MultiHeadAttention(Layer):
    """`num_heads` attention heads of size embed_dim // num_heads, concatenated and projected."""

    def __init__(self, embed_dim: int, num_heads: int, seed: int | None = None) -> None:
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.attention_weights: np.ndarray | None = None
        ### BEGIN SOLUTION hint: four Linear(embed_dim, embed_dim): q_proj, k_proj, v_proj, out_proj
        seeds = [None] * 4 if seed is None else [seed + i for i in range(4)]
        self.q_proj = Linear(embed_dim, embed_dim, seed=seeds[0])
        self.k_proj = Linear(embed_dim, embed_dim, seed=seeds[1])
        self.v_proj = Linear(embed_dim, embed_dim, seed=seeds[2])
        self.out_proj = Linear(embed_dim, embed_dim, seed=seeds[3])
        ### END SOLUTION

    def forward(self, x: Tensor, mask: np.ndarray | None = None) -> Tensor:
        batch, seq, _ = x.shape
        heads, head_dim = self.num_heads, self.head_dim
        ### BEGIN SOLUTION hint: project, split heads (batch, heads, seq, head_dim), attend, merge, out_proj
        def split(t: Tensor) -> Tensor:
            return t.reshape(batch, seq, heads, head_dim).transpose(0, 2, 1, 3)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        self.attention_weights = weights.data
        merged = out.transpose(0, 2, 1, 3).reshape(batch, seq, self.embed_dim)
        return self.out_proj(merged)
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"MultiHeadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"
