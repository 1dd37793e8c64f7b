"""The exploration's background jobs: an edit with live previews, then committed or ranked into
candidates; keeping a candidate; undo/redo; the ambiguity map. Each returns only the part of the image
that changed, ready to paste, so nothing the size of the photo is done on the GUI thread."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import torch
from PyQt6.QtGui import QImage

from ...codec import to_display
from ...codec.jpeg_code import JpegCode
from ...engine.ambiguity import ambiguity_map
from ...engine.optimize import Budget, EditResult
from ...engine.regions import Region
from ...engine.session import Session
from ...engine.tools import Tool
from ..canvas.images import map_image
from ..model.candidates import Candidate, CandidateSet, Changed, Ranked, Shown
from ..model.geometry import file_rect_to_display
from ..model.maps import display_image, heat_rgba, stretch
from .runner import JobControl, Progress

PREVIEW_INTERVAL_S = 0.1
"""At most ten live previews a second: the canvas should not spend the optimization's time."""


def file_pixels(image: torch.Tensor) -> np.ndarray:
    """(1, C, H, W) float tensor → float (H, W, C) numpy on the CPU."""
    return image[0].detach().to("cpu", torch.float32).permute(1, 2, 0).numpy()


def display_patch(pixels: np.ndarray, y: int, x: int, code: JpegCode) -> Shown:
    """Float (h, w, C) file-orientation pixels whose top-left is file pixel (y, x), cut at the image's
    edge → the patch as displayed."""
    h, w = min(pixels.shape[0], code.height - y), min(pixels.shape[1], code.width - x)
    left, top = file_rect_to_display(x, y, w, h, code.orientation, code.height, code.width)
    return Shown(display_image(pixels[:h, :w], code.orientation), left, top)


def consistent(session: Session) -> bool:
    """Whether every Δ of the session's state lies in [−½, ½] (every coefficient re-quantizes)."""
    return all(bool((d.abs() <= 0.5).all()) for d in (session.state.delta_y, session.state.delta_c) if d is not None)


def changed_part(session: Session, rows: slice, cols: slice, record: dict[str, object] | None = None) -> Changed:
    """The session's current pixels in ``rows`` × ``cols`` as a :class:`Changed`."""
    pixels = file_pixels(session.image[:, :, rows, cols])
    return Changed(display_patch(pixels, rows.start, cols.start, session.code), consistent(session), record)


Ranking = Callable[[Session, EditResult, Region], tuple[list[Ranked], str]]
"""A multi-candidate panel's ranking; runs in the worker thread, so it must not touch Qt."""


def thumbnail(result: EditResult, index: int, region: Region, orientation: int, margin: int = 4) -> np.ndarray:
    """Candidate ``index``'s window preview cropped to the region's bounding box (plus ``margin``)."""
    y0, y1, x0, x1 = region.bounds()
    top, left = result.window.pixel_origin
    pixels = file_pixels(result.preview[index : index + 1])
    crop = pixels[max(0, y0 - margin - top) : y1 + margin - top, max(0, x0 - margin - left) : x1 + margin - left]
    return display_image(crop, orientation)


def edit_job(
    control: JobControl, session: Session, tool: Tool, region: Region, budget: Budget, rank: Ranking | None
) -> Generator[Progress, None, Changed | CandidateSet | None]:
    """Optimize ``tool`` on ``region`` yielding progress and throttled previews. Then, without ``rank``:
    commit the result with what it reached (one undo step) and return what changed; with ``rank``:
    return the ranked candidates, each ready to show. Stops between steps when cancelled."""
    edit = session.edit(tool, region, budget)
    code = session.code
    last = 0.0
    for step in edit.run():
        now = time.monotonic()
        preview = None
        if now - last >= PREVIEW_INTERVAL_S:
            preview, last = display_patch(file_pixels(step.preview[:1]), *step.origin, code), now
        yield Progress(step.step, budget.steps, preview)
    if edit.result is None:
        return None
    if rank is None:
        yield Progress(budget.steps, budget.steps, stage="committing")
        entry = session.finish(edit)
        return changed_part(session, *session.changed_pixels(entry), record=entry.record)
    yield Progress(budget.steps, budget.steps, stage="ranking the candidates")
    ranked, verdict = rank(session, edit.result, region)
    found = []
    for r in ranked:
        crop, (y, x) = session.patched_window(r.patch)
        found.append(
            Candidate(
                edit.result,
                r.index,
                r.label,
                r.score,
                r.score_text,
                r.consistent,
                r.patch,
                display_patch(file_pixels(crop), y, x, code),
                thumbnail(edit.result, r.index, region, code.orientation),
                len(ranked),
            )
        )
    return CandidateSet(found, verdict)


def keep_job(
    control: JobControl, session: Session, candidate: Candidate, notes: dict[str, object]
) -> Generator[Progress, None, Changed]:
    """Commit a candidate (its exact patch is known) with ``notes`` in its history record."""
    yield Progress(0, 1, stage="keeping the candidate")
    entry = session.commit(candidate.result, candidate.index, candidate.patch, notes)
    return changed_part(session, *session.changed_pixels(entry), record=entry.record)


def history_job(control: JobControl, session: Session, position: int) -> Generator[Progress, None, Changed]:
    """Undo or redo until ``position`` edits are done; returns the part of the image that changed."""
    history = session.history
    yield Progress(0, abs(position - history.position))
    windows = []
    while history.position > position:
        windows.append(session.changed_pixels(history.entries[history.position - 1]))
        session.undo()
    while history.position < position:
        windows.append(session.changed_pixels(history.entries[history.position]))
        session.redo()
    rows = slice(min(r.start for r, _ in windows), max(r.stop for r, _ in windows))
    cols = slice(min(c.start for _, c in windows), max(c.stop for _, c in windows))
    return changed_part(session, rows, cols)


@dataclass(frozen=True)
class MapShown:
    """A map ready for the canvas (an RGBA QImage in display orientation) and the values at the ends of
    its colour ramp."""

    image: QImage
    low: float
    high: float


def ambiguity_job(
    control: JobControl, session: Session, region: Region | None, count: int
) -> Generator[Progress, None, MapShown]:
    """Per-pixel spread (grey levels) of ``count`` random-z decodes, as a map over the displayed image."""
    yield Progress(0, 1, stage=f"{count} random decodes")
    spread = ambiguity_map(session, count=count, region=region).cpu().numpy()
    yield Progress(1, 1, stage="drawing the map")
    values, low, high = stretch(spread)
    return MapShown(map_image(heat_rgba(to_display(values, session.code.orientation))), low, high)
