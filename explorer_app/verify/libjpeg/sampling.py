"""libjpeg's edge replication and chroma downsampling (jcprepct.c, jcsample.c).

A component of sampling factor (fy, fx) relative to the luma (1 or 2 each) is made from the full-resolution
plane as libjpeg makes it: columns replicated on the right up to fx · 8 · (its width in blocks); rows
replicated at the bottom up to a multiple of fy; each fy × fx box summed with a bias and shifted (h2v1:
bias 0, 1, 0, 1, … along the row; h2v2: 1, 2, 1, 2, …; any other factor: the half of the box, as
int_downsample does); then the downsampled rows replicated at the bottom up to whole blocks. The bias
alternates with the output column counted from the image's left edge, so any part that starts on the MCU
grid is downsampled exactly as inside the whole image.
"""

from __future__ import annotations

import numpy as np


def blocks_for(length: int) -> int:
    """Whole 8-sample blocks covering ``length`` samples."""
    return -(-length // 8)


def replicate(plane: np.ndarray, height: int, width: int) -> np.ndarray:
    """(N, h, w) → (N, height, width) by repeating the last row and column (never crops)."""
    pad_rows, pad_cols = max(0, height - plane.shape[1]), max(0, width - plane.shape[2])
    if pad_rows == 0 and pad_cols == 0:
        return plane
    return np.pad(plane, ((0, 0), (0, pad_rows), (0, pad_cols)), mode="edge")


def bias(factor: tuple[int, int], columns: int) -> np.ndarray | int:
    """What libjpeg adds to a box's sum before the shift, per output column (or one value for all)."""
    if factor == (2, 2):
        return np.where(np.arange(columns) % 2 == 0, 1, 2).astype(np.int32)
    if factor == (1, 2):
        return (np.arange(columns) % 2).astype(np.int32)
    return (factor[0] * factor[1]) // 2


def downsample(plane: np.ndarray, factor: tuple[int, int]) -> np.ndarray:
    """(N, H, W) int32 with H, W multiples of (fy, fx) → (N, H/fy, W/fx): libjpeg's biased box sums."""
    fy, fx = factor
    if factor == (1, 1):
        return plane
    count, rows, cols = plane.shape[0], plane.shape[1] // fy, plane.shape[2] // fx
    sums = plane.reshape(count, rows, fy, cols, fx).sum(axis=(2, 4), dtype=np.int32)
    return (sums + bias(factor, cols)) // (fy * fx)


def component_plane(plane: np.ndarray, factor: tuple[int, int], max_factor: tuple[int, int]) -> np.ndarray:
    """The samples libjpeg DCT-codes for one component: (N, H, W) full-resolution int32 plane → (N, 8·by,
    8·bx) with (by, bx) the component's blocks. ``factor``: how much this component is downsampled (1, 1)
    for luma; ``max_factor``: the file's largest (fy, fx), which sets the row padding before downsampling."""
    fy, fx = factor
    height, width = plane.shape[1:]
    rows, cols = -(-height // fy), -(-width // fx)
    padded = replicate(plane, -(-height // max_factor[0]) * max_factor[0], 8 * fx * blocks_for(cols))
    reduced = downsample(padded, factor)[:, :rows]
    return replicate(reduced, 8 * blocks_for(rows), reduced.shape[2])
