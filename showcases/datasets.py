"""Loaders for the data and weights bundled in showcases/assets/ (numpy only).

This module never imports tinytorch: the showcases run on the STUDENT's tinytorch, and a data
loader must not depend on which of their modules work yet. Sources and licences: assets/LICENSES.md.

Public names:
    load_digits() -> (images float32 (N, 8, 8) in [0, 1], labels int64 (N,))    UCI optical digits, N = 1797
    split_indices(n, test_fraction=0.2, seed=0) -> (train_idx, test_idx)         a fixed, seeded shuffle split
    digits_split(test_fraction=0.2, seed=0) -> (x_train, y_train, x_test, y_test) the split the weights used
    load_corpus() -> str                                                          TinyGPT's training text
    cifar_sample_dir() -> Path               a directory in the official CIFAR-10 python batch format
    load_cifar_sample(train=True) -> (images uint8 (N, 32, 32, 3), labels int64 (N,), label_names list[str])
    weights_path(name) -> Path               e.g. weights_path("digits_mlp") -> assets/digits_mlp.npz
    load_weights(name) -> (state_dict: dict[str, np.ndarray], config: dict)
    save_weights(name, state_dict, config) -> Path
"""

from __future__ import annotations

import gzip
import json
import pickle
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parent / "assets"
CONFIG_KEY = "__config__"


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten digits as float32 images scaled from counts 0..16 to [0, 1], and labels."""
    with gzip.open(ASSETS / "digits.csv.gz", "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    images = (table[:, :64] / 16.0).astype(np.float32).reshape(-1, 8, 8)
    return images, table[:, 64].copy()


def split_indices(n: int, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded permutation of range(n) cut into (train, test) index arrays; same seed, same split."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def digits_split(
    test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test) of the digits; the defaults are the split the weights held out."""
    images, labels = load_digits()
    train, test = split_indices(len(labels), test_fraction, seed)
    return images[train], labels[train], images[test], labels[test]


def load_corpus() -> str:
    """TinyGPT's training text: the Zen of Python and Python standard-library source (PSF licence)."""
    return (ASSETS / "corpus.txt").read_text(encoding="ascii")


def cifar_sample_dir() -> Path:
    """The directory holding data_batch_1, test_batch and batches.meta (real photographs, 6 classes)."""
    return ASSETS / "cifar10_sample"


def load_cifar_sample(train: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The sample's images as uint8 (N, 32, 32, 3) RGB, their labels and the label names (numpy only)."""
    root = cifar_sample_dir()
    with open(root / ("data_batch_1" if train else "test_batch"), "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    with open(root / "batches.meta", "rb") as f:
        meta = pickle.load(f, encoding="bytes")
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    names = [n.decode() for n in meta[b"label_names"]]
    return np.ascontiguousarray(images), np.asarray(batch[b"labels"], dtype=np.int64), names


def weights_path(name: str) -> Path:
    """Where the pretrained weights called `name` live (assets/<name>.npz)."""
    return ASSETS / f"{name}.npz"


def load_weights(name: str) -> tuple[dict[str, np.ndarray], dict]:
    """A saved state_dict and the architecture settings stored beside it (a JSON string in the npz)."""
    with np.load(weights_path(name), allow_pickle=False) as archive:
        state = {key: archive[key] for key in archive.files if key != CONFIG_KEY}
        config = json.loads(str(archive[CONFIG_KEY]))
    return state, config


def save_weights(name: str, state_dict: dict[str, np.ndarray], config: dict) -> Path:
    """Store a state_dict (float32) and its JSON-able architecture settings as assets/<name>.npz."""
    path = weights_path(name)
    arrays = {key: np.asarray(value, dtype=np.float32) for key, value in state_dict.items()}
    np.savez_compressed(path, **arrays, **{CONFIG_KEY: np.array(json.dumps(config, sort_keys=True))})
    return path
