"""Showcase 06 · Data Pipeline: your CIFAR10Dataset and DataLoader feeding real photos.

Runs on the student's `CIFAR10Dataset`, `DataLoader` and `TensorDataset` (module 09). The files are
showcases/assets/cifar10_sample: real photographs (32×32 crops of scikit-image's sample photos) in
the official CIFAR-10 python batch format, so the student's reader is the one a real CIFAR-10
download would use. The augmentations (flip, crop, brightness) are numpy applied to the batch the
student's loader returned; every timing is measured on their loader.
"""

from __future__ import annotations

import sys
import time

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Picture, bar, side_by_side
from _look import Showcase
from rich.table import Table
from rich.text import Text


def hwc(image: np.ndarray) -> np.ndarray:
    """(3, H, W) → (H, W, 3) for drawing."""
    return image.transpose(1, 2, 0)


def thumbnails(images: np.ndarray, titles: list[str], per_row: int = 4) -> list[Table]:
    """Rows of 16×16 previews of (N, 3, 32, 32) images."""
    cards = [(title, Picture(hwc(image), scale=0.5)) for image, title in zip(images, titles, strict=True)]
    return [side_by_side(*cards[k:k + per_row], gap=3) for k in range(0, len(cards), per_row)]


def dataset_tour(show: Showcase):
    from showcases.datasets import cifar_sample_dir
    from tinytorch.data import CIFAR10Dataset

    show.section("1 · Your CIFAR10Dataset reads the official batch files")
    root = cifar_sample_dir()
    train, test = CIFAR10Dataset(root, train=True), CIFAR10Dataset(root, train=False)
    image, label = train[0]
    show.print(f"{root.name}/: {len(train)} training and {len(test)} test photos")
    show.print(f"classes: {', '.join(train.classes)}")
    show.print(f"train[0] → image {image.dtype} {image.shape}, values {image.min():.2f}..{image.max():.2f}, "
               f"label {label} ({train.classes[label]})")
    hero = next(i for i in range(len(train)) if train.classes[train[i][1]] == "astronaut")
    show.print(side_by_side((f"train[{hero}]: {train.classes[train[hero][1]]}", Picture(hwc(train[hero][0]),
                                                                                         scale=2))))
    channels, height, width = image.shape
    show.print(f"{image.size} bytes per photo → ({channels}, {height}, {width}): the red, green and blue planes, "
               "row by row.")
    show.pause(4)
    return train


def batching(show: Showcase, train) -> np.ndarray:
    from tinytorch.data import DataLoader

    show.section("2 · DataLoader: examples stacked into batches")
    loader = DataLoader(train, batch_size=8)
    images, labels = next(iter(loader))
    show.print(f"DataLoader(train, batch_size=8): {len(loader)} batches per epoch of {len(train)} photos.")
    show.print(f"First batch: images {images.shape} {images.dtype}, labels {labels.shape} {labels.dtype}")
    for row in thumbnails(images, [train.classes[i] for i in labels]):
        show.print(row)
    show.pause(4)
    return images


def shuffling(show: Showcase, train) -> None:
    from tinytorch.data import DataLoader

    show.section("3 · Shuffling with a seed: new order each epoch, same run every time")
    short = {name: name[:4] for name in train.classes}

    def first_batches(seed: int) -> list[np.ndarray]:
        loader = DataLoader(train, batch_size=8, shuffle=True, seed=seed)
        return [next(iter(loader))[1] for _ in range(2)]

    run_a, run_b = first_batches(0), first_batches(0)
    for epoch, labels in enumerate(run_a, 1):
        show.print(f"epoch {epoch}, first batch: " + " ".join(short[train.classes[i]] for i in labels))
    same = all(np.array_equal(a, b) for a, b in zip(run_a, run_b, strict=True))
    verdict = ("✓ identical", "bold green") if same else ("✗ different: shuffling is not reproducible", "bold red")
    show.print(Text.assemble("A new DataLoader with seed=0 again: ", verdict))
    loader = DataLoader(train, batch_size=len(train), shuffle=True, seed=1)
    photos, everything = next(iter(loader))
    different = len(np.unique(photos.reshape(len(photos), -1), axis=0))
    seen = np.bincount(everything, minlength=len(train.classes))
    verdict = "visits every photo exactly once" if different == len(photos) == len(train) else "MISSES photos"
    show.print(f"\nOne shuffled epoch {verdict} ({different} different of {len(train)}):")
    for name, count in zip(train.classes, seen, strict=True):
        show.print(Text.assemble(f"  {name:10}", bar(count, seen.max(), 30, "cyan"), f" {count}"))
    show.pause(4)


def augment(show: Showcase, images: np.ndarray) -> None:
    show.section("4 · Augmentation preview: more variety from the same photos")
    rng = np.random.default_rng(0)
    show.print("numpy on the batch your loader returned: mirror, random 32×32 crop of the photo")
    show.print("padded by 4 pixels, and a brightness change. Labels stay the same.")
    for image in images[: show.pick(2, 1)]:
        flipped = image[:, :, ::-1]
        padded = np.pad(image, ((0, 0), (4, 4), (4, 4)), mode="reflect")
        top, left = rng.integers(0, 9, size=2)
        cropped = padded[:, top:top + 32, left:left + 32]
        brighter = np.clip(image * rng.uniform(1.2, 1.5), 0, 1)
        show.print(side_by_side(("original", Picture(hwc(image))), ("flipped", Picture(hwc(flipped))), gap=4))
        show.print(side_by_side((f"crop at ({top}, {left})", Picture(hwc(cropped))),
                                ("brighter", Picture(hwc(brighter))), gap=4))
        show.pause(3)


def throughput(show: Showcase, train) -> float:
    from showcases.datasets import load_digits
    from tinytorch.data import DataLoader, TensorDataset

    show.section("5 · Throughput: how fast your loader serves data")
    budget = show.pick(2.0, 0.05)
    digits, digit_labels = load_digits()
    sources = {"photos": train, "digits": TensorDataset(digits, digit_labels)}
    rows = []
    for name, dataset in sources.items():
        for batch_size in (1, 32, 256):
            loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, seed=0)
            served, start = 0, time.perf_counter()
            while served == 0 or time.perf_counter() - start < budget:
                for images, _ in loader:
                    served += len(images)
            rows.append((name, batch_size, served / (time.perf_counter() - start)))
    best = max(rate for *_, rate in rows)
    for name, batch_size, rate in rows:
        show.print(Text.assemble(f"{name:6} batch {batch_size:3d} ", bar(rate, best, 28, "green"),
                                 f" {rate:10,.0f} examples/s"))
    photo_rate = max(rate for name, _, rate in rows if name == "photos")
    show.print(f"\nAt {photo_rate:,.0f} photos/s, one epoch of the full CIFAR-10 (50,000 photos) takes")
    one = next(rate for name, size, rate in rows if name == "photos" and size == 1)
    show.print(f"{50_000 / photo_rate:.1f} s of loading. Batches served {photo_rate / one:.1f}× more photos/s than "
               "one photo at a time.")
    show.print("These photos sit in memory; real pipelines decode files from disk, so they load")
    show.print("in parallel workers while the model trains on the previous batch.")
    show.pause(3)
    return photo_rate


def main(show: Showcase) -> None:
    train = dataset_tour(show)
    images = batching(show, train)
    shuffling(show, train)
    augment(show, images)
    rate = throughput(show, train)
    show.built("Your data pipeline can feed neural networks!", [
        "CIFAR10Dataset: the official CIFAR-10 batch format, read by your code",
        "DataLoader: (N, 3, 32, 32) batches, reproducible seeded shuffling",
        "Augmentation: flips, crops and brightness multiply what a model sees",
        f"Measured: {rate:,.0f} photos/s through your loader",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
