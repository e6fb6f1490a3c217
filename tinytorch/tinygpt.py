"""Module 16 - TinyGPT: a character-level language model built from everything so far.

Text becomes integers (one per character), integers become vectors (a learned embedding per
character plus one per position), and a stack of transformer blocks lets every position mix in
information from the positions before it (causal self-attention), followed by a small per-position
MLP. LayerNorm keeps the numbers in a healthy range and the residual connections (x + f(x)) let the
gradient flow straight through the stack. A last Linear layer scores every character as the next one.
Generation feeds the model its own output: score, pick a character (temperature flattens or
sharpens the distribution, top-k keeps only the k best), append, repeat.

Public names
- `CharTokenizer(text)`: `.chars` (sorted unique characters), `.vocab_size`, `.encode(str) -> list[int]`,
  `.decode(list[int]) -> str`. Encoding a character that is not in `chars` raises ValueError.
- `Embedding(num_embeddings, embedding_dim, seed=None)`: `.weight` (num, dim); `forward(idx)` with an
  integer array returns the rows `weight[idx]` (a differentiable gather).
- `LayerNorm(dim, eps=1e-5)`: normalises the last axis to mean 0, variance 1, then `* .gamma + .beta`.
- `TransformerBlock(embed_dim, num_heads, seed=None)`: pre-norm block,
  x + attn(ln1(x), mask), then x + mlp(ln2(x)) with mlp = Linear(d, 4d) -> ReLU -> Linear(4d, d).
- `TinyGPT(vocab_size, embed_dim=64, num_heads=4, num_layers=2, max_seq_len=64, seed=0)`:
  `forward(idx)` with idx (batch, seq) ints, seq <= max_seq_len, returns logits Tensor (batch, seq, vocab);
  `generate(tokens, max_new_tokens, temperature=1.0, top_k=None, seed=None, on_token=None) -> list[int]`
  returns the prompt followed by the new tokens; `on_token(token_id)` is called as each one is chosen;
  temperature 0 means always the most likely token; the same seed gives the same text. `.config` holds
  the constructor arguments (to save beside the weights).
- `sample_batch(tokens, batch_size, seq_len, rng) -> (x, y)`: random windows of a token array and the
  same windows shifted by one (the next-character targets), both int64 (batch_size, seq_len).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinytorch.activations import ReLU
from tinytorch.attention import MultiHeadAttention, causal_mask
from tinytorch.layers import Layer, Linear
from tinytorch.tensor import Tensor, no_grad


class CharTokenizer:
    """Maps each distinct character of a text to an integer id and back."""

    def __init__(self, text: str) -> None:
        self.chars = sorted(set(text))
        self.vocab_size = len(self.chars)
        self._ids = {c: i for i, c in enumerate(self.chars)}

    def encode(self, text: str) -> list[int]:
        """Character ids of `text`, in order."""
        unknown = sorted(set(text) - self._ids.keys())
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {''.join(unknown)!r}")
        ### BEGIN SOLUTION hint: look each character up in a {char: id} dict
        return [self._ids[c] for c in text]
        ### END SOLUTION

    def decode(self, ids: Sequence[int]) -> str:
        """The text whose character ids are `ids`."""
        ### BEGIN SOLUTION hint: join self.chars[i] for every id
        return "".join(self.chars[int(i)] for i in ids)
        ### END SOLUTION


class Embedding(Layer):
    """A learned vector per id: a lookup table whose rows are parameters."""

    def __init__(self, num_embeddings: int, embedding_dim: int, seed: int | None = None) -> None:
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        ### BEGIN SOLUTION hint: weight = small normal values (std 0.1), float32, requires_grad=True
        rng = np.random.default_rng(seed)
        weight = rng.normal(0.0, 0.1, size=(num_embeddings, embedding_dim)).astype(np.float32)
        self.weight = Tensor(weight, requires_grad=True)
        ### END SOLUTION

    def forward(self, idx: Any) -> Tensor:
        idx = np.asarray(idx.data if isinstance(idx, Tensor) else idx).astype(np.intp)
        ### BEGIN SOLUTION hint: index the weight Tensor with the integer array (a gather autograd knows)
        return self.weight[idx]
        ### END SOLUTION


class LayerNorm(Layer):
    """Per position: subtract the mean, divide by the standard deviation, then scale and shift."""

    def __init__(self, dim: int, eps: float = 1e-5) -> None:
        self.dim, self.eps = dim, eps
        self.gamma = Tensor(np.ones(dim, dtype=np.float32), requires_grad=True)
        self.beta = Tensor(np.zeros(dim, dtype=np.float32), requires_grad=True)

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION hint: centred = x - mean(-1, keepdims); var = mean(centred**2); centred / (var+eps)**0.5
        centred = x - x.mean(axis=-1, keepdims=True)
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / (variance + self.eps) ** 0.5 * self.gamma + self.beta
        ### END SOLUTION


class TransformerBlock(Layer):
    """Causal self-attention and a position-wise MLP, each wrapped as x + f(layernorm(x))."""

    def __init__(self, embed_dim: int, num_heads: int, seed: int | None = None) -> None:
        seeds = [None] * 3 if seed is None else [seed, seed + 10, seed + 20]
        self.ln1 = LayerNorm(embed_dim)
        self.attn = MultiHeadAttention(embed_dim, num_heads, seed=seeds[0])
        self.ln2 = LayerNorm(embed_dim)
        self.fc1 = Linear(embed_dim, 4 * embed_dim, seed=seeds[1])
        self.fc2 = Linear(4 * embed_dim, embed_dim, seed=seeds[2])
        self.relu = ReLU()

    def forward(self, x: Tensor, mask: np.ndarray | None = None) -> Tensor:
        ### BEGIN SOLUTION hint: x = x + attn(ln1(x), mask); then x + fc2(relu(fc1(ln2(x))))
        x = x + self.attn(self.ln1(x), mask)
        return x + self.fc2(self.relu(self.fc1(self.ln2(x))))
        ### END SOLUTION


class TinyGPT(Layer):
    """Token + position embeddings, a stack of transformer blocks, a final LayerNorm and a scorer."""

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 64,
        num_heads: int = 4,
        num_layers: int = 2,
        max_seq_len: int = 64,
        seed: int = 0,
    ) -> None:
        self.config = {"vocab_size": vocab_size, "embed_dim": embed_dim, "num_heads": num_heads,
                       "num_layers": num_layers, "max_seq_len": max_seq_len, "seed": seed}
        self.max_seq_len = max_seq_len
        self.token_embedding = Embedding(vocab_size, embed_dim, seed=seed)
        self.position_embedding = Embedding(max_seq_len, embed_dim, seed=seed + 1)
        self.blocks = [TransformerBlock(embed_dim, num_heads, seed=seed + 100 * (i + 1)) for i in range(num_layers)]
        self.ln_f = LayerNorm(embed_dim)
        self.head = Linear(embed_dim, vocab_size, seed=seed + 2)

    def forward(self, idx: Any) -> Tensor:
        """Logits (batch, seq, vocab): the score of every character as the one after each position."""
        idx = np.asarray(idx.data if isinstance(idx, Tensor) else idx)
        if idx.ndim != 2 or idx.shape[1] > self.max_seq_len:
            raise ValueError(f"idx must be (batch, seq <= {self.max_seq_len}), got shape {idx.shape}")
        ### BEGIN SOLUTION hint: tokens + positions (np.arange(seq)); each block with causal_mask; ln_f; head
        seq = idx.shape[1]
        x = self.token_embedding(idx) + self.position_embedding(np.arange(seq))
        mask = causal_mask(seq)
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.ln_f(x))
        ### END SOLUTION

    def generate(
        self,
        tokens: Sequence[int],
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int | None = None,
        on_token: Callable[[int], None] | None = None,
    ) -> list[int]:
        """Extend `tokens` one sampled token at a time; returns prompt + new tokens."""
        if not tokens:
            raise ValueError("generate() needs at least one prompt token")
        rng = np.random.default_rng(seed)
        out = [int(t) for t in tokens]
        ### BEGIN SOLUTION hint: per step: logits of the last position / temperature, keep top_k, softmax, rng.choice
        with no_grad():
            for _ in range(max_new_tokens):
                context = np.asarray(out[-self.max_seq_len :])[None, :]
                logits = self.forward(context).data[0, -1].astype(np.float64)
                if temperature <= 0:
                    token = int(np.argmax(logits))
                else:
                    logits = logits / temperature
                    if top_k is not None and top_k < len(logits):
                        kth = np.sort(logits)[-top_k]
                        logits = np.where(logits < kth, -np.inf, logits)
                    probs = np.exp(logits - logits.max())
                    token = int(rng.choice(len(probs), p=probs / probs.sum()))
                out.append(token)
                if on_token is not None:
                    on_token(token)
        return out
        ### END SOLUTION


def sample_batch(
    tokens: np.ndarray, batch_size: int, seq_len: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Random windows x = tokens[s : s + seq_len] and targets y = tokens[s + 1 : s + seq_len + 1]."""
    tokens = np.asarray(tokens, dtype=np.int64)
    starts = rng.integers(0, len(tokens) - seq_len, size=batch_size)
    offsets = np.arange(seq_len)
    return tokens[starts[:, None] + offsets], tokens[starts[:, None] + offsets + 1]
