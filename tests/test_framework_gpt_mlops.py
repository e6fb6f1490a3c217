"""Modules 15-16 and the bundled assets: drift detection, monitoring and the registry; the TinyGPT
parts (gradients against central finite differences, seeded generation); digits and weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from showcases import datasets
from tinytorch.mlops import DriftDetector, ModelMonitor, ModelRegistry, ks_statistic
from tinytorch.networks import MLP
from tinytorch.tensor import Tensor
from tinytorch.tinygpt import CharTokenizer, Embedding, LayerNorm, TinyGPT, TransformerBlock, sample_batch
from tinytorch.training import CrossEntropyLoss, accuracy


# ----- 15 mlops -------------------------------------------------------------------------------------
def test_drift_detector_on_digits() -> None:
    x_train, _, x_test, _ = datasets.digits_split()
    detector = DriftDetector(x_train)
    unshifted = detector.check(x_test[:100])
    brighter = detector.check(np.clip(x_test[:100] + 0.15, 0, 1))
    noisy = detector.check(x_test[:100] + np.random.default_rng(0).normal(0, 0.1, x_test[:100].shape))
    assert not unshifted.drifted and unshifted.score < unshifted.threshold
    assert brighter.drifted and noisy.drifted
    assert brighter.per_feature.shape == (64,)


def test_ks_statistic_matches_a_direct_computation() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=200), rng.normal(0.3, 1, size=70)
    grid = np.concatenate([a, b])
    direct = max(abs(np.mean(a <= x) - np.mean(b <= x)) for x in grid)
    assert ks_statistic(a, b) == pytest.approx(direct)


def test_monitor_window_and_alerts() -> None:
    monitor = ModelMonitor(window=4)
    assert monitor.summary()["accuracy"] is None and monitor.summary()["latency_p50"] is None
    for latency, pred, label in [(0.1, 1, 1), (0.001, 1, 2), (0.002, 3, 3), (0.003, 0, None), (0.004, 5, 6)]:
        monitor.record(latency, pred, label)
    s = monitor.summary()
    assert s["count"] == 5 and s["window"] == 4 and s["labelled"] == 3
    assert s["accuracy"] == pytest.approx(1 / 3) and s["latency_p50"] == pytest.approx(0.0025)
    assert monitor.alerts(max_latency_p95=0.01, min_accuracy=0.5) == ["accuracy 33.3% < 50.0%"]


def test_registry_round_trip_restores_predictions(tmp_path) -> None:
    registry = ModelRegistry(tmp_path / "registry")
    model = MLP([4, 8, 3], seed=0)
    x = Tensor(np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32))
    assert registry.register("clf", model, {"accuracy": 0.5}) == 1
    assert registry.register("clf", MLP([4, 8, 3], seed=9), {"accuracy": 0.7}) == 2
    assert registry.versions("clf") == [1, 2] and registry.best("clf", "accuracy") == 2
    restored = registry.load("clf", version=1, into=MLP([4, 8, 3], seed=42))
    np.testing.assert_array_equal(restored(x).data, model(x).data)
    assert set(registry.load("clf")) == set(model.state_dict())
    with pytest.raises(KeyError):
        registry.load("clf", version=3)
    with pytest.raises(ValueError):
        registry.register("../escape", model, {})


# ----- 16 tinygpt parts -----------------------------------------------------------------------------
def _numeric_gradient_check(f: Callable[[], Tensor], params: list[Tensor]) -> None:
    out = f()
    weights = np.random.default_rng(1).normal(size=out.shape)
    for p in params:
        p.grad = None
    (out * weights).sum().backward()
    for p in params:
        numeric = np.zeros_like(p.data)
        for i in np.ndindex(p.shape):
            keep = p.data[i]
            p.data[i] = keep + 1e-6
            plus = float((f().data * weights).sum())
            p.data[i] = keep - 1e-6
            minus = float((f().data * weights).sum())
            p.data[i] = keep
            numeric[i] = (plus - minus) / 2e-6
        scale = max(1e-3, float(np.abs(numeric).max() + np.abs(p.grad).max()))
        assert float(np.abs(numeric - p.grad).max()) / scale < 1e-4


def _float64(layer: Any) -> None:
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)


def test_layernorm_embedding_block_and_loss_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(0)
    norm = LayerNorm(5)
    _float64(norm)
    norm.gamma.data[:] = rng.normal(size=5)
    norm.beta.data[:] = rng.normal(size=5)
    x = Tensor(rng.normal(size=(2, 3, 5)), requires_grad=True)
    _numeric_gradient_check(lambda: norm(x), [x, norm.gamma, norm.beta])

    emb = Embedding(6, 4, seed=0)
    _float64(emb)
    _numeric_gradient_check(lambda: emb(np.array([[1, 5, 1], [0, 2, 2]])), [emb.weight])

    block = TransformerBlock(8, 2, seed=0)
    _float64(block)
    h = Tensor(rng.normal(size=(1, 4, 8)), requires_grad=True)
    mask = np.tril(np.ones((4, 4), dtype=bool))
    _numeric_gradient_check(lambda: block(h, mask), [h, block.fc1.weight, block.attn.q_proj.weight, block.ln1.gamma])

    logits = Tensor(rng.normal(size=(4, 6)), requires_grad=True)
    labels = np.array([0, 5, 2, 2])
    _numeric_gradient_check(lambda: CrossEntropyLoss()(logits, labels), [logits])


def test_tokenizer_round_trip_on_the_corpus() -> None:
    text = datasets.load_corpus()
    tok = CharTokenizer(text)
    assert tok.chars == sorted(set(text)) and tok.vocab_size == len(tok.chars)
    sample = text[5000:6000]
    assert tok.decode(tok.encode(sample)) == sample
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tok.encode("\u00e9")


def test_generation_is_deterministic_under_a_seed_and_respects_top_k() -> None:
    model = TinyGPT(vocab_size=11, embed_dim=16, num_heads=2, num_layers=1, max_seq_len=8, seed=0)
    streamed: list[int] = []
    a = model.generate([1, 2, 3], 20, temperature=0.9, top_k=4, seed=7, on_token=streamed.append)
    assert a == model.generate([1, 2, 3], 20, temperature=0.9, top_k=4, seed=7)
    assert a != model.generate([1, 2, 3], 20, temperature=0.9, top_k=4, seed=8)
    assert a[:3] == [1, 2, 3] and streamed == a[3:] and len(a) == 23
    greedy = model.generate([1, 2, 3], 20, temperature=0)
    assert model.generate([1, 2, 3], 20, top_k=1, seed=3) == greedy
    # with top_k=2 every choice is one of the two best continuations of its context
    picks = model.generate([4], 12, top_k=2, seed=1)
    for end in range(1, len(picks)):
        context = np.array([picks[max(0, end - 8) : end]])
        best_two = np.argsort(model(context).data[0, -1])[-2:]
        assert picks[end] in best_two


def test_sample_batch_targets_are_inputs_shifted_by_one() -> None:
    tokens = np.arange(100)
    x, y = sample_batch(tokens, 4, 10, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 10)
    np.testing.assert_array_equal(y, x + 1)


# ----- bundled assets --------------------------------------------------------------------------------
def test_digits_assets_and_split() -> None:
    images, labels = datasets.load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0 and set(labels.tolist()) == set(range(10))
    x_train, y_train, x_test, y_test = datasets.digits_split()
    assert (len(x_train), len(x_test)) == (1438, 359)
    again = datasets.digits_split()
    np.testing.assert_array_equal(again[3], y_test)
    train_idx, test_idx = datasets.split_indices(1797)
    assert not set(train_idx) & set(test_idx) and len(train_idx) + len(test_idx) == 1797


def test_committed_weights_are_small_and_load_into_the_framework() -> None:
    total = sum(datasets.weights_path(n).stat().st_size for n in ("digits_mlp", "tinygpt"))
    assert total < 5_000_000
    state, config = datasets.load_weights("digits_mlp")
    model = MLP(config["sizes"])
    model.load_state_dict(state)
    _, _, x_test, y_test = datasets.digits_split()
    assert accuracy(model(Tensor(x_test.reshape(len(x_test), -1))), y_test) >= 0.95
    state, config = datasets.load_weights("tinygpt")
    tok = CharTokenizer(config["chars"])
    gpt = TinyGPT(**{k: config[k] for k in ("vocab_size", "embed_dim", "num_heads", "num_layers", "max_seq_len")})
    gpt.load_state_dict(state)
    assert tok.vocab_size == config["vocab_size"] == CharTokenizer(datasets.load_corpus()).vocab_size
    assert config["metrics"]["val_loss"] < config["metrics"]["unigram_entropy"] - 1.0
    text = tok.decode(gpt.generate(tok.encode("def "), 40, temperature=0.5, seed=0))
    assert text.startswith("def ") and len(text) == 44
