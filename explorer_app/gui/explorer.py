"""The window's bridge to the engine's Session: edits run as background jobs with live previews; results
are committed, or offered as candidates; undo/redo. Every job returns only the part of the image that
changed, ready to paste, so nothing the size of the photo is done on the GUI thread."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QImage

from ..codec import to_display
from ..codec.jpeg_code import JpegCode
from ..engine.ambiguity import ambiguity_map
from ..engine.optimize import Budget, EditResult
from ..engine.regions import Region
from ..engine.session import Session
from ..engine.state import Patch
from ..engine.tools import Tool
from .canvas import map_image
from .geometry import file_rect_to_display
from .jobs import JobControl, Jobs, Progress
from .maps import display_image, heat_rgba, stretch
from .settings import Settings

if TYPE_CHECKING:
    from .tool_panels import Ranked, ToolPanel

PREVIEW_INTERVAL_S = 0.1
"""At most ten live previews a second: the canvas should not spend the optimization's time."""


def file_pixels(image: torch.Tensor) -> np.ndarray:
    """(1, C, H, W) float tensor → float (H, W, C) numpy on the CPU."""
    return image[0].detach().to("cpu", torch.float32).permute(1, 2, 0).numpy()


@dataclass(frozen=True)
class Shown:
    """Pixels ready for the canvas: a uint8 display patch and where its top-left goes on the displayed
    image (EXIF orientation applied)."""

    pixels: np.ndarray
    left: int
    top: int


def display_patch(pixels: np.ndarray, y: int, x: int, code: JpegCode) -> Shown:
    """Float (h, w, C) file-orientation pixels whose top-left is file pixel (y, x), cut at the image's
    edge → the patch as displayed."""
    h, w = min(pixels.shape[0], code.height - y), min(pixels.shape[1], code.width - x)
    left, top = file_rect_to_display(x, y, w, h, code.orientation, code.height, code.width)
    return Shown(display_image(pixels[:h, :w], code.orientation), left, top)


def consistent(session: Session) -> bool:
    """Whether every Δ of the session's state lies in [−½, ½] (every coefficient re-quantizes)."""
    return all(bool((d.abs() <= 0.5).all()) for d in (session.state.delta_y, session.state.delta_c) if d is not None)


@dataclass(frozen=True)
class Changed:
    """What a commit, undo or redo did: the current image's changed part (``shown``), whether the whole
    state is still consistent with the file, and the history record concerned (None for undo/redo)."""

    shown: Shown
    consistent: bool
    record: dict[str, object] | None = None


def changed(session: Session, rows: slice, cols: slice, record: dict[str, object] | None = None) -> Changed:
    """The session's current pixels in ``rows`` × ``cols`` as a :class:`Changed`."""
    pixels = file_pixels(session.image[:, :, rows, cols])
    return Changed(display_patch(pixels, rows.start, cols.start, session.code), consistent(session), record)


@dataclass(frozen=True)
class Candidate:
    """One of several results of a tool (alternatives, glyph hypotheses): candidate ``index`` of
    ``result``, its label, score and how the gallery writes the score, whether it is consistent with the
    file, its exact content ``patch``, how it looks in place (``shown``), a thumbnail (uint8 display
    image) and how many candidates there were (``of``)."""

    result: EditResult
    index: int
    label: str
    score: float
    score_text: str
    consistent: bool
    patch: Patch
    shown: Shown
    thumbnail: np.ndarray
    of: int


@dataclass(frozen=True)
class CandidateSet:
    """A tool's candidates, best first, and the verdict: what the set supports."""

    candidates: list[Candidate]
    verdict: str


Ranking = Callable[[Session, EditResult, Region], tuple[list["Ranked"], str]]
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
        return changed(session, *session.changed_pixels(entry), record=entry.record)
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
    return changed(session, *session.changed_pixels(entry), record=entry.record)


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
    return changed(session, rows, cols)


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


class Explorer(QObject):
    """Holds the Session of the open file and runs its jobs. Signals: ``imageChanged(Changed)`` when part
    of the current image changed, ``previewed(Shown)`` for a live preview or a candidate shown over it,
    ``previewCleared()``, ``committed(record)`` after a commit, ``changed()`` when the history changed,
    ``candidatesFound(panel, CandidateSet)``."""

    imageChanged = pyqtSignal(object)
    previewed = pyqtSignal(object)
    previewCleared = pyqtSignal()
    committed = pyqtSignal(object, object)
    changed = pyqtSignal()

    def __init__(self, jobs: Jobs, settings: Settings) -> None:
        super().__init__()
        self.jobs = jobs
        self.settings = settings
        self.session: Session | None = None
        self.generation = 0
        """Counts the changes of the session (commits, undos, redos) since it was opened."""
        self.saved_generation = 0

    @property
    def dirty(self) -> bool:
        """Edits (or undos) since the session was opened or last saved."""
        return self.generation != self.saved_generation

    def start(self, session: Session, dirty: bool = False) -> None:
        self.session = session
        self.generation, self.saved_generation = int(dirty), 0
        self.changed.emit()

    def _show_change(self, change: Changed) -> None:
        self.generation += 1
        self.imageChanged.emit(change)
        self.changed.emit()

    # -- undo ------------------------------------------------------------------------------------------
    def undo(self) -> None:
        if self.session is not None:
            self.go_to(self.session.history.position - 1)

    def redo(self) -> None:
        if self.session is not None:
            self.go_to(self.session.history.position + 1)

    def go_to(self, position: int) -> None:
        """Undo or redo in the background until ``position`` edits are done (Ctrl+Z, Ctrl+Shift+Z, the
        history panel's click); nothing happens while another job runs or when there is nothing to move."""
        if self.session is None or self.jobs.busy:
            return
        history = self.session.history
        if not 0 <= position <= len(history.entries) or position == history.position:
            return
        label = "Undo" if position < history.position else "Redo"
        self.jobs.start(label, history_job, self.session, position, on_result=self._show_change)

    # -- edits -----------------------------------------------------------------------------------------
    def budget(self) -> Budget:
        return Budget(steps=self.settings.edit_steps, hold_weight=self.settings.edit_hold)

    def apply(self, tool: Tool, panel: ToolPanel) -> None:
        """Optimize ``tool`` on the panel's region in the background. Panels with a ranking get their
        candidates back (``panel.show_candidates``); other edits are committed (one undo step)."""
        if self.session is None or self.jobs.busy:
            return
        region = panel.region()
        if region is None:
            panel.message.setText("Select a region first (Region panel, or R, P, L, B).")
            return
        rank = panel.rank if panel.several_candidates else None
        self.jobs.start(
            f"{panel.title}: optimizing",
            edit_job,
            self.session,
            tool,
            region,
            self.budget(),
            rank,
            on_preview=self.previewed.emit,
            on_result=lambda found: self._finished(found, panel),
            on_error=lambda error: self._refused(error, panel),
        )

    def _refused(self, error: BaseException, panel: ToolPanel) -> None:
        """A tool that cannot run on this region (a ValueError from the engine) says why in its panel."""
        self.previewCleared.emit()
        if isinstance(error, ValueError):
            panel.message.setText(str(error))
        else:
            self.jobs.failed.emit(f"{panel.title} failed: {error}")

    def _finished(self, found: Changed | CandidateSet | None, panel: ToolPanel) -> None:
        self.previewCleared.emit()
        if isinstance(found, CandidateSet):
            panel.show_candidates(found)
        elif found is not None:
            self._show_change(found)
            panel.committed(found.record)
            self.committed.emit(found.record, panel)

    def show_candidate(self, candidate: Candidate) -> None:
        """Show a candidate in place without committing it (prepared in the worker: instant)."""
        self.previewed.emit(candidate.shown)

    def keep(self, candidate: Candidate, panel: ToolPanel) -> None:
        """Commit the candidate in the background, its label and score in the history."""
        if self.session is None or self.jobs.busy:
            return
        self.jobs.start(
            f"Keeping {candidate.label}",
            keep_job,
            self.session,
            candidate,
            panel.keep_notes(candidate),
            on_result=lambda change: self._kept(change, panel),
        )

    def _kept(self, change: Changed, panel: ToolPanel) -> None:
        self.previewCleared.emit()
        self._show_change(change)
        self.committed.emit(change.record, panel)

    def discard(self) -> None:
        """Drop the shown candidate: the current image as it was (nothing changed, nothing to save)."""
        self.previewCleared.emit()
