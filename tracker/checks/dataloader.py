"""Checks for module 09 (dataloader): tinytorch/data.py, batching, seeded shuffling and the CIFAR-10 reader."""

from __future__ import annotations


def check_tensor_dataset() -> None:
    import numpy as np

    from tinytorch.data import TensorDataset

    x, y = np.arange(12).reshape(6, 2), np.arange(6) * 10
    ds = TensorDataset(x, y)
    assert len(ds) == 6, f"len(TensorDataset of 6 rows): expected 6, got {len(ds)}"
    item = ds[4]
    assert isinstance(item, tuple) and len(item) == 2, f"ds[4]: expected a 2-tuple (x, y), got {item!r}"
    assert np.array_equal(item[0], [8, 9]) and item[1] == 40, f"ds[4]: expected ([8, 9], 40), got {item!r}"


def check_batches_and_drop_last() -> None:
    import numpy as np

    from tinytorch.data import DataLoader, TensorDataset

    ds = TensorDataset(np.arange(10, dtype=np.float32).reshape(10, 1), np.arange(10))
    loader = DataLoader(ds, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3, f"10 examples, batch_size 4: len(loader) should be 3, got {len(loader)}"
    sizes = [len(b[0]) for b in batches]
    assert sizes == [4, 4, 2], f"batch sizes: expected [4, 4, 2], got {sizes}"
    assert batches[0][0].shape == (4, 1), f"first x batch: expected shape (4, 1), got {batches[0][0].shape}"
    assert np.array_equal(batches[2][1], [8, 9]), f"last y batch unshuffled: expected [8, 9], got {batches[2][1]}"
    dropping = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dropping) == 2, f"drop_last=True: len(loader) should be 2, got {len(dropping)}"
    dropped_sizes = [len(b[0]) for b in dropping]
    assert dropped_sizes == [4, 4], f"drop_last=True: batch sizes should be [4, 4], got {dropped_sizes}"


def check_shuffle_with_seed() -> None:
    import numpy as np

    from tinytorch.data import DataLoader, TensorDataset

    ds = TensorDataset(np.arange(20))

    def epochs(seed: int) -> list[list[int]]:
        loader = DataLoader(ds, batch_size=6, shuffle=True, seed=seed)
        return [np.concatenate([b[0] for b in loader]).tolist() for _ in range(2)]

    first, again = epochs(7), epochs(7)
    assert first == again, "two loaders with the same seed should give the same shuffled epochs"
    assert sorted(first[0]) == list(range(20)), f"an epoch must visit every example once, got {first[0]}"
    assert first[0] != list(range(20)), "shuffle=True returned the examples in their original order"
    assert first[0] != first[1], "each epoch should be shuffled anew (same order twice in a row)"


def check_cifar_batch_reader() -> None:
    import pickle
    import tempfile
    from pathlib import Path

    import numpy as np

    from tinytorch.data import CIFAR10Dataset

    data = np.zeros((2, 3072), dtype=np.uint8)
    data[0, :1024] = 255  # image 0: red plane full
    data[1, 2048 + 33] = 51  # image 1: blue plane, row 1, column 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with open(root / "data_batch_1", "wb") as f:
            pickle.dump({b"data": data, b"labels": [3, 8], b"batch_label": b"test"}, f)
        with open(root / "batches.meta", "wb") as f:
            pickle.dump({b"label_names": [b"cat", b"dog", b"frog", b"ship", b"truck", b"airplane",
                                          b"bird", b"deer", b"horse", b"automobile"]}, f)
        ds = CIFAR10Dataset(root, train=True)
        assert len(ds) == 2, f"a batch file of 2 images: len should be 2, got {len(ds)}"
        image, label = ds[1]
        assert np.shape(image) == (3, 32, 32), f"image shape: expected (3, 32, 32), got {np.shape(image)}"
        assert label == 8, f"label of image 1: expected 8, got {label}"
        assert abs(float(image[2, 1, 1]) - 0.2) < 1e-6, "byte 2048+33 is blue, row 1, col 1: 51/255 = 0.2 expected"
        red = np.asarray(ds[0][0])
        assert red.dtype == np.float32, f"images should be float32, got {red.dtype}"
        assert np.allclose(red[0], 1.0) and np.allclose(red[1:], 0.0), "image 0 should be pure red (first plane)"
        assert ds.classes[3] == "ship", f"classes from batches.meta: expected 'ship' at 3, got {ds.classes[3]!r}"
