"""The documented encoders a verdict can rest on (docs/verification.md), behind one interface.

An encoder maps pixels (N, C, h, w) float64 on [0, 255] (RGB or grey) and a file's coefficient grids
(:class:`~explorer_app.decoder.code_tensors.CodeTensors`, N images of that size) to the normalized
coefficients X_D ⊘ M per component, [Y (N, 64, by, bx), CbCr (N, 128, cby, cbx)] (the second only for
colour files); rounding them half away from zero gives that encoder's quantized coefficients exactly. Both
encoders are local to the MCU (see :mod:`.tiles`), so any MCU-aligned part is judged on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from .libjpeg.pipeline import encode
from .reference_encoder import encode_normalized

Normalized = Callable[[torch.Tensor, CodeTensors], list[torch.Tensor]]


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


def code_tables(code: CodeTensors) -> list[np.ndarray]:
    """The (8, 8) integer table of each component of ``code``: [Y] or [Y, Cb, Cr]."""
    tables = [code.y_table[0]] + ([] if code.c_table is None else [code.c_table[0, :64], code.c_table[0, 64:]])
    return [np.rint(t.reshape(8, 8).cpu().numpy()).astype(np.int64) for t in tables]


def libjpeg_normalized(pixels: torch.Tensor, code: CodeTensors) -> list[torch.Tensor]:
    """libjpeg's quotients t / 8M for pixels (N, C, h, w) on the 8-bit grid, in the layout of the module."""
    samples = pixels.detach().permute(0, 2, 3, 1).round().clamp(0, 255).to(torch.uint8).cpu().numpy()
    quotients = encode(samples, code_tables(code), code.chroma_factor).quotients
    maps = [torch.from_numpy(q.reshape(*q.shape[:3], 64)).permute(0, 3, 1, 2) for q in quotients]
    return maps[:1] + ([torch.cat(maps[1:], 1)] if len(maps) > 1 else [])


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
"""Every encoder verification tries, in the order reports list them."""
