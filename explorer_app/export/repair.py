"""Make a decoded image survive storage: after clipping to [0, 255], rounding to the PNG's bit depth and
cropping to the true size, every coefficient must still re-quantize to the file's X_Q.

The image is rounded and re-encoded (reference encoder, float64) strip by strip (:mod:`.stored`); an MCU's
coefficients depend on its own pixels only, so this finds exactly the MCUs the rounding broke, and every
later step touches only those: alternating projections on windows around them first (:mod:`.projection`,
cheap, fix nearly everything), then projected gradient descent on each MCU still broken (:mod:`.polish`:
pixels clipped at 0 or 255, partial edge blocks), with a margin that grows when a round falls short. Until
the last, margin-free round, a coefficient exactly on a rounding tie counts as broken (``stored.TIE_GUARD``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..verify.tiles import STRIP_PIXELS
from .polish import polish
from .projection import project
from .stored import check, store, tie_guard

MARGINS = {16: (0.005, 0.01, 0.02, 0.05, 0.0), 8: (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.0)}
"""Box shrinkage (in quantization steps) tried in turn per bit depth: 16-bit rounding moves a coefficient
by thousandths of a step, 8-bit rounding by up to tenths. The last try, no margin, is for saturated blocks
whose coefficient sits exactly on the box edge: only pixels at exactly 0 or 255 reach it."""
PROJECTION_ROUNDS = 8
"""Alternating projections of the broken MCUs before the remaining ones are polished."""


@dataclass(frozen=True)
class RepairResult:
    """samples: (H, W, C) PNG samples (uint16 at 16 bits, on [0, 255] × 257; uint8 at 8 bits); rounds:
    projection and polish rounds run; repaired_mcus: MCUs that rounding broke, the only ones stored again;
    consistent: whether the reference encoder gives back every coefficient."""

    samples: np.ndarray
    rounds: int
    repaired_mcus: int
    consistent: bool


def repair_for_storage(image: torch.Tensor, code: CodeTensors, bit_depth: int,
                       strip_pixels: int = STRIP_PIXELS) -> RepairResult:
    """PNG samples of ``image`` (1, C, H, W, float, [0, 255], any device) whose coefficients match ``code``
    (float64 tensors, N = 1) when that is reachable at ``bit_depth``; else the best attempt.

    The result does not depend on ``strip_pixels``: it bounds the float64 temporaries (about that many
    pixels per strip, or per band of a group of broken MCUs) next to the samples themselves.
    """
    samples, broken = store(image, code, bit_depth, strip_pixels)
    repaired_mcus = int(broken.sum())  # only these are ever stored again, so no other MCU can break
    rounds = 0
    for _ in range(PROJECTION_ROUNDS):
        if not broken.any():
            break
        margin = MARGINS[bit_depth][0]
        for group in project(samples, broken, code, margin, bit_depth, strip_pixels):
            check(samples, broken, group.core, code, bit_depth, tie_guard(margin))
        rounds += 1
    for margin in MARGINS[bit_depth]:
        if not broken.any():
            break
        polish(samples, broken, code, margin, bit_depth)
        rounds += 1
    return RepairResult(samples, rounds, repaired_mcus, not broken.any())
