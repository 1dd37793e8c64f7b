"""libjpeg's RGB → YCbCr (jccolor.c): 16-bit fixed point, rounding folded into the table offsets.

Each output is (Σ FIX(c)·sample + offset) >> 16 with FIX(c) = round(c · 2¹⁶); the Y offset is ½ (rounds
to nearest), the Cb and Cr offsets are 128 + ½ − 2⁻¹⁶ (round to nearest, ties down), so that every result
lies in [0, 255] without clipping. A grey file made from RGB input takes the same Y.
"""

from __future__ import annotations

import numpy as np

SCALEBITS = 16


def fix(value: float) -> int:
    """libjpeg's FIX(x): x in 16-bit fixed point, rounded."""
    return int(value * (1 << SCALEBITS) + 0.5)


ONE_HALF = 1 << (SCALEBITS - 1)
CBCR_OFFSET = 128 << SCALEBITS
Y_WEIGHTS = (fix(0.29900), fix(0.58700), fix(0.11400))
CB_WEIGHTS = (-fix(0.16874), -fix(0.33126), fix(0.5))
CR_WEIGHTS = (fix(0.5), -fix(0.41869), -fix(0.08131))


def _weighted(rgb: np.ndarray, weights: tuple[int, int, int], offset: int) -> np.ndarray:
    red, green, blue = (rgb[..., i].astype(np.int32) for i in range(3))
    return (weights[0] * red + weights[1] * green + weights[2] * blue + offset) >> SCALEBITS


def rgb_to_ycc(rgb: np.ndarray) -> list[np.ndarray]:
    """uint8 (…, 3) RGB → [Y, Cb, Cr], each int32 (…) in [0, 255]."""
    chroma_offset = CBCR_OFFSET + ONE_HALF - 1
    return [
        _weighted(rgb, Y_WEIGHTS, ONE_HALF),
        _weighted(rgb, CB_WEIGHTS, chroma_offset),
        _weighted(rgb, CR_WEIGHTS, chroma_offset),
    ]


def rgb_to_grey(rgb: np.ndarray) -> np.ndarray:
    """uint8 (…, 3) RGB → Y int32 (…), as libjpeg converts RGB input for a greyscale file."""
    return _weighted(rgb, Y_WEIGHTS, ONE_HALF)
