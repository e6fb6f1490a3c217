"""Showcase 04 · Image Processing: your convolutions find edges, blur and sharpen real photographs.

Runs on the student's `Conv2d`, `MaxPool2d` and `Flatten` (module 06) with classic hand-set filters
(Sobel edges, Gaussian blur, sharpen) copied into `Conv2d.weight`. The pictures are the real
photographs in showcases/assets/cifar10_sample (32×32 crops of scikit-image's sample photos:
a cat, a coffee cup, an astronaut, a rocket launch, the Hubble deep field, the cameraman).
"""

from __future__ import annotations

import sys
import time

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Picture, matrix_table, side_by_side
from _look import Showcase
from rich.table import Table
from rich.text import Text

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32)
GAUSS = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]).astype(np.float32) / 256


def conv_with(kernels: list[np.ndarray], in_channels: int = 1, per_channel: bool = False):
    """The student's Conv2d with fixed filters; per_channel applies one filter to each colour alone."""
    from tinytorch.spatial import Conv2d

    size = kernels[0].shape[0]
    out = in_channels if per_channel else len(kernels)
    conv = Conv2d(in_channels, out, size, bias=False)  # no zero padding: inputs are edge-padded
    weight = np.zeros(conv.weight.shape, dtype=np.float32)
    for o in range(out):
        if per_channel:
            weight[o, o] = kernels[0]
        else:
            weight[o, :] = kernels[o] / in_channels
    conv.weight.data[...] = weight
    return conv


def grey(photo: np.ndarray) -> np.ndarray:
    """(32, 32, 3) uint8 → (32, 32) brightness in [0, 1]."""
    return (photo / 255.0) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def run_conv(layer, images: np.ndarray, pad: int = 0) -> np.ndarray:
    """NCHW numpy in, numpy out, through the student's layer; `pad` repeats the border pixels
    (so a filter sees no black frame of zeros and the output keeps the input's size)."""
    from tinytorch.tensor import Tensor, no_grad

    if pad:
        images = np.pad(images, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="edge")
    with no_grad():
        return layer(Tensor(images.astype(np.float32))).data


def filters(show: Showcase) -> None:
    show.section("1 · Filters: small grids of weights that slide over an image")
    show.print(side_by_side(
        ("Sobel x (edges)", matrix_table(SOBEL_X, fmt="{:+g}")),
        ("Sobel y", matrix_table(SOBEL_X.T, fmt="{:+g}")),
        ("sharpen", matrix_table(SHARPEN, fmt="{:+g}")),
    ))
    show.print("Blur: a 5×5 Gaussian, weights 1-4-6-4-1 in each direction, summing to 1.")
    show.print("Each output pixel is the weighted sum of the patch under the filter: your Conv2d")
    show.print("gathers every patch (im2col) and does them all with one matrix product.")
    show.pause(4)


def grey_filters(show: Showcase, photo: np.ndarray, name: str) -> np.ndarray:
    show.section(f"2 · Your Conv2d on a real photograph: the {name}")
    image = grey(photo)[None, None]
    edges = run_conv(conv_with([SOBEL_X, SOBEL_X.T]), image, pad=1)[0]
    blurred = run_conv(conv_with([GAUSS]), image, pad=2)[0, 0]
    sharp = run_conv(conv_with([SHARPEN]), image, pad=1)[0, 0]
    magnitude = np.sqrt(edges[0] ** 2 + edges[1] ** 2)
    unit = {"vmin": 0.0, "vmax": 1.0}  # same brightness scale before and after
    pairs = [
        (("before", Picture(image[0, 0], **unit)), ("blurred (5×5 Gaussian)", Picture(blurred, **unit))),
        (("sharpened", Picture(sharp, **unit)), ("edge strength √(gx²+gy²)", Picture(magnitude, vmin=0))),
        (("Sobel x: vertical edges", Picture(edges[0], cmap="signed")),
         ("Sobel y: horizontal edges", Picture(edges[1], cmap="signed"))),
    ]
    for left, right in pairs:
        show.print(side_by_side(left, right, gap=4))
        show.pause(3)
    if show.plain:
        show.print("(signed maps: brightness is how strong the edge is)")
    else:
        show.print(Text.assemble("Signed maps: ", ("orange", "rgb(255,150,40)"), " = dark→bright, ",
                                 ("blue", "rgb(70,140,255)"), " = bright→dark."))
    return magnitude


def colour(show: Showcase, photo: np.ndarray, name: str) -> None:
    show.section(f"3 · In colour: the {name}, sharpened channel by channel")
    image = (photo / 255.0).transpose(2, 0, 1)[None]
    sharp = run_conv(conv_with([SHARPEN], in_channels=3, per_channel=True), image, pad=1)[0]
    show.print(side_by_side(("before", Picture(photo / 255.0)),
                            ("after Conv2d(3, 3, 3) sharpen", Picture(np.clip(sharp.transpose(1, 2, 0), 0, 1))),
                            gap=4))
    show.pause(4)


def pooling(show: Showcase, photo: np.ndarray, edges: np.ndarray) -> int:
    """Two rounds of the student's MaxPool2d(2) on the edge map; how many times fewer values one round leaves."""
    from tinytorch.spatial import MaxPool2d

    show.section("4 · MaxPool2d: smaller maps that keep the strongest responses")
    pool = MaxPool2d(2)
    once = run_conv(pool, edges[None, None])
    twice = run_conv(pool, once)
    show.print(f"The astronaut's edge strength ({edges.shape[0]}×{edges.shape[1]}, above) through your "
               "MaxPool2d(2), twice:")
    show.print(side_by_side((f"pooled once: {once.shape[-2]}×{once.shape[-1]}", Picture(once[0, 0], scale=2, vmin=0)),
                            (f"twice: {twice.shape[-2]}×{twice.shape[-1]}", Picture(twice[0, 0], scale=4, vmin=0)),
                            gap=4))
    show.print(f"Drawn at the original size: {edges.size // twice.size}× fewer numbers, and the outline survives.")
    show.print("Stacked with convolutions, this is how CNNs go from pixels to parts to objects.")
    show.pause(4)
    return edges.size // once.size


def batch(show: Showcase, photos: np.ndarray, names: list[str], labels: np.ndarray) -> None:
    from tinytorch.spatial import MaxPool2d

    show.section("5 · A whole batch at once")
    images = np.stack([grey(p) for p in photos])[:, None]
    sobel, pool = conv_with([SOBEL_X, SOBEL_X.T]), MaxPool2d(2)
    start = time.perf_counter()
    edges = run_conv(sobel, images, pad=1)
    seconds = time.perf_counter() - start
    magnitude = np.sqrt((edges ** 2).sum(axis=1, keepdims=True))
    show.print(f"{len(images)} photos, (N, C, H, W) = {images.shape} → edges {edges.shape}")
    small, small_edges = run_conv(pool, images), run_conv(pool, magnitude)
    show.print(f"in one call: {seconds * 1000:.1f} ms, {len(images) / seconds:,.0f} images/s. "
               f"Pooled to {small.shape[-2]}×{small.shape[-1]} for the gallery:")
    by_class = np.argsort([np.sum(labels[:i] == labels[i]) * 10 + labels[i] for i in range(len(labels))])
    order = by_class[:show.pick(12, 4)]  # the first of each class, then the second of each...
    for k in range(0, len(order), 4):
        picks = order[k:k + 4]
        show.print(side_by_side(*[(names[labels[i]], Picture(small[i, 0], vmin=0, vmax=1)) for i in picks], gap=3))
        show.print(side_by_side(*[("edges", Picture(small_edges[i, 0], vmin=0)) for i in picks], gap=3))
        show.pause(3)


def cnn_shapes(show: Showcase) -> None:
    from tinytorch.activations import ReLU
    from tinytorch.layers import Linear
    from tinytorch.spatial import Conv2d, Flatten, MaxPool2d
    from tinytorch.tensor import Tensor, no_grad

    show.section("6 · Preview: the shape of a CNN built from your layers")
    layers = {"Conv2d(3, 8, 3, padding=1)": Conv2d(3, 8, 3, padding=1, seed=0), "ReLU": ReLU(),
              "MaxPool2d(2)": MaxPool2d(2), "Conv2d(8, 16, 3, padding=1)": Conv2d(8, 16, 3, padding=1, seed=1),
              "ReLU ": ReLU(), "MaxPool2d(2) ": MaxPool2d(2), "Flatten": Flatten(),
              "Linear(1024, 6)": Linear(16 * 8 * 8, 6, seed=2)}
    table = Table(box=None, padding=(0, 2), header_style="bold")
    table.add_column("layer")
    table.add_column("output shape")
    x = Tensor(np.zeros((1, 3, 32, 32), dtype=np.float32))
    table.add_row("input", str(x.shape))
    with no_grad():
        for name, layer in layers.items():
            x = layer(x)
            table.add_row(name.strip(), str(x.shape))
    show.print(table)
    show.print("Untrained here; with autograd and an optimizer the filters are learned, not set.")
    show.pause(3)


def main(show: Showcase) -> None:
    from showcases.datasets import load_cifar_sample

    photos, labels, names = load_cifar_sample()
    first = {name: photos[np.flatnonzero(labels == k)[0]] for k, name in enumerate(names)}
    filters(show)
    edges = grey_filters(show, first["astronaut"], "astronaut")
    colour(show, first["cat"], "cat")
    shrink = pooling(show, first["astronaut"], edges)
    batch(show, photos, names, labels)
    cnn_shapes(show)
    show.built("Your convolutions can see patterns!", [
        "Conv2d = im2col + one matrix product: edges, blur, sharpen on photos",
        "Per-channel filters on colour images, (N, C, H, W) batches",
        f"MaxPool2d: {shrink}× fewer values per step, strongest responses kept",
        "Conv → ReLU → Pool → Flatten → Linear: the shape of every classic CNN",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
