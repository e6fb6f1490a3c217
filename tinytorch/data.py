"""Module 09 - DataLoader: feeding a network batch after batch.

Training never looks at the whole data set at once: it takes small random batches, one after the
other, and sees every example once per epoch. A `Dataset` says how many examples there are and how to
fetch example i; a `DataLoader` decides the order (shuffled or not), cuts it into batches and stacks
the examples of a batch into arrays.

Public names
- `Dataset`: base class; subclasses define `__len__()` and `__getitem__(i)` (one example, a tuple).
- `TensorDataset(*arrays)`: example i is `(arrays[0][i], arrays[1][i], ...)`; all arrays equally long.
- `DataLoader(dataset, batch_size=32, shuffle=False, drop_last=False, seed=None)`: iterating yields
  tuples of np.ndarrays stacked along axis 0; `len(loader)` is the number of batches per epoch. With a
  seed, the sequence of shuffled epochs is the same every time a loader is built.
- `read_cifar_batch(path) -> (images uint8 (N, 3, 32, 32), labels int64 (N,))`: one official CIFAR-10
  python batch file (a pickled dict: b'data' uint8 (N, 3072) = R, G, B planes, b'labels').
- `CIFAR10Dataset(root, train=True)`: the CIFAR-10 python batch files in `root` (`data_batch_1..5`
  for training, `test_batch` for testing, `batches.meta` for the class names); example i is
  (image float32 (3, 32, 32) in [0, 1], label int); `.classes` (list[str]), `.images`, `.labels`.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np


class Dataset:
    """Anything with a length and indexable examples; subclasses fill in the two methods."""

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")


class TensorDataset(Dataset):
    """Examples are rows of equally long arrays, e.g. TensorDataset(images, labels)."""

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        lengths = {len(a) for a in self.arrays}
        if len(lengths) != 1:
            raise ValueError(f"all arrays must have the same length, got {sorted(lengths)}")

    def __len__(self) -> int:
        ### BEGIN SOLUTION hint: every array has the same length; return the first one's
        return len(self.arrays[0])
        ### END SOLUTION

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        ### BEGIN SOLUTION hint: a tuple with row `index` of each array
        return tuple(a[index] for a in self.arrays)
        ### END SOLUTION


class DataLoader:
    """Iterate over a dataset in batches; each batch is a tuple of arrays stacked along axis 0."""

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = np.random.default_rng(seed)  # one generator: each epoch gets a new, reproducible order

    def __len__(self) -> int:
        """Number of batches in one epoch (a short last batch counts unless drop_last)."""
        ### BEGIN SOLUTION hint: len(dataset) / batch_size, rounded down if drop_last, else up
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1
        ### END SOLUTION

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        """Yield batches: shuffle the indices (self.rng) if asked, slice, stack each field."""
        ### BEGIN SOLUTION hint: order = rng.permutation(n) or arange(n); for each slice, np.stack each field
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for batch in range(len(self)):
            indices = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            examples = [self.dataset[int(i)] for i in indices]
            examples = [e if isinstance(e, tuple) else (e,) for e in examples]
            yield tuple(np.stack(field) for field in zip(*examples, strict=True))
        ### END SOLUTION


def _unpickle(path: Path) -> dict:
    """CIFAR files were pickled by Python 2: keys (and names) come back as bytes."""
    with open(path, "rb") as f:
        return pickle.load(f, encoding="bytes")


def read_cifar_batch(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch file -> (images uint8 (N, 3, 32, 32), labels int64 (N,)).

    Each row of b'data' holds 3072 bytes: the 1024 red values of the 32x32 image row by row, then
    the 1024 green values, then the 1024 blue values.
    """
    batch = _unpickle(Path(path))
    ### BEGIN SOLUTION hint: batch[b'data'] reshaped to (N, 3, 32, 32); batch[b'labels'] as int64
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return images, np.asarray(batch[b"labels"], dtype=np.int64)
    ### END SOLUTION


class CIFAR10Dataset(Dataset):
    """The CIFAR-10 python batch files in `root`; examples are (float32 (3, 32, 32) in [0, 1], int)."""

    def __init__(self, root: str | Path, train: bool = True) -> None:
        self.root = Path(root)
        names = [f"data_batch_{i}" for i in range(1, 6)] if train else ["test_batch"]
        files = [self.root / name for name in names if (self.root / name).is_file()]
        if not files:
            wanted = "data_batch_1..5" if train else "test_batch"
            raise FileNotFoundError(f"no CIFAR-10 batch file ({wanted}) in {self.root}")
        batches = [read_cifar_batch(f) for f in files]
        self.images = np.concatenate([images for images, _ in batches])
        self.labels = np.concatenate([labels for _, labels in batches])
        meta = self.root / "batches.meta"
        if meta.is_file():
            self.classes = [name.decode() for name in _unpickle(meta)[b"label_names"]]
        else:
            self.classes = [str(i) for i in range(int(self.labels.max()) + 1)]

    def __len__(self) -> int:
        ### BEGIN SOLUTION hint: how many images were read
        return len(self.labels)
        ### END SOLUTION

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        ### BEGIN SOLUTION hint: image as float32 / 255, label as int
        return self.images[index].astype(np.float32) / 255.0, int(self.labels[index])
        ### END SOLUTION
