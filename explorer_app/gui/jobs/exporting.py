"""The background job that exports the current image as a verified PNG, stage by stage, cancellable
between stages."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

from ...engine.progress import Cancelled
from ...engine.session import Session
from ...export.exporter import EXPORT_STAGES, ExportCancelled
from ...verify.encoders import Encoder
from ...verify.report import VerificationReport
from .runner import JobControl, Progress

EXPORT_STAGE_NAMES = ("repairing rounding", "encoding and reading back", "verifying", "writing the PNG and its report")


def export_job(
    control: JobControl, session: Session, path: Path, bit_depth: int | None, writer: Encoder | None = None
) -> Generator[Progress, None, tuple[Path, VerificationReport]]:
    """Write the session's current image as a verified PNG (and its JSON report) at 8 or 16 bits (None:
    chosen by what verifies), repaired for ``writer`` where it can be (None: not known); returns where and
    the report. Cancel works between the export's stages; nothing is written then."""
    total = EXPORT_STAGES + 1
    yield Progress(0, total, stage="rendering the image")

    def stage(done: int, _: int) -> None:
        control.stage = EXPORT_STAGE_NAMES[min(done, EXPORT_STAGES - 1)]
        control.progress(done + 1, total)

    control.stage = EXPORT_STAGE_NAMES[0]
    control.progress(1, total)
    try:
        report = session.export(path, bit_depth, progress=stage, cancelled=control.cancelled, writer=writer)
    except ExportCancelled:
        raise Cancelled from None
    return path, report
