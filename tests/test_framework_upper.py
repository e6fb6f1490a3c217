"""Modules 09-14 piece by piece: data loading and the CIFAR reader, optimizers against hand-computed
steps, losses, compression byte counts, kernels and profiling statistics."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from showcases import datasets
from tinytorch import benchmarking
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
from tinytorch.networks import MLP
from tinytorch.optim import SGD, Adam
from tinytorch.tensor import Tensor
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


class FakeClock:
    """Stands in for the `time` module the Profiler reads: the work advances it, so timings are exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(benchmarking, "time", fake)
    return fake


def test_profiler_statistics_and_warmup(clock: FakeClock) -> None:
    calls = []

    def work(n: int) -> None:
        calls.append(n)
        clock.now += 1.0 if len(calls) <= 2 else len(calls) / 1000  # slow warm-ups, then 3 ms .. 8 ms

    timing = Profiler(warmup=2, repeats=6).time(work, 1)
    assert calls == [1] * 8
    assert timing.samples == pytest.approx((0.003, 0.004, 0.005, 0.006, 0.007, 0.008)), "warm-ups must not count"
    s = np.array(timing.samples)
    assert (timing.mean, timing.median, timing.std, timing.min, timing.max) == pytest.approx(
        (s.mean(), np.median(s), s.std(), s.min(), s.max()))
    assert Timing.from_samples([3.0]).std == 0.0


def test_scaling_analysis_recovers_a_known_exponent(clock: FakeClock) -> None:
    exponent, coefficient = fit_power_law([2, 4, 8], [5 * 2**1.5, 5 * 4**1.5, 5 * 8**1.5])
    assert (exponent, coefficient) == pytest.approx((1.5, 5.0))

    def work(n: int) -> None:
        clock.now += 2e-6 * n**1.5

    result = scaling_analysis(lambda n: n, work, [10, 20, 40], Profiler(0, 2))
    assert result.sizes == (10, 20, 40)
    assert (result.exponent, result.coefficient) == pytest.approx((1.5, 2e-6))
    assert result.predict(80) == pytest.approx(2e-6 * 80**1.5)


def test_profile_model_times_every_layer() -> None:
    model = MLP([16, 32, 32, 4], seed=0)
    rows = Profiler(warmup=1, repeats=3).profile_model(model, Tensor(np.ones((8, 16), dtype=np.float32)))
    assert [name for name, _ in rows] == ["0:Linear", "1:ReLU", "2:Linear", "3:ReLU", "4:Linear"]
