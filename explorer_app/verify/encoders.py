"""The documented encoders a verdict can rest on (docs/verification.md), behind one interface.

An encoder maps pixels (N, C, h, w) float64 on [0, 255] (RGB or grey) and a file's coefficient grids
(:class:`~explorer_app.decoder.code_tensors.CodeTensors`, N images of that size) to the normalized
coefficients X_D ⊘ M per component, [Y (N, 64, by, bx), CbCr (N, 128, cby, cbx)] (the second only for
colour files); rounding them half away from zero gives that encoder's quantized coefficients exactly. Every
encoder but mozjpeg is local to the MCU (see :mod:`.tiles`), so any MCU-aligned part is judged on its own;
mozjpeg must see the whole image at once (``prepare``), and its strips are judged against that.

:data:`ENCODERS` are always tried (libjpeg's integer encoder, the reference encoder); :data:`ALTERNATIVES`,
the other pipelines that write real files, are tried in the order :func:`likely_order` gives when libjpeg's
integer encoder does not reproduce the file (docs/verification.md, "Other encoders").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ..codec.tables import LUMA_BASE
from ..decoder.code_tensors import CodeTensors
from ..ops.quantization import kept_or_edge
from .libjpeg.pipeline import ISLOW, Variant, encode
from .mozjpeg import mozjpeg_quantized
from .reference_encoder import encode_normalized

Normalized = Callable[[torch.Tensor, CodeTensors], list[torch.Tensor]]
StripNormalized = Callable[[torch.Tensor, CodeTensors, int], list[torch.Tensor]]
"""(pixels of a strip, its part of the file, its top row in pixels) → the strip's normalized maps."""
Prepare = Callable[[np.ndarray, CodeTensors], StripNormalized]
"""(the whole image as uint8 (H, W, C) on the 8-bit grid, the whole file) → a StripNormalized."""


@dataclass(frozen=True)
class Encoder:
    """key: its name in reports; name: what a sentence calls it; title: what it is, in one line; eight_bit:
    takes 8-bit samples only (pixels on the 8-bit grid); tie_guard: how close (in steps) to a rounding tie a
    coefficient may not come while a repair margin is in force: a float encoder decides exact ties by its own
    rounding error, an integer one exactly. normalized: see the module's docstring."""

    key: str
    name: str
    title: str
    eight_bit: bool
    tie_guard: float
    normalized: Normalized
    prepare: Prepare | None = None
    """For an encoder whose coefficients depend on the whole image (mozjpeg): encodes the whole image once,
    and gives the normalized maps of each strip from that; ``normalized`` then serves whole images only."""
    subsampled_only: bool = False
    """Differs from libjpeg's integer encoder only on subsampled chroma (IJG 7-9's default): not tried on
    other files, where it would only repeat libjpeg's figures."""


def code_tables(code: CodeTensors) -> list[np.ndarray]:
    """The (8, 8) integer table of each component of ``code``: [Y] or [Y, Cb, Cr]."""
    tables = [code.y_table[0]] + ([] if code.c_table is None else [code.c_table[0, :64], code.c_table[0, 64:]])
    return [np.rint(t.reshape(8, 8).cpu().numpy()).astype(np.int64) for t in tables]


def eight_bit_samples(pixels: torch.Tensor) -> np.ndarray:
    """Pixels (N, C, h, w) on the 8-bit grid → uint8 (N, h, w, C)."""
    return pixels.detach().permute(0, 2, 3, 1).round().clamp(0, 255).to(torch.uint8).cpu().numpy()


def as_maps(blocks: list[np.ndarray]) -> list[torch.Tensor]:
    """Per component (N, by, bx, 8, 8) → [Y (N, 64, by, bx), CbCr (N, 128, cby, cbx)], float64."""
    maps = [
        torch.from_numpy(np.asarray(b, dtype=np.float64).reshape(*b.shape[:3], 64)).permute(0, 3, 1, 2) for b in blocks
    ]
    return maps[:1] + ([torch.cat(maps[1:], 1)] if len(maps) > 1 else [])


def libjpeg_variant(variant: Variant) -> Normalized:
    """The quotients of libjpeg's pipeline ``variant`` for pixels (N, C, h, w) on the 8-bit grid."""

    def normalized(pixels: torch.Tensor, code: CodeTensors) -> list[torch.Tensor]:
        return as_maps(encode(eight_bit_samples(pixels), code_tables(code), code.chroma_factor, variant).quotients)

    return normalized


libjpeg_normalized = libjpeg_variant(ISLOW)
"""libjpeg's quotients t / 8M for pixels (N, C, h, w) on the 8-bit grid, in the layout of the module."""


def code_grids(code: CodeTensors) -> list[tuple[int, int]]:
    """(by, bx) of each component of ``code``: [Y] or [Y, Cb, Cr]."""
    grids = [(int(code.y_q.shape[2]), int(code.y_q.shape[3]))]
    if code.c_q is not None:
        grids += [(int(code.c_q.shape[2]), int(code.c_q.shape[3]))] * 2
    return grids


def chosen_quotients(islow: list[np.ndarray], chosen: list[np.ndarray]) -> list[torch.Tensor]:
    """Quotients that round to mozjpeg's ``chosen`` X_Q (N, by, bx, 8, 8) per component: libjpeg's islow
    quotient where it rounds to mozjpeg's choice, else the edge of mozjpeg's box on its side (a coefficient
    trellis quantization moved sits at the edge: no room)."""
    return as_maps([kept_or_edge(quotient, picked) for quotient, picked in zip(islow, chosen, strict=True)])


def mozjpeg_prepare(image: np.ndarray, code: CodeTensors) -> StripNormalized:
    """mozjpeg run once on the whole uint8 (H, W, C) image; the returned function gives a strip's quotients
    (:func:`chosen_quotients`) from its slice of mozjpeg's coefficients."""
    tables = code_tables(code)
    whole = mozjpeg_quantized(image, tables, code.chroma_factor, code_grids(code))
    fy, _ = code.chroma_factor

    def strip(pixels: torch.Tensor, part: CodeTensors, top: int) -> list[torch.Tensor]:
        islow = encode(eight_bit_samples(pixels), tables, code.chroma_factor).quotients
        chosen = []
        for index, ((rows, _), full) in enumerate(zip(code_grids(part), whole, strict=True)):
            first = top // 8 if index == 0 else top // (8 * fy)
            chosen.append(full[None, first : first + rows])
        return chosen_quotients(islow, chosen)

    return strip


def mozjpeg_normalized(pixels: torch.Tensor, code: CodeTensors) -> list[torch.Tensor]:
    """mozjpeg's quotients (:func:`chosen_quotients`) for whole images (N, C, H, W) on the 8-bit grid."""
    per_image = [
        mozjpeg_prepare(image, code)(pixels[i : i + 1], code, 0) for i, image in enumerate(eight_bit_samples(pixels))
    ]
    return [torch.cat(maps) for maps in zip(*per_image, strict=True)]


LIBJPEG = Encoder(
    "libjpeg",
    "libjpeg's integer encoder",
    "libjpeg's integer encoder (islow DCT, its colour conversion and chroma downsampling, as "
    "libjpeg-turbo, IJG libjpeg 6b, Pillow and OpenCV write files)",
    True,
    0.0,
    libjpeg_normalized,
)
REFERENCE = Encoder(
    "reference",
    "the reference encoder",
    "the reference encoder (float JFIF colour, box-averaged chroma, orthonormal float DCT, round half away from zero)",
    False,
    1e-9,
    encode_normalized,
)
ENCODERS = (LIBJPEG, REFERENCE)
"""The encoders verification always tries, in the order reports list them."""


def _libjpeg_family(key: str, title: str, variant: Variant) -> Encoder:
    return Encoder(key, title.split(" (")[0], title, True, 0.0, libjpeg_variant(variant), None, variant.scaled_chroma)


IJG_SCALED = _libjpeg_family(
    "ijg-scaled",
    "IJG libjpeg 7-9's default encoder (islow DCT; subsampled chroma transformed by a scaled 16-point DCT "
    "of the full-resolution plane instead of averaged: do_fancy_downsampling)",
    Variant("islow", True),
)
LIBJPEG_FLOAT = _libjpeg_family(
    "libjpeg-float",
    "libjpeg's float encoder (float AA&N DCT and float quantization, as libjpeg-turbo and IJG libjpeg 6b "
    "write with -dct float)",
    Variant("float"),
)
LIBJPEG_FLOAT_SSE = _libjpeg_family(
    "libjpeg-float-sse",
    "libjpeg-turbo's x86 SIMD float encoder (the same float DCT, products rounded half to even by "
    "cvtps2dq, as a stock cjpeg -dct float runs on x86; written from its source, no SIMD build to test)",
    Variant("float-sse"),
)
LIBJPEG_IFAST = _libjpeg_family(
    "libjpeg-ifast",
    "libjpeg's fast integer encoder (ifast AA&N DCT with 8-bit constants, as libjpeg-turbo and IJG libjpeg "
    "6b write with -dct fast)",
    Variant("ifast"),
)
IJG_SCALED_FLOAT = _libjpeg_family(
    "ijg-scaled-float",
    "IJG libjpeg 7-9's float encoder (float DCT for luma; subsampled chroma by the scaled islow DCT, as "
    "IJG 7-9 write with -dct float)",
    Variant("float", True),
)
IJG_SCALED_IFAST = _libjpeg_family(
    "ijg-scaled-ifast",
    "IJG libjpeg 7-9's fast integer encoder (ifast DCT for luma; subsampled chroma by the scaled islow DCT, "
    "as IJG 7-9 write with -dct fast)",
    Variant("ifast", True),
)
MOZJPEG = Encoder(
    "mozjpeg",
    "mozjpeg's default encoder",
    "mozjpeg's default encoder (mozjpeg 4.0.3 through jpeglib, with the file's tables: trellis quantization "
    "of AC and DC coefficients, overshoot deringing, islow DCT)",
    True,
    0.0,
    mozjpeg_normalized,
    mozjpeg_prepare,
)
ALTERNATIVES = (
    IJG_SCALED,
    LIBJPEG_FLOAT,
    LIBJPEG_FLOAT_SSE,
    LIBJPEG_IFAST,
    IJG_SCALED_FLOAT,
    IJG_SCALED_IFAST,
    MOZJPEG,
)
"""The other encoders that write real files, tried only when libjpeg's integer encoder does not reproduce
the file, the likely ones first (:func:`likely_order`)."""
BY_KEY = {encoder.key: encoder for encoder in (*ENCODERS, *ALTERNATIVES)}
"""Every encoder by its report key, for a command line that names one."""


def is_ijg_table(table: np.ndarray, base: np.ndarray) -> bool:
    """Whether (8, 8) ``table`` is ``base`` scaled by jpeg_set_quality at some quality 1-100, entries clipped
    to 255 (force_baseline) or to 32767."""
    for quality in range(1, 101):
        scale = 5000 // quality if quality < 50 else 200 - 2 * quality
        scaled = (base * scale + 50) // 100
        if any(np.array_equal(np.clip(scaled, 1, top), table) for top in (255, 32767)):
            return True
    return False


def likely_order(tables: list[np.ndarray]) -> list[Encoder]:
    """:data:`ALTERNATIVES` in the order to try them for a file with these tables ([Y] or [Y, Cb, Cr], (8, 8)
    each). Tables are all the file says about its encoder: libjpeg, IJG and turbo scale the standard's
    Annex K tables (jcparam.c), mozjpeg's default set (quant_tbl_master_idx 3) differs from them. IJG's
    tables: the IJG/turbo pipelines first, mozjpeg last; other tables: mozjpeg first. The order only saves
    time: the verdict rests on exact reproduction, by any encoder."""
    if is_ijg_table(tables[0], LUMA_BASE):
        return list(ALTERNATIVES)
    return [MOZJPEG, *(e for e in ALTERNATIVES if e is not MOZJPEG)]
