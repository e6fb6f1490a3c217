"""Modules 09-16 piece by piece: data loading, optimizers, losses, compression byte counts, kernels,
profiling, monitoring/drift/registry, the TinyGPT parts (with finite-difference gradients), and the
bundled assets."""

from __future__ import annotations

import pickle
import time

import numpy as np
import pytest

from showcases import datasets
from tinytorch.benchmarking import Profiler, Timing, fit_power_law, scaling_analysis
from tinytorch.compression import (
    QuantizedModel,
    dense_nbytes,
    prune_magnitude,
    quantize_int8,
    sparse_nbytes,
    sparsity,
    to_csr,
)
from tinytorch.data import CIFAR10Dataset, DataLoader, TensorDataset, read_cifar_batch
from tinytorch.kernels import fused_linear_relu, matmul_naive, matmul_tiled, matmul_vectorized
from tinytorch.layers import Linear
from tinytorch.mlops import DriftDetector, ModelMonitor, ModelRegistry, ks_statistic
from tinytorch.networks import MLP
from tinytorch.optim import SGD, Adam
from tinytorch.tensor import Tensor
from tinytorch.tinygpt import CharTokenizer, Embedding, LayerNorm, TinyGPT, TransformerBlock, sample_batch
from tinytorch.training import CrossEntropyLoss, MSELoss, Trainer, accuracy


# ----- 09 data ------------------------------------------------------------------------------------
def test_dataloader_batches_cover_everything_once() -> None:
    ds = TensorDataset(np.arange(23).reshape(23, 1), np.arange(23) % 3)
    loader = DataLoader(ds, batch_size=5, shuffle=True, seed=3)
    seen = np.concatenate([x[:, 0] for x, _ in loader])
    assert len(loader) == 5 and sorted(seen.tolist()) == list(range(23))
    assert [len(x) for x, _ in DataLoader(ds, batch_size=5, drop_last=True)] == [5, 5, 5, 5]
    assert len(DataLoader(ds, batch_size=23, drop_last=True)) == 1
    assert len(DataLoader(ds, batch_size=24, drop_last=True)) == 0


def test_shuffle_is_reproducible_per_seed_and_differs_between_seeds() -> None:
    ds = TensorDataset(np.arange(50))

    def order(seed: int | None) -> list[int]:
        return np.concatenate([b[0] for b in DataLoader(ds, batch_size=7, shuffle=True, seed=seed)]).tolist()

    assert order(1) == order(1)
    assert order(1) != order(2)
    assert order(None) != list(range(50))


def test_dataloader_stacks_examples_of_a_custom_dataset() -> None:
    class Squares:
        def __len__(self) -> int:
            return 4

        def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
            return np.full((2, 2), i, dtype=np.float32), i * i

    (x, y), = list(DataLoader(Squares(), batch_size=4))  # type: ignore[arg-type]
    assert x.shape == (4, 2, 2) and x.dtype == np.float32 and y.tolist() == [0, 1, 4, 9]


def test_cifar_reader_reads_the_bundled_sample_batches() -> None:
    root = datasets.cifar_sample_dir()
    images, labels = read_cifar_batch(root / "data_batch_1")
    assert images.shape == (60, 3, 32, 32) and images.dtype == np.uint8 and labels.dtype == np.int64
    train, test = CIFAR10Dataset(root), CIFAR10Dataset(root, train=False)
    assert (len(train), len(test)) == (60, 24)
    assert train.classes == ["cat", "coffee", "astronaut", "rocket", "galaxy", "cameraman"]
    image, label = train[0]
    assert image.shape == (3, 32, 32) and image.dtype == np.float32 and 0 <= image.min() <= image.max() <= 1
    assert isinstance(label, int) and 0 <= label < 6
    assert np.array_equal(np.bincount(train.labels), [10] * 6)
    rgb, _, _ = datasets.load_cifar_sample()
    assert np.array_equal(rgb[0].transpose(2, 0, 1), images[0]), "numpy loader and reader must agree"
    with open(root / "data_batch_1", "rb") as f:
        raw = pickle.load(f, encoding="bytes")
    assert raw[b"data"].shape == (60, 3072) and raw[b"data"].dtype == np.uint8
    # photographs, not noise: neighbouring pixels are strongly correlated
    planes = images.astype(np.float64)
    r = np.corrcoef(planes[..., :, :-1].ravel(), planes[..., :, 1:].ravel())[0, 1]
    assert r > 0.8, f"neighbouring pixels correlate only {r:.2f}: not natural images"


def test_cifar_dataset_without_files_says_what_is_missing(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="data_batch_1..5"):
        CIFAR10Dataset(tmp_path)


# ----- 10 optimizers ------------------------------------------------------------------------------
def _param(value: list[float]) -> Tensor:
    return Tensor(np.array(value, dtype=np.float64), requires_grad=True)


def test_sgd_momentum_matches_hand_computed_steps() -> None:
    p = _param([1.0, -2.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    grads = [np.array([1.0, 2.0]), np.array([-1.0, 0.5]), np.array([0.5, 0.5])]
    v, expected = np.zeros(2), np.array([1.0, -2.0])
    for g in grads:
        p.grad = g.copy()
        opt.step()
        v = 0.9 * v + g
        expected = expected - 0.1 * v
    np.testing.assert_allclose(p.data, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p.data, [1.0 - 0.1 * (1 + 0.9 - 1 + 0.81 - 0.9 + 0.5),
                                        -2.0 - 0.1 * (2 + 1.8 + 0.5 + 1.62 + 0.45 + 0.5)], atol=1e-12)


def test_adam_matches_hand_computed_steps() -> None:
    p = _param([0.5])
    opt = Adam([p], lr=0.01, betas=(0.8, 0.9), eps=1e-8)
    m = v = 0.0
    expected = 0.5
    for t, g in enumerate([0.2, -0.4, 1.0], start=1):
        p.grad = np.array([g])
        opt.step()
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
        expected -= 0.01 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.9**t)) + 1e-8)
    assert p.data[0] == pytest.approx(expected, abs=1e-12)
    q = _param([0.5, 0.5])
    q.grad = np.array([1e-3, -50.0])
    Adam([q], lr=0.01).step()  # bias correction: the first step is lr in size, whatever the gradient's scale
    np.testing.assert_allclose(q.data, [0.49, 0.51], atol=1e-7)


def test_optimizers_update_float32_parameters_in_place() -> None:
    layer = Linear(3, 2, seed=0)
    weight_array = layer.weight.data
    opt = Adam(layer.parameters(), lr=0.1)
    (layer(Tensor(np.ones((4, 3), dtype=np.float32))) ** 2).sum().backward()
    opt.step()
    assert layer.weight.data is weight_array and weight_array.dtype == np.float32


# ----- 11 losses ------------------------------------------------------------------------------------
def test_cross_entropy_on_sequences_flattens_leading_axes() -> None:
    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(2, 3, 5)), rng.integers(0, 5, size=(2, 3))
    flat = CrossEntropyLoss()(Tensor(logits.reshape(6, 5)), labels.reshape(6)).item()
    assert CrossEntropyLoss()(Tensor(logits), labels).item() == pytest.approx(flat)
    assert accuracy(logits, labels) == pytest.approx(np.mean(logits.argmax(-1) == labels))


def test_trainer_regression_reports_no_accuracy() -> None:
    x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    loader = DataLoader(TensorDataset(x, 3 * x), batch_size=8)
    model = Linear(1, 1, seed=0)
    history = Trainer(model, SGD(model.parameters(), lr=0.3), MSELoss()).fit(loader, epochs=30, val_loader=loader)
    assert history[-1]["accuracy"] is None and history[-1]["val_loss"] < 1e-3
    assert model.weight.data[0, 0] == pytest.approx(3.0, abs=0.02)


# ----- 12 compression -------------------------------------------------------------------------------
def test_reported_sizes_are_real_byte_counts() -> None:
    model = MLP([64, 32, 10], seed=0)
    params = [p.data for p in model.parameters()]
    assert dense_nbytes(model) == sum(len(a.astype(np.float32).tobytes()) for a in params)
    assert dense_nbytes(model) == 4 * (64 * 32 + 32 + 320 + 10)
    q = QuantizedModel(model)
    stored = [t.values for t in q.quantized.values()] + [np.asarray(t.scale) for t in q.quantized.values()]
    stored += [np.asarray(t.zero_point) for t in q.quantized.values()] + list(q.floats.values())
    assert q.nbytes == sum(len(a.tobytes()) for a in stored)
    assert {a.dtype for a in stored} == {np.dtype(np.int8), np.dtype(np.float32)}
    assert q.nbytes == 64 * 32 + 32 * 10 + 2 * 5 + 4 * (32 + 10)
    prune_magnitude(model, 0.75)
    csr = [to_csr(p.data) for p in model.parameters() if p.ndim == 2]
    biases = [p.data for p in model.parameters() if p.ndim == 1]
    assert sparse_nbytes(model) == sum(len(a.tobytes()) for t in csr for a in t) + sum(b.nbytes for b in biases)
    assert sparse_nbytes(model) < dense_nbytes(model)


def test_pruning_keeps_the_largest_weights_and_the_original_model_survives_quantization() -> None:
    model = MLP([10, 10], seed=0)
    w = model.layers[0].weight.data
    top = np.sort(np.abs(w).ravel())[-30:]
    assert prune_magnitude(model, 0.7) == pytest.approx(0.7)
    assert sparsity(model) == pytest.approx(0.7)
    np.testing.assert_array_equal(np.sort(np.abs(w[w != 0])), top)
    before = w.copy()
    QuantizedModel(model)
    np.testing.assert_array_equal(model.layers[0].weight.data, before)


def test_int8_quantization_error_is_at_most_half_a_step() -> None:
    x = np.random.default_rng(0).normal(size=(50, 40)).astype(np.float32)
    q = quantize_int8(x)
    step = (x.max() - x.min()) / 255
    assert np.abs(q.dequantize() - x).max() <= step / 2 + 1e-6
    assert quantize_int8(np.zeros(3)).dequantize().tolist() == [0.0, 0.0, 0.0]
    positive = quantize_int8(np.array([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(positive.dequantize(), [1, 2, 4], atol=4 / 255 / 2 + 1e-6)


# ----- 13 kernels / 14 benchmarking ----------------------------------------------------------------
def test_kernels_agree_with_numpy_on_odd_shapes() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(13, 7)), rng.normal(size=(7, 11))
    for got in (matmul_naive(a, b), matmul_tiled(a, b, tile=4), matmul_tiled(a, b, tile=64), matmul_vectorized(a, b)):
        np.testing.assert_allclose(got, a @ b, atol=1e-12)
    np.testing.assert_allclose(fused_linear_relu(a, b, np.ones(11)), np.maximum(a @ b + 1, 0))
    with pytest.raises(ValueError):
        matmul_tiled(a, a)


def test_profiler_statistics_and_warmup() -> None:
    calls = []

    def work(n: int) -> None:
        calls.append(n)
        time.sleep(0.002 if len(calls) <= 2 else 0.0005)  # slow warm-up calls must not be counted

    timing = Profiler(warmup=2, repeats=6).time(work, 1)
    assert len(calls) == 8 and len(timing.samples) == 6
    assert timing.max < 0.002, "warm-up calls leaked into the samples"
    s = np.array(timing.samples)
    assert (timing.mean, timing.median, timing.std, timing.min, timing.max) == pytest.approx(
        (s.mean(), np.median(s), s.std(), s.min(), s.max()))
    assert 0.0005 <= timing.min <= timing.median <= timing.max
    assert Timing.from_samples([3.0]).std == 0.0


def test_scaling_analysis_recovers_a_known_exponent() -> None:
    exponent, coefficient = fit_power_law([2, 4, 8], [5 * 2**1.5, 5 * 4**1.5, 5 * 8**1.5])
    assert (exponent, coefficient) == pytest.approx((1.5, 5.0))
    result = scaling_analysis(lambda n: n, lambda n: time.sleep(n * 1e-4), [10, 20, 40], Profiler(0, 2))
    assert 0.7 < result.exponent < 1.3, f"sleep(n) should scale linearly, got {result.exponent}"
    assert result.predict(20) == pytest.approx(result.seconds[1], rel=0.5)


def test_profile_model_times_every_layer() -> None:
    model = MLP([16, 32, 32, 4], seed=0)
    rows = Profiler(warmup=1, repeats=3).profile_model(model, Tensor(np.ones((8, 16), dtype=np.float32)))
    assert [name for name, _ in rows] == ["0:Linear", "1:ReLU", "2:Linear", "3:ReLU", "4:Linear"]


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
def _numeric_gradient_check(f, params: list[Tensor]) -> None:  # noqa: ANN001 - f: () -> Tensor
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


def _float64(layer) -> None:  # noqa: ANN001
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
