"""Proofs that no image gives an MCU the file's coefficients, from each coefficient's range alone.

Under the reference encoder an MCU's normalized coefficients are affine in its pixels, A p + b (see
:mod:`.reachability`), so over p ∈ [0, 255]ⁿ coefficient k ranges over exactly [lo_k, hi_k] with
lo_k = b_k + Σ min(0, 255·A_kj) and hi_k = b_k + Σ max(0, 255·A_kj). Where the file's X_Q,k lies more than ½
outside that range, no in-range image re-quantizes to it: the gap is a lower bound on the smallest worst
excess s* that the linear programme of :mod:`.reachability` computes, found in microseconds instead of a
second per MCU. Mutated or crafted files (a flipped bit in the entropy-coded data) hold such blocks by the
dozen, and so do some saturated blocks of genuine files at the finest quality (libjpeg's integer colour
conversion reaches Cb = 0 where the exact one stops at 0.5); most saturated blocks need the programme.

libjpeg's integer pipeline differs from the reference encoder on the same 8-bit pixels by at most
:data:`LIBJPEG_DEVIATION` in a coefficient's own units (X_D, before division by M), so a gap wider than
that divided by M_k proves that no 8-bit image reproduces the MCU under libjpeg either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from .reachability import affine_map, target
from .tiles import mcu_shape, pixel_window

LIBJPEG_DEVIATION = 10.0
"""Bound on |libjpeg's X_D − the reference encoder's X_D| for one 8-bit image, in coefficient units. Each
plane sample libjpeg codes is within 1.01 levels of the reference's (its fixed-point colour conversion
rounds by at most ½ + 0.01, its biased chroma downsampling adds at most ½), a coefficient sums 64 samples
with weights whose magnitudes add up to at most 8 (the orthonormal 8×8 DCT), and the islow DCT adds its own
rounding (at most 0.2 measured, allowed 1): 8 · 1.01 + 1 < 10. tests/test_coefficient_range.py measures
the real deviation on random, extreme and smooth images far below it."""


@dataclass(frozen=True)
class RangeBounds:
    """Per MCU (rows, cols), float64, steps: the largest gap between one of its coefficients' boxes and that
    coefficient's range over all in-range images, under the reference encoder (``reference``) and under
    libjpeg's integer pipeline (``libjpeg``, the gap less :data:`LIBJPEG_DEVIATION` ⊘ M). A positive value
    proves the MCU unreachable under that encoder and is a lower bound on its smallest worst excess."""

    reference: np.ndarray
    libjpeg: np.ndarray

    def impossible(self, libjpeg: bool) -> np.ndarray:
        """Bool (rows, cols): the MCUs proved unreachable under libjpeg (``libjpeg``) or the reference."""
        return (self.libjpeg if libjpeg else self.reference) > 0.0


def mcu_vectors(code: CodeTensors, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(K, m): the file's X_Q of the K whole MCUs at (``rows``, ``cols``) in
    :func:`~.reachability.affine_map` order (each of the MCU's Y blocks coefficient-major, then its chroma
    block's 128)."""
    fy, fx = code.chroma_factor
    block_rows = rows[:, None, None] * fy + np.arange(fy)[:, None]
    block_cols = cols[:, None, None] * fx + np.arange(fx)
    luma = code.y_q[0].numpy()[:, block_rows, block_cols]
    parts = [luma.transpose(1, 0, 2, 3).reshape(len(rows), -1)]  # (64, K, fy, fx) → (K, 64·fy·fx)
    if code.c_q is not None:
        parts.append(code.c_q[0].numpy()[:, rows, cols].T)
    return np.concatenate(parts, -1)


def flat(code: CodeTensors) -> tuple[np.ndarray, np.ndarray]:
    """(X_Q, M) (m,) of a code of one MCU, in :func:`~.reachability.affine_map` order."""
    tables = [code.y_table[0].expand_as(code.y_q[0])]
    if code.c_q is not None:
        tables.append(code.chroma()[1][0].expand_as(code.c_q[0]))
    return target(code), torch.cat([t.reshape(-1) for t in tables]).numpy()


def coefficient_ranges(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) (m,): each coefficient's range over p ∈ [0, 255]ⁿ for the affine map (a (m, n), b (m,))."""
    return b + np.minimum(a, 0.0).sum(1) * 255.0, b + np.maximum(a, 0.0).sum(1) * 255.0


def gaps(
    ranges: tuple[np.ndarray, np.ndarray], quantized: np.ndarray, tables: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reference and libjpeg gaps (…,) of MCUs of one shape: ``ranges`` of :func:`coefficient_ranges`;
    quantized X_Q and tables M (…, m)."""
    low, high = ranges
    gap = np.maximum(low - quantized, quantized - high) - 0.5
    return gap.max(-1), (gap - LIBJPEG_DEVIATION / tables).max(-1)


def range_bounds(code: CodeTensors, channels: int, mcus: np.ndarray) -> RangeBounds:
    """:class:`RangeBounds` of the MCUs marked in ``mcus`` (bool (rows, cols)) of ``code`` (float64, N = 1),
    for images with ``channels`` channels (3 for a colour file, 1 for grey); −inf elsewhere. Whole MCUs
    share one affine map and are bounded all at once; MCUs cut by the right or bottom edge, one by one."""
    mcu_h, mcu_w = mcu_shape(code)
    reference, libjpeg = np.full(mcus.shape, -np.inf), np.full(mcus.shape, -np.inf)
    whole = np.zeros_like(mcus)
    whole[: code.height // mcu_h, : code.width // mcu_w] = True
    rows, cols = np.nonzero(mcus & whole)
    if rows.size:
        first = code.crop(0, 0, mcu_h, mcu_w)
        ranges = coefficient_ranges(*affine_map(first, channels))
        reference[rows, cols], libjpeg[rows, cols] = gaps(ranges, mcu_vectors(code, rows, cols), flat(first)[1])
    edge_ranges: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for row, col in np.argwhere(mcus & ~whole):
        part = code.crop(*pixel_window((row, col, row + 1, col + 1), code))
        shape = (part.height, part.width)
        if shape not in edge_ranges:
            edge_ranges[shape] = coefficient_ranges(*affine_map(part, channels))
        reference[row, col], libjpeg[row, col] = gaps(edge_ranges[shape], *flat(part))
    return RangeBounds(reference, libjpeg)
