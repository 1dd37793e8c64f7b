"""Verified PNG export of a decoder output, with its JSON report beside it."""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import torch

from ..atomic import atomic_write_bytes
from ..codec.jpeg_code import JpegCode
from ..verify.png_io import encode_png, read_png_samples
from ..verify.reference_encoder import code_tensors64
from ..verify.report import VerificationReport
from ..verify.tiles import mcu_grid
from ..verify.verifier import verify_image
from .repair import repair_for_storage


class ExportError(ValueError):
    """The export was refused; the message is one line for the user."""


class ExportCancelled(ExportError):
    """The export was cancelled (see ``export_verified``'s ``cancelled``); no file was left behind."""


EXPORT_STAGES = 4
"""repair and write, read back, verify, report: ``progress(done, EXPORT_STAGES)`` is called after each."""


def report_path(png_path: str | os.PathLike) -> Path:
    """Where the JSON report of an export goes: ``photo.png`` → ``photo.png.json``."""
    return Path(f"{png_path}.json")


def check_delta(delta: torch.Tensor | None, name: str) -> None:
    """Refuse a decoder output whose Δ leaves [−½, ½]: such an image is not consistent with the file."""
    if delta is not None and bool((delta.abs() > 0.5).any()):
        count = int((delta.abs() > 0.5).sum())
        raise ExportError(f"the decoder output is inconsistent with the file: {count} {name} coefficients "
                          "lie outside their quantization interval")


def _check_destination(path: Path, code: JpegCode) -> None:
    if code.source and path.exists() and path.resolve() == Path(code.source).resolve():
        raise ExportError(f"{path}: refusing to overwrite the source JPEG")
    if not path.parent.exists():
        raise ExportError(f"{path.parent}: no such folder")


def _write_repaired(output: dict[str, torch.Tensor | None], code: JpegCode, path: Path, bit_depth: int) -> str:
    """Repair the decoder output for storage and write it atomically as a PNG; returns the repair's note."""
    tensors = code_tensors64(code)
    repaired = repair_for_storage(output["image"], tensors, bit_depth)
    atomic_write_bytes(path, encode_png(repaired.samples))
    rows, cols = mcu_grid(tensors)
    return (f"repair rounds: {repaired.rounds} (rounding to {bit_depth} bits broke {repaired.repaired_mcus} of "
            f"{rows * cols} MCUs; only those were re-rendered)")


def export_verified(output: dict[str, torch.Tensor | None], code: JpegCode, path: str | os.PathLike,
                    bit_depth: int = 16, model: dict[str, str] | None = None,
                    history: list[dict[str, object]] | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> VerificationReport:
    """Write ``output`` (a decoder forward dict, N = 1) as a PNG at ``path`` and its report beside it.

    The Δ maps must lie in [−½, ½]; rounding and clipping damage is repaired; the written file is read
    back and verified, and the report (also returned) says honestly whether it matches the file.
    Memory: the PNG's samples (H·W·C·bit_depth/8 bytes), twice while written and read back, plus strips.
    ``progress(done, EXPORT_STAGES)`` follows the stages; when ``cancelled()`` is true between two of
    them, the PNG is removed and ExportCancelled raised.
    """
    path = Path(path)

    def stage(done: int) -> None:
        if progress is not None:
            progress(done, EXPORT_STAGES)
        if cancelled is not None and cancelled():
            path.unlink(missing_ok=True)
            raise ExportCancelled(f"{path.name}: export cancelled")

    _check_destination(path, code)
    check_delta(output["delta_y"], "luma")
    check_delta(output.get("delta_c"), "chroma")
    repair_note = _write_repaired(output, code, path, bit_depth)
    stage(1)
    stored, stored_depth = read_png_samples(path)
    stage(2)
    report = verify_image(stored, stored_depth, code, str(path))
    stage(3)
    report.model = model
    report.history = history or []
    report.notes.append(repair_note)
    if not report.verified and bit_depth == 16:
        report.notes.append("the repair found no image within [0, 255] for these coefficients: in saturated "
                            "blocks libjpeg's integer encoder can produce codes the float reference encoder only "
                            "reaches with values beyond 0 or 255, which a PNG cannot store")
    if not report.verified and bit_depth == 8:
        report.notes.append("8-bit storage cannot reach every coefficient of this file (fine quantization "
                            "steps); export at 16 bits for a fully consistent image")
    atomic_write_bytes(report_path(path), json.dumps(report.as_dict(), indent=2).encode())
    if progress is not None:
        progress(EXPORT_STAGES, EXPORT_STAGES)
    return report
