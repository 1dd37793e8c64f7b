"""Verified PNG export of a decoder output, with its JSON report beside it, written as a pair.

The PNG's bytes are made and verified in memory (the very bytes the file will hold), then the report and
the PNG are written together (:func:`~explorer_app.atomic.write_pair`): a PNG never exists without its
report, and never beside another export's. No export writes over its source under any name.

Bit depth (docs/verification.md): 8 bits are repaired for libjpeg's integer pipeline, 16 bits for the
reference encoder. Left to choose (``bit_depth=None``), the export is 8-bit when libjpeg's pipeline then
reproduces the file (an image anyone can re-check with libjpeg), else 16-bit. 8 bits are tried first when
the file leaves 8-bit samples room (:func:`~.repair.room_bits` at least :data:`EIGHT_BIT_ROOM_BITS`, about
IJG quality 93 and coarser); for finer files 16 bits first, and 8 bits only if 16 do not verify. A named
writer of the file that is a local 8-bit pipeline (:mod:`.writer`) gets an 8-bit attempt of its own first,
with the same budget; when it falls short the export goes on as above, and a note says why.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import torch

from ..atomic import write_pair
from ..codec.jpeg_code import JpegCode
from ..decoder.code_tensors import CodeTensors
from ..decoder.output import DecoderOutput
from ..verify.encoders import LIBJPEG, Encoder
from ..verify.interrupt import Check, Interrupted, checker, never, polled
from ..verify.png_io import decode_png
from ..verify.png_writer import encode_png
from ..verify.proofs import Optima
from ..verify.reference_encoder import code_tensors64
from ..verify.report import VerificationReport
from ..verify.tiles import mcu_grid
from ..verify.verifier import verify_image
from .repair import (
    EXAMINED_MCUS,
    SEARCH_ROOM_BITS,
    RepairResult,
    prove_what_stays_broken,
    repair_for_storage,
    room_bits,
)
from .stored import estimated_breaks
from .writer import writer_target

EIGHT_BIT_ROOM_BITS = 160.0
"""Left to choose, an export tries 8 bits first for files with at least this much room (IJG quality 93 and
coarser); finer files try 16 bits first, which is fast and nearly always exact there, and 8 bits only when
16 bits falls short (saturated blocks) and the file leaves any room for a search."""
EIGHT_BIT_MCUS = 256
"""Left to choose, the 8-bit attempt is made only when rounding to 8 bits breaks at most this many MCUs:
its search costs a few ms per broken MCU, the 16-bit repair a few hundredths of that, so on a photo whose
rounding breaks thousands of MCUs the search would take nearly all of the export's time. A count, not a
clock: the same file and image always take the same path."""
LAST_RESORT_MCUS = 1024
"""The budget of the 8-bit attempt made after a 16-bit export fell short (saturated blocks at fine quality):
the search mends a few MCUs per 10 ms, so this bounds the attempt to a few seconds whatever the file's size,
and a default export decides any file in about the same time. Beyond it the export stays 16-bit, NOT
VERIFIED, and its remedy offers --bit-depth 8 (no budget when asked for). A fine file whose rounding breaks
most of its MCUs at 8 bits is declined rather than searched: the search rarely reaches every one of so many
(the 512×512 astronaut at quality 95 4:4:4, about 3,400 of 4,096, is NOT VERIFIED either way)."""
SCREENED_ROWS = 8
"""The 8-bit breakage is first estimated from one MCU row in this many (an eighth of libjpeg's encode of the
image), so that a photo the 8-bit attempt cannot afford costs little more than its 16-bit export."""


class ExportError(ValueError):
    """The export was refused and nothing was written; the message is one line for the user."""


class ExportCancelled(ExportError):  # noqa: N818 - named like engine.progress.Cancelled
    """The export was cancelled (see ``export_verified``'s ``cancelled``); no file was left behind."""


EXPORT_STAGES = 4
"""repair, encode and read back, verify, write the pair: ``progress(done, EXPORT_STAGES)`` after each."""


def report_path(png_path: str | os.PathLike) -> Path:
    """Where the JSON report of an export goes: ``photo.png`` → ``photo.png.json``."""
    return Path(f"{png_path}.json")


def check_delta(delta: torch.Tensor | None, name: str) -> None:
    """Refuse a decoder output whose Δ leaves [−½, ½] (NaN included): such an image is not consistent with
    the file."""
    outside = None if delta is None else ~(delta.abs() <= 0.5)
    if outside is not None and bool(outside.any()):
        count = int(outside.sum())
        raise ExportError(
            f"the decoder output is inconsistent with the file: {count} {name} coefficients "
            "lie outside their quantization interval"
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_destination(path: str | os.PathLike, source: str) -> None:
    """Refuse, before any work, an export to ``path`` (and its report) that could not be written, or that
    would write over ``source`` under any name (the same path, a link to it, its report's name)."""
    path = Path(path)
    for target in (path, report_path(path)):
        if source and (_same_file(target, Path(source)) or target.resolve() == Path(source).resolve()):
            raise ExportError(f"{target}: is the input {source} (or its name); refusing to overwrite it")
        if target.is_dir():
            raise ExportError(f"{target}: is a folder")
    if not path.parent.is_dir():
        raise ExportError(f"{path.parent}: no such folder")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ExportError(f"{path.parent}: not writable")


def repair(
    output: DecoderOutput,
    tensors: CodeTensors,
    bit_depth: int | None,
    optima: Optima,
    interrupt: Check = never,
) -> tuple[RepairResult, RepairResult | None]:
    """Repaired samples at ``bit_depth``, or, with None, at 8 bits when libjpeg then reproduces the file,
    else at 16 bits (the order of the attempts: see the module's docstring); and the 8-bit attempt that fell
    short, if one did. An 8-bit attempt stops at the first MCU proved beyond libjpeg's reach, and none is
    made after a 16-bit one that found such an MCU. Programme optima are remembered in ``optima``."""
    if bit_depth is not None:
        alone = repair_for_storage(output.image, tensors, bit_depth, interrupt=interrupt, optima=optima)
        return prove_what_stays_broken(alone, tensors, optima, interrupt), None
    room, eight, declined = room_bits(tensors), None, False
    if room >= EIGHT_BIT_ROOM_BITS:
        eight = eight_bit_trial(output, tensors, EIGHT_BIT_MCUS, optima, interrupt)
        declined = eight is None
        if eight is not None and eight.consistent:
            return eight, None
    known = None if eight is None else eight.proofs
    sixteen = repair_for_storage(output.image, tensors, 16, known=known, interrupt=interrupt, optima=optima)
    hopeless = any(proof.beyond_libjpeg for proof in sixteen.unreachable.values())
    if sixteen.consistent or eight is not None or declined or room < SEARCH_ROOM_BITS or hopeless:
        return prove_what_stays_broken(sixteen, tensors, optima, interrupt), eight
    eight = eight_bit_trial(output, tensors, LAST_RESORT_MCUS, optima, interrupt)
    if eight is not None and eight.consistent:
        return eight, None
    return prove_what_stays_broken(sixteen, tensors, optima, interrupt), eight


def eight_bit_trial(
    output: DecoderOutput,
    tensors: CodeTensors,
    budget: int,
    optima: Optima,
    interrupt: Check = never,
    encoder: Encoder = LIBJPEG,
) -> RepairResult | None:
    """The 8-bit attempt for ``encoder`` of an export left to choose (or of a named writer), made only to
    succeed; None when it is not worth making: rounding to 8 bits breaks more than ``budget`` MCUs under
    ``encoder``, estimated first from one MCU row in :data:`SCREENED_ROWS`, then counted."""
    if estimated_breaks(output.image, tensors, 8, encoder, SCREENED_ROWS, interrupt) > budget:
        return None
    eight = repair_for_storage(
        output.image, tensors, 8, trial=True, interrupt=interrupt, budget=budget, optima=optima, encoder=encoder
    )
    return None if eight.over_budget else eight


def repair_for_writer(
    output: DecoderOutput, tensors: CodeTensors, writer: Encoder, optima: Optima, interrupt: Check = never
) -> tuple[RepairResult | None, str]:
    """The 8-bit attempt for a named ``writer`` (a local 8-bit pipeline, :func:`~.writer.writer_target`)
    with the auto export's budget (:data:`EIGHT_BIT_MCUS`): (the result when ``writer`` reproduces the file
    from it, else None; why it was given up, else "")."""
    given_up = f"the 8-bit attempt repaired for {writer.name}, the file's named writer,"
    if room_bits(tensors) < SEARCH_ROOM_BITS:
        return None, f"{given_up} was not made: this quality leaves 8-bit samples no room to search"
    eight = eight_bit_trial(output, tensors, EIGHT_BIT_MCUS, optima, interrupt, writer)
    if eight is None:
        return None, f"{given_up} was not made: rounding to 8 bits breaks more than {EIGHT_BIT_MCUS} MCUs"
    if not eight.consistent:
        left = int(eight.broken.sum())
        return None, f"{given_up} left {left} of the {eight.repaired_mcus} MCUs rounding broke"
    return eight, ""


def repair_note(repaired: RepairResult, tensors: CodeTensors) -> str:
    rows, cols = mcu_grid(tensors)
    return (
        f"repaired for {repaired.encoder.name} at {8 * repaired.samples.itemsize} bits in {repaired.rounds} "
        f"rounds: rounding broke {repaired.repaired_mcus} of {rows * cols} MCUs, only those were re-rendered"
    )


def remedy(report: VerificationReport, repaired: RepairResult, eight_bit_tried: bool, room: float) -> str:
    """What the user can do about an export that does not verify ("" when it does); ``room``: the file's
    :func:`~.repair.room_bits`."""
    if report.verified:
        return ""
    bits = 8 * repaired.samples.itemsize
    left = int(repaired.broken.sum())
    impossible = [proof for proof in repaired.unreachable.values() if proof.beyond_libjpeg]
    if impossible:
        worst = max(impossible, key=lambda proof: proof.excess)
        return (
            f"{len(impossible)} MCUs hold coefficients that no image gives under either encoder, at 8 or 16 "
            f"bits ({'at least ' if not worst.exact else ''}{worst.excess:.1f} steps beyond anything an image "
            "within [0, 255] produces; listed in the report): the file was damaged or altered after it was "
            "encoded, and no export of it can verify"
        )
    if bits == 8:
        return (
            f"the 8-bit repair left {left} MCUs that libjpeg's pipeline does not bring back to the file's "
            "coefficients (fine quantization or saturated colours leave 8-bit samples little room); export at "
            "16 bits (--bit-depth 16) for an image the reference encoder reproduces"
        )
    saturated = len(repaired.unreachable)
    if saturated == left:
        if eight_bit_tried:
            advice = (
                "the 8-bit export, repaired for libjpeg's pipeline (which wrote them), did not reach every "
                "coefficient either"
            )
        elif room < SEARCH_ROOM_BITS:
            advice = (
                "at this quality the only 8-bit image libjpeg maps to these blocks is essentially the "
                "original, which no search can find: nothing else to try"
            )
        else:
            advice = "try --bit-depth 8: libjpeg's pipeline, which wrote them, can reach them in 8-bit samples"
        return (
            f"{saturated} saturated MCUs no in-range image reaches under the reference encoder (listed in the "
            f"report); {advice}"
        )
    return (
        f"the repair left {left - saturated} MCUs broken that no proof puts out of reach (at most "
        f"{EXAMINED_MCUS} are examined by linear programming); the report lists them"
    )


def export_verified(
    output: DecoderOutput,
    code: JpegCode,
    path: str | os.PathLike,
    bit_depth: int | None = 16,
    model: dict[str, str | None] | None = None,
    history: list[dict[str, object]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    optima: Optima | None = None,
    writer: Encoder | None = None,
) -> VerificationReport:
    """Write ``output`` (a decode, N = 1) as a PNG at ``path`` and its report beside it.

    ``bit_depth``: 8, 16, or None to choose (see the module's docstring). The Δ maps must lie in [−½, ½];
    rounding and clipping damage is repaired; the PNG's bytes are verified before they are written, and the
    report (also returned) says honestly whether they match the file, and if not why and what to do.
    Raises ExportError (nothing written) or OSError (nothing changed). Memory: the PNG's samples
    (H·W·C·bit_depth/8 bytes) about three times, plus strips. ``progress(done, EXPORT_STAGES)`` follows
    the stages. ``cancelled()`` is polled between every two bounded pieces of work of every stage (a strip, a
    batch of MCUs, a few polish steps or moves, one linear programme: :mod:`~explorer_app.verify.interrupt`);
    once it is true, ExportCancelled is raised and nothing is written. ``optima``: linear-programme optima
    the caller remembers across exports of one file (:class:`~explorer_app.verify.proofs.Optima`; a new one
    with None): they save work, and the report is the same without them. ``writer``: the encoder that wrote
    the file, when known (see :mod:`.writer`): the export is repaired for it where it can be, and its report
    judges it over the whole image.
    """
    path = Path(path)
    try:
        optima = Optima() if optima is None else optima
        interrupt = checker(cancelled)
        return _export(output, code, path, bit_depth, model, history, progress, interrupt, optima, writer)
    except Interrupted:
        raise ExportCancelled(f"{path.name}: export cancelled, nothing written") from None


def _export(
    output: DecoderOutput,
    code: JpegCode,
    path: Path,
    bit_depth: int | None,
    model: dict[str, str | None] | None,
    history: list[dict[str, object]] | None,
    progress: Callable[[int, int], None] | None,
    interrupt: Check,
    optima: Optima,
    writer: Encoder | None,
) -> VerificationReport:
    def stage(done: int) -> None:
        if progress is not None:
            progress(done, EXPORT_STAGES)
        interrupt()

    check_destination(path, code.source)
    check_delta(output.delta_y, "luma")
    check_delta(output.delta_c, "chroma")
    tensors = code_tensors64(code)
    target = writer_target(writer, bit_depth)
    kept, note = (None, target.note)
    if target.encoder is not None:
        kept, note = repair_for_writer(output, tensors, target.encoder, optima, interrupt)
    repaired, eight_bit = (kept, None) if kept is not None else repair(output, tensors, bit_depth, optima, interrupt)
    stage(1)
    png = polled(lambda: encode_png(repaired.samples), interrupt)
    samples, depth = polled(lambda: decode_png(png, str(path)), interrupt)
    stage(2)
    digest = hashlib.sha256(png).hexdigest()
    report = verify_image(samples, depth, code, str(path), digest, repaired.unreachable, interrupt, optima, writer)
    report.model = model
    report.history = history or []
    report.repaired_for = repaired.encoder.key
    report.notes += [repair_note(repaired, tensors)] + ([note] if note else [])
    report.remedy = remedy(report, repaired, eight_bit is not None, room_bits(tensors))
    stage(3)
    write_pair((report_path(path), json.dumps(report.as_dict(), indent=2).encode()), (path, png))
    if progress is not None:
        progress(EXPORT_STAGES, EXPORT_STAGES)
    return report
