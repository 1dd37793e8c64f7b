"""Make a decoded image survive storage: after clipping to [0, 255], rounding to the PNG's bit depth and
cropping to the true size, a documented encoder must still give back every one of the file's coefficients.

The target encoder follows from the bit depth (docs/verification.md): libjpeg's integer pipeline for 8-bit
samples (what anyone can re-check with libjpeg; the file's own original proves such an image exists when
libjpeg wrote the file), the reference encoder for 16-bit samples (exact in real arithmetic, which 16 bits
approach to a thousandth of a step).

The image is rounded and re-encoded strip by strip (:mod:`.stored`); an MCU's coefficients depend on its
own pixels only, so this finds exactly the MCUs the rounding broke, and every later step touches only
those. At 16 bits (the reference encoder): projected gradient descent on each broken MCU (:mod:`.polish`:
pixels clipped at 0 or 255, partial edge blocks), with a margin that grows when a round falls short. At 8
bits (libjpeg's pipeline): alternating projections on windows around the broken MCUs first
(:mod:`.projection`, cheap, they mend most of what 8-bit rounding breaks), then a search in libjpeg's own
integers (:mod:`.integer_repair`), the polish only for the few MCUs it leaves.
MCUs no image can be repaired into are set aside with their proof instead of being worked on in vain
(:mod:`~explorer_app.verify.proofs`): at once, those where one coefficient's box lies outside the range any
in-range image gives it (a damaged or crafted file's blocks, and genuine saturated ones at fine quality);
after the last round, for the attempt an export keeps, those of the MCUs left broken that linear
programming rules out under the reference encoder (saturated blocks; see :func:`prove_what_stays_broken`). Until the
last, margin-free round, a coefficient exactly on a rounding tie counts as broken where the encoder decides
ties by float error.

Once an MCU is set aside the attempt cannot verify, and the repair stops spending: the projections or one
polish round still mend what rounding broke elsewhere (so that the report points at the MCUs that matter),
but no integer search and no further rounds run. The work is bounded by counts, never by a clock:
:data:`EXAMINED_MCUS` linear programmes, the margins' polish rounds, the integer search's rounds and kicks
(:mod:`.integer_repair`, :mod:`.rgb_greedy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..verify.encoders import LIBJPEG, REFERENCE, Encoder
from ..verify.interrupt import Check, never
from ..verify.proofs import Optima, Unreachable, prove_unreachable
from ..verify.tiles import STRIP_PIXELS
from .integer_repair import integer_repair
from .polish import polish
from .projection import project
from .stored import check_windows, guard_for, store

MARGINS = {16: (0.005, 0.01, 0.02, 0.05, 0.0), 8: (0.05, 0.1, 0.2, 0.3, 0.4, 0.0)}
"""Box shrinkage (in quantization steps) tried in turn per bit depth: 16-bit rounding moves a coefficient
by thousandths of a step, 8-bit rounding (and libjpeg's own integer rounding) by up to tenths. The last
try, no margin, is for saturated blocks whose coefficient sits exactly on the box edge."""
PROJECTION_ROUNDS = {16: 0, 8: 8}
"""Rounds of alternating projections of the broken MCUs before the remaining ones are polished, per bit
depth. At 16 bits none: what rounding breaks there is clipping to [0, 255] (the decoder's pixels reach
beyond it; its Δ never comes near the box edge), which a projection, rendering out of range again, barely
mends (a round on a photo mends well under one MCU in a hundred), while the polish mends nearly all of them
in two steps."""
HOPELESS_STEPS = 80
"""Polish steps in the one round of an attempt that cannot verify: at 16 bits every MCU rounding broke and
an image can reach verifies within 62-67 steps (see polish.SCHEDULES), so more would be spent only on MCUs
no image reaches: the schedule's 400 steps in vain, export after export of a damaged file."""
EXAMINED_MCUS = 2
"""An export that does not verify holds at most this many programme proofs: MCUs no earlier proof rules out
are examined for its report until then, the others reported as not examined. A programme is the costliest
piece of work in an export, and these only name blocks the export cannot mend: two examples tell the user
why, more would only add to the wait."""
POLISHED_MCUS = 64
"""At 8 bits, the gradient polish (against the reference encoder offset by libjpeg's own rounding) takes over
the MCUs the integer search leaves, when that is at most this many: it escapes some of the search's local
minima (dark, saturated corners of edge MCUs), and more left means a file too fine for 8-bit samples."""
SEARCH_ROOM_BITS = 64.0
"""Below this much room (:func:`room_bits`) the 8-bit repair does not search in libjpeg's integers: with
steps of 1 almost everywhere (IJG quality 98 and finer) about one 8-bit block per quantization box exists
(the original's), which no search from the decoder's output finds."""


def room_bits(code: CodeTensors) -> float:
    """log2 of how many integer 8×8 blocks share one quantization box, Σ log2 M over a table, for the file's
    tightest table: 0 at quality 100, about 138 for IJG luma at quality 95, 241 at 85."""
    tables = [code.y_table] + ([] if code.c_table is None else [code.c_table[:, :64], code.c_table[:, 64:]])
    return min(float(torch.log2(table[0]).sum()) for table in tables)


def target_encoder(bit_depth: int) -> Encoder:
    """The encoder an export at ``bit_depth`` is repaired for: libjpeg at 8 bits, the reference at 16."""
    return LIBJPEG if bit_depth == 8 else REFERENCE


@dataclass(frozen=True)
class RepairResult:
    """samples: (H, W, C) PNG samples (uint16 at 16 bits, on [0, 255] × 257; uint8 at 8 bits); encoder:
    the one repaired for; rounds: projection and polish rounds run; repaired_mcus: MCUs that rounding broke,
    the only ones stored again; broken: bool (MCU rows, cols), those the encoder still does not reproduce;
    unreachable: (MCU row, col) → the proof that no in-range image reaches it, for the MCUs set aside (see
    :func:`repair_for_storage`); proofs: every proof found under the reference encoder, set aside or not
    (an 8-bit attempt keeps working on MCUs libjpeg may still reach), for a later attempt; over_budget: the
    attempt was abandoned untried, rounding having broken more MCUs than its ``budget``."""

    samples: np.ndarray
    encoder: Encoder
    rounds: int
    repaired_mcus: int
    broken: np.ndarray
    unreachable: dict[tuple[int, int], Unreachable] = field(default_factory=dict)
    proofs: dict[tuple[int, int], Unreachable] = field(default_factory=dict)
    over_budget: bool = False

    @property
    def consistent(self) -> bool:
        return not self.broken.any()


def set_aside(
    broken: np.ndarray, proved: dict[tuple[int, int], Unreachable], aside: np.ndarray
) -> dict[tuple[int, int], Unreachable]:
    """Move the ``proved`` MCUs from ``broken`` to ``aside`` (both bool (MCU rows, cols), in place)."""
    for row, col in proved:
        aside[row, col], broken[row, col] = True, False
    return proved


def repair_for_storage(
    image: torch.Tensor,
    code: CodeTensors,
    bit_depth: int,
    strip_pixels: int = STRIP_PIXELS,
    trial: bool = False,
    known: dict[tuple[int, int], Unreachable] | None = None,
    interrupt: Check = never,
    budget: int | None = None,
    optima: Optima | None = None,
) -> RepairResult:
    """PNG samples of ``image`` (1, C, H, W, float, [0, 255], any device) whose coefficients match ``code``
    (float64 tensors, N = 1) under :func:`target_encoder` when that is reachable at ``bit_depth``; else the
    best attempt, with the MCUs left broken and those set aside as out of reach (``unreachable``: proved
    under the reference encoder; at 8 bits only those beyond libjpeg's reach too). ``trial``: stop as soon
    as an MCU is proved out of the target encoder's reach (an attempt whose only use is to succeed).
    ``known``: proofs an earlier attempt found (``proofs``); those of MCUs rounding breaks again are set
    aside at once where they hold for the target encoder.

    The result does not depend on ``strip_pixels``: it bounds the float64 temporaries (about that many
    pixels per strip, or per band of a group of broken MCUs) next to the samples themselves. ``interrupt``:
    called between every two bounded pieces of work (:mod:`~explorer_app.verify.interrupt`), whose
    Interrupted stops the repair. ``budget``: when rounding breaks more MCUs than this, the attempt is
    abandoned at once (``over_budget``; every one of them left broken): the search's work grows with them.
    ``optima``: programme optima the caller remembers (:class:`~explorer_app.verify.proofs.Optima`).
    """
    encoder = target_encoder(bit_depth)
    optima = Optima() if optima is None else optima
    samples, broken = store(image, code, bit_depth, encoder, strip_pixels, interrupt)
    repaired_mcus = int(broken.sum())  # only these are ever stored again, so no other MCU can break
    if budget is not None and repaired_mcus > budget:
        return RepairResult(samples, encoder, 0, repaired_mcus, broken, over_budget=True)
    channels = samples.shape[2]
    aside = np.zeros_like(broken)
    ruled_out = {mcu: proof for mcu, proof in (known or {}).items() if broken[mcu]}
    ruled_out |= prove_unreachable(code, channels, broken, examined=0)
    unreachable = set_aside(
        broken, {mcu: u for mcu, u in ruled_out.items() if encoder is REFERENCE or u.beyond_libjpeg}, aside
    )
    if trial and unreachable:
        return RepairResult(samples, encoder, 0, repaired_mcus, broken | aside, unreachable, ruled_out)
    rounds = 0
    margin = MARGINS[bit_depth][0]
    for _ in range(PROJECTION_ROUNDS[bit_depth]):
        if not broken.any():
            break
        bands = project(samples, broken, code, margin, bit_depth, encoder, strip_pixels, interrupt)
        guard = guard_for(encoder, margin)
        cores = [group.core for group in bands]
        check_windows(samples, broken, cores, code, bit_depth, encoder, guard, strip_pixels, interrupt)
        rounds += 1
    if encoder is LIBJPEG:
        if broken.any() and not unreachable and room_bits(code) >= SEARCH_ROOM_BITS:
            found = integer_repair(samples, broken, code, optima, trial, interrupt)
            ruled_out |= found
            unreachable |= set_aside(broken, {mcu: u for mcu, u in found.items() if u.beyond_libjpeg}, aside)
            rounds += 1
            proved = np.zeros_like(broken)  # out of the reference's reach: a polish against it cannot help
            for row, col in found:
                proved[row, col] = True
            polished = broken & ~proved
            for margin in MARGINS[bit_depth][: 0 if unreachable or (trial and (broken & proved).any()) else None]:
                if not polished.any() or broken.sum() > POLISHED_MCUS:
                    break
                polish(samples, polished, code, margin, bit_depth, encoder, interrupt=interrupt)
                rounds += 1
            broken = polished | (broken & proved)
        return RepairResult(samples, encoder, rounds, repaired_mcus, broken | aside, unreachable, ruled_out)
    for margin in MARGINS[bit_depth][: 1 if unreachable else None]:
        if not broken.any():
            break
        steps = HOPELESS_STEPS if unreachable else None
        polish(samples, broken, code, margin, bit_depth, encoder, steps, interrupt)
        rounds += 1
    return RepairResult(samples, encoder, rounds, repaired_mcus, broken | aside, unreachable, ruled_out)


def prove_what_stays_broken(
    result: RepairResult, code: CodeTensors, optima: Optima | None = None, interrupt: Check = never
) -> RepairResult:
    """``result`` with those of its broken MCUs that linear programming proves out of reach under the
    reference encoder (saturated blocks) moved to ``unreachable``, until it holds :data:`EXAMINED_MCUS`
    such proofs (an 8-bit attempt's count): done once, for the attempt an export keeps when it does not
    verify and no proof beyond libjpeg's reach settled why. Optima are remembered in ``optima``."""
    left = result.broken.copy()
    for mcu in result.unreachable:
        left[mcu] = False
    budget = EXAMINED_MCUS - sum(proof.exact for proof in result.unreachable.values())
    beyond = any(proof.beyond_libjpeg for proof in result.unreachable.values())
    if result.encoder is not REFERENCE or not left.any() or beyond or budget <= 0:
        return result
    found = prove_unreachable(code, result.samples.shape[2], left, budget, optima, interrupt)
    return replace(result, unreachable=result.unreachable | found)
