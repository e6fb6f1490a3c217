"""Module 06 - Spatial layers: convolution and pooling for images (NCHW: batch, channels, height, width).

Convolution slides a small filter over the image. Instead of looping over positions, `im2col`
gathers every patch the filter will see into the columns of one matrix (a Tensor gather, so it is
differentiable), and the whole convolution becomes a single matrix product. Pooling gathers the
patches the same way and takes their maximum. No new gradient rules are needed: backward comes
from getitem, matmul and max.

Public names
- `im2col_indices(channels, height, width, kernel_h, kernel_w, stride, padding) -> (index, valid)`:
  `index` (channels*kernel_h*kernel_w, out_h*out_w) points into a flattened (channels*height*width)
  image; `valid` is a bool mask of the same shape, False where the patch lies in the zero padding
  (None when padding is 0). Cached; treat the arrays as read-only.
- `conv_output_size(size, kernel, stride, padding) -> int`.
- `Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, seed=None)`:
  `.weight` (out, in, kh, kw) He-normal, `.bias` (out,) zeros or None; input (N, in, H, W) ->
  (N, out, H_out, W_out). `kernel_size`, `stride`, `padding` are ints or (h, w) pairs.
- `MaxPool2d(kernel_size, stride=None)`: maximum over each window; stride defaults to kernel_size.
- `Flatten()`: (N, ...) -> (N, everything else).
"""

from __future__ import annotations

import functools

import numpy as np

from tinytorch.layers import Layer
from tinytorch.tensor import Tensor

Pair = int | tuple[int, int]


def _pair(value: Pair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """How many positions a kernel fits along one axis."""
    return (size + 2 * padding - kernel) // stride + 1


@functools.lru_cache(maxsize=64)
def im2col_indices(
    channels: int, height: int, width: int, kernel_h: int, kernel_w: int, stride: Pair, padding: Pair
) -> tuple[np.ndarray, np.ndarray | None]:
    """Where, in the flattened image, each (patch element, output position) pair reads from."""
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    out_h = conv_output_size(height, kernel_h, sh, ph)
    out_w = conv_output_size(width, kernel_w, sw, pw)
    ### BEGIN SOLUTION hint: rows enumerate (channel, dy, dx), columns (out_y, out_x); clip padded spots
    c = np.repeat(np.arange(channels), kernel_h * kernel_w)
    dy = np.tile(np.repeat(np.arange(kernel_h), kernel_w), channels)
    dx = np.tile(np.arange(kernel_w), channels * kernel_h)
    oy = np.repeat(np.arange(out_h), out_w) * sh
    ox = np.tile(np.arange(out_w), out_h) * sw
    y = dy[:, None] + oy[None, :] - ph
    x = dx[:, None] + ox[None, :] - pw
    valid = (y >= 0) & (y < height) & (x >= 0) & (x < width)
    index = c[:, None] * (height * width) + np.clip(y, 0, height - 1) * width + np.clip(x, 0, width - 1)
    index.setflags(write=False)
    valid.setflags(write=False)
    return index, (None if valid.all() else valid)
    ### END SOLUTION


class Conv2d(Layer):
    """A bank of `out_channels` learned filters, each spanning all input channels."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Pair,
        stride: Pair = 1,
        padding: Pair = 0,
        bias: bool = True,
        seed: int | None = None,
    ) -> None:
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = _pair(kernel_size), _pair(stride), _pair(padding)
        ### BEGIN SOLUTION hint: weight normal * sqrt(2 / (in_channels*kh*kw)) (He), bias zeros
        kh, kw = self.kernel_size
        rng = np.random.default_rng(seed)
        std = np.sqrt(2.0 / (in_channels * kh * kw))
        w = (rng.standard_normal((out_channels, in_channels, kh, kw)) * std).astype(np.float32)
        self.weight = Tensor(w, requires_grad=True)
        self.bias = Tensor(np.zeros(out_channels, dtype=np.float32), requires_grad=True) if bias else None
        ### END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        kh, kw = self.kernel_size
        out_h = conv_output_size(h, kh, self.stride[0], self.padding[0])
        out_w = conv_output_size(w, kw, self.stride[1], self.padding[1])
        ### BEGIN SOLUTION hint: cols = x.reshape(n, c*h*w)[:, index] (*valid); (out, c*kh*kw) weight @ cols
        index, valid = im2col_indices(c, h, w, kh, kw, self.stride, self.padding)
        cols = x.reshape(n, c * h * w)[:, index]  # (n, c*kh*kw, out_h*out_w)
        if valid is not None:
            cols = cols * valid  # zero padding
        out = self.weight.reshape(self.out_channels, c * kh * kw) @ cols  # (n, out, out_h*out_w)
        if self.bias is not None:
            out = out + self.bias.reshape(self.out_channels, 1)
        return out.reshape(n, self.out_channels, out_h, out_w)
        ### END SOLUTION

    def __repr__(self) -> str:
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding})"
        )


class MaxPool2d(Layer):
    """Keeps the strongest response in each window: smaller maps, a little shift tolerance."""

    def __init__(self, kernel_size: Pair, stride: Pair | None = None) -> None:
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride) if stride is not None else self.kernel_size

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        kh, kw = self.kernel_size
        out_h = conv_output_size(h, kh, self.stride[0], 0)
        out_w = conv_output_size(w, kw, self.stride[1], 0)
        ### BEGIN SOLUTION hint: gather windows per channel via im2col_indices(1, h, w, ...), then max(axis=2)
        index, _ = im2col_indices(1, h, w, kh, kw, self.stride, 0)
        windows = x.reshape(n, c, h * w)[:, :, index]  # (n, c, kh*kw, out_h*out_w)
        return windows.max(axis=2).reshape(n, c, out_h, out_w)
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


class Flatten(Layer):
    """Joins all axes but the batch axis, e.g. between convolutions and a Linear layer."""

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION hint: reshape to (batch, -1)
        return x.reshape(x.shape[0], -1)
        ### END SOLUTION

    def __repr__(self) -> str:
        return "Flatten()"
