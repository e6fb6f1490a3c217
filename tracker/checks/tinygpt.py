"""Checks for module 16 (tinygpt): tinytorch/tinygpt.py, tokenizer, layers, a causal TinyGPT and seeded generation."""

from __future__ import annotations


def check_tokenizer_round_trip() -> None:
    from tinytorch.tinygpt import CharTokenizer

    tok = CharTokenizer("hello world")
    assert tok.vocab_size == 8, f"'hello world' has 8 distinct characters, vocab_size is {tok.vocab_size}"
    ids = tok.encode("hold")
    assert len(ids) == 4 and all(0 <= i < 8 for i in ids), f"encode('hold') should give 4 ids in 0..7, got {ids}"
    assert tok.decode(ids) == "hold", f"decode(encode('hold')) gave {tok.decode(ids)!r}"


def check_embedding() -> None:
    import numpy as np

    from tinytorch.tinygpt import Embedding

    emb = Embedding(5, 3, seed=0)
    out = emb(np.array([[4, 1, 4]]))
    assert out.shape == (1, 3, 3), f"ids (1, 3) -> (1, 3, dim 3) expected, got {out.shape}"
    assert np.array_equal(out.data[0, 0], emb.weight.data[4]), "embedding of id 4 should be row 4 of the weight"
    out.sum().backward()
    assert np.allclose(emb.weight.grad[4], 2.0) and np.allclose(emb.weight.grad[0], 0.0), "id 4 used twice: grad 2"


def check_layernorm() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor
    from tinytorch.tinygpt import LayerNorm

    x = np.random.default_rng(0).normal(3.0, 5.0, size=(2, 4, 8))
    out = LayerNorm(8)(Tensor(x)).data
    assert out.shape == x.shape, f"LayerNorm keeps the shape {x.shape}, got {out.shape}"
    assert np.allclose(out.mean(axis=-1), 0, atol=1e-6), "each position should have mean 0 after LayerNorm"
    assert np.allclose(out.var(axis=-1), 1, atol=1e-3), "each position should have variance 1 after LayerNorm"


def check_tinygpt_is_causal() -> None:
    import numpy as np

    from tinytorch.tinygpt import TinyGPT

    model = TinyGPT(vocab_size=6, embed_dim=8, num_heads=2, num_layers=1, max_seq_len=8, seed=0)
    idx = np.array([[1, 2, 3, 4, 5], [0, 0, 1, 1, 2]])
    logits = model(idx)
    assert logits.shape == (2, 5, 6), f"(batch 2, seq 5) -> logits (2, 5, vocab 6) expected, got {logits.shape}"
    changed = idx.copy()
    changed[:, 3:] = 0
    again = model(changed)
    assert np.allclose(logits.data[:, :3], again.data[:, :3], atol=1e-6), "later tokens changed earlier logits"
    assert not np.allclose(logits.data[0, 3:], again.data[0, 3:]), "changing tokens 3.. should change their logits"


def check_generate_is_seeded() -> None:
    from tinytorch.tinygpt import TinyGPT

    model = TinyGPT(vocab_size=7, embed_dim=8, num_heads=2, num_layers=1, max_seq_len=6, seed=1)
    streamed: list[int] = []
    a = model.generate([1, 2], 8, temperature=1.0, top_k=3, seed=5, on_token=streamed.append)
    b = model.generate([1, 2], 8, temperature=1.0, top_k=3, seed=5)
    assert len(a) == 10 and a[:2] == [1, 2], f"generate returns prompt + 8 new tokens, got {a}"
    assert a == b, f"the same seed should generate the same tokens: {a} vs {b}"
    assert streamed == a[2:], f"on_token should see each new token in order, got {streamed}"
    greedy = model.generate([1, 2], 5, temperature=0.0)
    assert model.generate([1, 2], 5, top_k=1, seed=9) == greedy, "top_k=1 should equal greedy decoding"
