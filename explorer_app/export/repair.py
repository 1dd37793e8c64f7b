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
integers (:mod:`.integer_repair`), the polish only for the few MCUs it leaves. An 8-bit attempt for another
local pipeline that writes files (the writer an export is told of: IJG 7-9's scaled chroma, the float and
ifast DCTs) projects and polishes with that pipeline as the judge; the integer search, which models
libjpeg's islow DCT of box-averaged chroma, is left out.
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

from collections.abc import Callable
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


@dataclass
class Attempt:
    """One repair attempt's state, which its stages read and change in place: samples (H, W, C) of the PNG,
    broken and aside bool (MCU rows, cols) — MCUs the encoder does not reproduce yet, and those set aside as
    out of reach — the proofs of the MCUs set aside (unreachable) and every proof found (ruled_out), the
    rounds run, and the MCUs the integer search proved out of the reference encoder's reach (None: no
    search ran)."""

    samples: np.ndarray
    broken: np.ndarray
    aside: np.ndarray
    unreachable: dict[tuple[int, int], Unreachable] = field(default_factory=dict)
    ruled_out: dict[tuple[int, int], Unreachable] = field(default_factory=dict)
    rounds: int = 0
    proved_by_search: np.ndarray | None = None

    def set_aside(self, proofs: dict[tuple[int, int], Unreachable]) -> None:
        """Move the MCUs of ``proofs`` from ``broken`` to ``aside``, keeping their proofs."""
        for row, col in proofs:
            self.aside[row, col], self.broken[row, col] = True, False
        self.unreachable |= proofs

    def result(self, encoder: Encoder, repaired_mcus: int) -> RepairResult:
        return RepairResult(
            self.samples,
            encoder,
            self.rounds,
            repaired_mcus,
            self.broken | self.aside,
            self.unreachable,
            self.ruled_out,
        )


@dataclass(frozen=True)
class Job:
    """What every stage of one attempt needs besides its state (see :func:`repair_for_storage`)."""

    code: CodeTensors
    bit_depth: int
    encoder: Encoder
    strip_pixels: int
    trial: bool
    optima: Optima
    interrupt: Check


Stage = Callable[[Attempt, Job], None]


def projection_rounds(attempt: Attempt, job: Job) -> None:
    """Alternating projections on windows around the broken MCUs, :data:`PROJECTION_ROUNDS` times at most,
    each followed by an exact check of the windows it moved."""
    margin = MARGINS[job.bit_depth][0]
    guard = guard_for(job.encoder, margin)
    for _ in range(PROJECTION_ROUNDS[job.bit_depth]):
        if not attempt.broken.any():
            return
        samples, broken, pixels = attempt.samples, attempt.broken, job.strip_pixels
        bands = project(samples, broken, job.code, margin, job.bit_depth, job.encoder, pixels, job.interrupt)
        cores = [group.core for group in bands]
        check_windows(samples, broken, cores, job.code, job.bit_depth, job.encoder, guard, pixels, job.interrupt)
        attempt.rounds += 1


def integer_search(attempt: Attempt, job: Job) -> None:
    """libjpeg's integers searched for the MCUs still broken (:mod:`.integer_repair`), unless one is already
    set aside or the file leaves too little room (:data:`SEARCH_ROOM_BITS`); MCUs it proves beyond
    libjpeg's reach are set aside, those it proves beyond the reference encoder's are noted in
    ``proved_by_search`` for the polish to leave alone."""
    if not attempt.broken.any() or attempt.unreachable or room_bits(job.code) < SEARCH_ROOM_BITS:
        return
    found = integer_repair(attempt.samples, attempt.broken, job.code, job.optima, job.trial, job.interrupt)
    attempt.ruled_out |= found
    attempt.set_aside({mcu: proof for mcu, proof in found.items() if proof.beyond_libjpeg})
    attempt.rounds += 1
    attempt.proved_by_search = np.zeros_like(attempt.broken)
    for row, col in found:
        attempt.proved_by_search[row, col] = True


def polish_after_search(attempt: Attempt, job: Job) -> None:
    """The gradient polish, margin after margin, of the MCUs the integer search left broken and did not prove
    out of reach, when they are few (:data:`POLISHED_MCUS`); nothing when no search ran, an MCU was set
    aside, or a trial attempt met an MCU the search proved out of reach."""
    proved = attempt.proved_by_search
    if proved is None:
        return
    polished = attempt.broken & ~proved
    hopeless = bool(attempt.unreachable) or (job.trial and bool((attempt.broken & proved).any()))
    for margin in () if hopeless else MARGINS[job.bit_depth]:
        if not polished.any() or attempt.broken.sum() > POLISHED_MCUS:
            break
        polish(attempt.samples, polished, job.code, margin, job.bit_depth, job.encoder, interrupt=job.interrupt)
        attempt.rounds += 1
    attempt.broken = polished | (attempt.broken & proved)


def polish_rounds(attempt: Attempt, job: Job) -> None:
    """The gradient polish of every broken MCU, margin after margin; once an MCU is set aside, one round of
    :data:`HOPELESS_STEPS` steps only (the attempt cannot verify: it mends what rounding broke elsewhere)."""
    hopeless = bool(attempt.unreachable)
    for margin in MARGINS[job.bit_depth][:1] if hopeless else MARGINS[job.bit_depth]:
        if not attempt.broken.any():
            return
        steps = HOPELESS_STEPS if hopeless else None
        polish(attempt.samples, attempt.broken, job.code, margin, job.bit_depth, job.encoder, steps, job.interrupt)
        attempt.rounds += 1


def stages(bit_depth: int, encoder: Encoder) -> tuple[Stage, ...]:
    """The repair's stages, run in turn after rounding and setting aside what is out of reach at once: the
    16-bit attempt needs only the polish (see :data:`PROJECTION_ROUNDS`); libjpeg's 8-bit attempt projects,
    searches its integers, and polishes what the search leaves; an 8-bit attempt for another pipeline
    projects and polishes (the integer search models libjpeg's pipeline only)."""
    if bit_depth == 16:
        return (polish_rounds,)
    if encoder is LIBJPEG:
        return (projection_rounds, integer_search, polish_after_search)
    return (projection_rounds, polish_rounds)


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
    encoder: Encoder | None = None,
) -> RepairResult:
    """PNG samples of ``image`` (1, C, H, W, float, [0, 255], any device) whose coefficients match ``code``
    (float64 tensors, N = 1) under ``encoder`` (None: :func:`target_encoder`; another must be local and, at 8
    bits, take 8-bit samples) when that is reachable at ``bit_depth``; else the
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
    encoder = target_encoder(bit_depth) if encoder is None else encoder
    if encoder.prepare is not None or encoder.eight_bit != (bit_depth == 8):
        raise ValueError(f"{encoder.name} is no repair target at {bit_depth} bits")
    job = Job(code, bit_depth, encoder, strip_pixels, trial, Optima() if optima is None else optima, interrupt)
    samples, broken = store(image, code, bit_depth, encoder, strip_pixels, interrupt)
    repaired_mcus = int(broken.sum())  # only these are ever stored again, so no other MCU can break
    if budget is not None and repaired_mcus > budget:
        return RepairResult(samples, encoder, 0, repaired_mcus, broken, over_budget=True)
    attempt = Attempt(samples, broken, np.zeros_like(broken))
    attempt.ruled_out = {mcu: proof for mcu, proof in (known or {}).items() if broken[mcu]}
    attempt.ruled_out |= prove_unreachable(code, samples.shape[2], broken, examined=0)
    attempt.set_aside({mcu: u for mcu, u in attempt.ruled_out.items() if encoder is REFERENCE or u.beyond_libjpeg})
    if not (trial and attempt.unreachable):
        for stage in stages(bit_depth, encoder):
            stage(attempt, job)
    return attempt.result(encoder, repaired_mcus)


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
