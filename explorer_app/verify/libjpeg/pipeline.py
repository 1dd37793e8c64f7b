"""libjpeg's whole encoder up to the quantized coefficients, for a batch of images of one size.

Input: uint8 samples (N, H, W, 3) RGB or (N, H, W, 1) grey, and the file's tables and sampling. Output per
component (Y, or Y, Cb, Cr): the quantized coefficients and the unrounded quotients, (N, by, bx, 8, 8) on
the component's own block grid (the blocks covering the image; libjpeg's dummy blocks that pad an MCU past
the image edge are not part of it). Colour input for a grey file is converted as libjpeg converts RGB to
grey; grey input for a colour file is taken as R = G = B.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .color import rgb_to_grey, rgb_to_ycc
from .fdct import forward_dct
from .quantize import quantize, quotient
from .sampling import component_plane


@dataclass(frozen=True)
class LibjpegCoefficients:
    """quantized: int32 (N, by, bx, 8, 8) per component, what libjpeg writes; quotients: float64, same
    shapes, the same values before rounding (X_D ⊘ M in libjpeg's integer arithmetic)."""

    quantized: list[np.ndarray]
    quotients: list[np.ndarray]


def to_blocks(plane: np.ndarray) -> np.ndarray:
    """(N, 8·by, 8·bx) → (N, by, bx, 8, 8)."""
    count, height, width = plane.shape
    return plane.reshape(count, height // 8, 8, width // 8, 8).swapaxes(2, 3)


def planes(samples: np.ndarray, components: int) -> list[np.ndarray]:
    """uint8 (N, H, W, C) → the full-resolution int32 planes libjpeg codes: [Y] or [Y, Cb, Cr]."""
    if components == 1:
        return [rgb_to_grey(samples) if samples.shape[3] == 3 else samples[..., 0].astype(np.int32)]
    rgb = samples if samples.shape[3] == 3 else np.repeat(samples, 3, axis=3)
    return rgb_to_ycc(rgb)


def encode(samples: np.ndarray, tables: list[np.ndarray], chroma_factor: tuple[int, int]) -> LibjpegCoefficients:
    """Encode uint8 (N, H, W, C) with one (8, 8) table per component (1 for grey, 3 for colour) and the
    chroma subsampling (fy, fx) ((1, 1) for grey): libjpeg's quantized coefficients and their quotients."""
    if samples.dtype != np.uint8:
        raise ValueError(f"libjpeg's pipeline takes 8-bit samples, not {samples.dtype}")
    quantized, quotients = [], []
    for index, plane in enumerate(planes(samples, len(tables))):
        factor = (1, 1) if index == 0 else chroma_factor
        dct = forward_dct(to_blocks(component_plane(plane, factor, chroma_factor)))
        quantized.append(quantize(dct, tables[index]))
        quotients.append(quotient(dct, tables[index]))
    return LibjpegCoefficients(quantized, quotients)
