"""libjpeg's whole encoder up to the quantized coefficients, for a batch of images of one size, in each
variant emulated (:class:`Variant`): the islow, ifast or float 8×8 DCT, and chroma box-averaged before its
DCT (libjpeg 6b, libjpeg-turbo) or transformed by IJG libjpeg 7-9's scaled DCT of the full-resolution plane.

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
from .fdct_float import float_quotients, forward_dct_float, quantize_float, quantize_float_sse, scaled_float
from .fdct_ifast import forward_dct_ifast, ifast_quotients, quantize_ifast
from .fdct_scaled import forward_dct_scaled, scaled_blocks
from .quantize import quantize, quotient
from .sampling import blocks_for, component_plane

DCT_METHODS = ("islow", "ifast", "float", "float-sse")


@dataclass(frozen=True)
class Variant:
    """Which libjpeg pipeline: ``dct``, the 8×8 DCT and its quantization ("islow": jfdctint.c, "ifast":
    jfdctfst.c, "float": jfdctflt.c, "float-sse": the same with libjpeg-turbo's x86 SIMD rounding, half to
    even); ``scaled_chroma``: a subsampled chroma component is transformed by
    IJG libjpeg 7-9's scaled DCT of the full-resolution plane (always islow, whatever ``dct``), instead of
    being box-averaged first (libjpeg 6b, libjpeg-turbo, mozjpeg)."""

    dct: str = "islow"
    scaled_chroma: bool = False

    def __post_init__(self) -> None:
        if self.dct not in DCT_METHODS:
            raise ValueError(f"unknown DCT method {self.dct!r}")


ISLOW = Variant()


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


def eight_by_eight(blocks: np.ndarray, table: np.ndarray, dct: str) -> tuple[np.ndarray, np.ndarray]:
    """(…, 8, 8) samples → (X_Q int32, quotients float64), each (…, 8, 8), by the 8×8 DCT ``dct``."""
    if dct in ("float", "float-sse"):
        scaled = scaled_float(forward_dct_float(blocks), table)
        quantized = quantize_float(scaled) if dct == "float" else quantize_float_sse(scaled)
        return quantized, float_quotients(scaled, quantized)
    if dct == "ifast":
        output = forward_dct_ifast(blocks)
        return quantize_ifast(output, table), ifast_quotients(output, table)
    output = forward_dct(blocks)
    return quantize(output, table), quotient(output, table)


def encode(
    samples: np.ndarray, tables: list[np.ndarray], chroma_factor: tuple[int, int], variant: Variant = ISLOW
) -> LibjpegCoefficients:
    """Encode uint8 (N, H, W, C) with one (8, 8) table per component (1 for grey, 3 for colour) and the
    chroma subsampling (fy, fx) ((1, 1) for grey): libjpeg's quantized coefficients and their quotients,
    as the pipeline ``variant`` computes them."""
    if samples.dtype != np.uint8:
        raise ValueError(f"libjpeg's pipeline takes 8-bit samples, not {samples.dtype}")
    quantized, quotients = [], []
    for index, plane in enumerate(planes(samples, len(tables))):
        factor = (1, 1) if index == 0 else chroma_factor
        if variant.scaled_chroma and factor != (1, 1):
            fy, fx = factor
            blocks = (blocks_for(-(-plane.shape[1] // fy)), blocks_for(-(-plane.shape[2] // fx)))
            output = forward_dct_scaled(scaled_blocks(plane, factor, blocks), (8 * fy, 8 * fx))
            pair = quantize(output, tables[index]).astype(np.int32), quotient(output, tables[index])
        else:
            pair = eight_by_eight(to_blocks(component_plane(plane, factor, chroma_factor)), tables[index], variant.dct)
        quantized.append(pair[0])
        quotients.append(pair[1])
    return LibjpegCoefficients(quantized, quotients)
