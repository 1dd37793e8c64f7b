"""The window's bridge to the engine's Session: edits run as background jobs with live previews; results
are committed, or offered as candidates; undo/redo; session files and the crash autosave."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from PyQt6.QtCore import QObject, pyqtSignal

from ..codec.jpeg_code import JpegCode
from ..engine.ambiguity import ambiguity_map
from ..engine.optimize import Budget, Edit, EditResult
from ..engine.regions import Region
from ..engine.session import Session
from ..engine.session_file import save_session
from ..engine.state import Patch
from ..engine.tools import Tool
from .geometry import file_rect_to_display
from .jobs import Progress
from .maps import display_image

if TYPE_CHECKING:
    from .tool_panels import ToolPanel
    from .window import MainWindow

PREVIEW_INTERVAL_S = 0.1
"""At most ten live previews a second: the canvas should not spend the optimization's time."""


def file_pixels(image: torch.Tensor) -> np.ndarray:
    """(1, C, H, W) float tensor → float (H, W, C) numpy on the CPU."""
    return image[0].detach().to("cpu", torch.float32).permute(1, 2, 0).numpy()


@dataclass(frozen=True)
class Rendered:
    """The session's current image made ready for the window, off the GUI thread: pixels float (H, W, C)
    in the file's orientation; shown uint8 display image (EXIF orientation applied)."""

    pixels: np.ndarray
    shown: np.ndarray


def display_patch(pixels: np.ndarray, y: int, x: int, code: JpegCode) -> tuple[np.ndarray, int, int]:
    """Float (h, w, C) file-orientation pixels whose top-left is file pixel (y, x), cut at the image's
    edge → (uint8 display patch, left, top of it on the displayed image)."""
    h, w = min(pixels.shape[0], code.height - y), min(pixels.shape[1], code.width - x)
    left, top = file_rect_to_display(x, y, w, h, code.orientation, code.height, code.width)
    return display_image(pixels[:h, :w], code.orientation), left, top


def render(session: Session) -> Rendered:
    pixels = file_pixels(session.image)
    return Rendered(pixels, display_image(pixels, session.code.orientation))


@dataclass(frozen=True)
class Candidate:
    """One of several results of a tool (alternatives, glyph hypotheses): candidate ``index`` of ``result``,
    a label, a score (higher is better), its exact content ``patch`` and a thumbnail (uint8 display image)."""

    result: EditResult
    index: int
    label: str
    score: float
    patch: Patch
    thumbnail: np.ndarray


Ranking = Callable[[Session, EditResult], list[tuple[int, str, float, Patch]]]
"""A multi-candidate panel's ranking: (index, label, score, exact patch) per candidate, best first.
Runs in the worker thread, so it must not touch Qt."""


def thumbnail(result: EditResult, index: int, region: Region, orientation: int, margin: int = 4) -> np.ndarray:
    """Candidate ``index``'s window preview cropped to the region's bounding box (plus ``margin``)."""
    y0, y1, x0, x1 = region.bounds()
    top, left = result.window.pixel_origin
    pixels = file_pixels(result.preview[index: index + 1])
    crop = pixels[max(0, y0 - margin - top): y1 + margin - top, max(0, x0 - margin - left): x1 + margin - left]
    return display_image(crop, orientation)


def edit_job(edit: Edit, session: Session, steps: int, rank: Ranking | None
             ) -> Generator[Progress, None, Rendered | list[Candidate] | None]:
    """Run ``edit`` yielding progress and throttled previews (window image, origin). Then, without
    ``rank``: commit the result (one undo step) and return the new current image; with ``rank``: return
    the ranked candidates. Stops between steps when the job is cancelled."""
    last = 0.0
    for step in edit.run():
        now = time.monotonic()
        preview = None
        if now - last >= PREVIEW_INTERVAL_S:
            preview, last = (file_pixels(step.preview[:1]), step.origin), now
        yield Progress(step.step, steps, preview)
    result = edit.result
    if result is None:
        return None
    if rank is None:
        session.commit(result, 0)
        return render(session)
    yield Progress(steps, steps)
    orientation = session.code.orientation
    return [Candidate(result, index, label, score, patch, thumbnail(result, index, edit.region, orientation))
            for index, label, score, patch in rank(session, result)]


def history_job(session: Session, position: int) -> Generator[Progress, None, Rendered]:
    """Undo or redo until ``position`` edits are done; the current image then (a 12-MP image takes about
    a second to re-render and convert on a CPU, so this runs off the GUI thread)."""
    history = session.history
    yield Progress(0, 1)
    while history.position > position and session.undo():
        pass
    while history.position < position and session.redo():
        pass
    yield Progress(1, 1)
    return render(session)


def ambiguity_job(session: Session, region: Region | None, count: int) -> Generator[Progress, None, np.ndarray]:
    """Per-pixel spread (grey levels, file orientation) of ``count`` random-z decodes."""
    yield Progress(0, 1)
    spread = ambiguity_map(session, count=count, region=region)
    yield Progress(1, 1)
    return spread.cpu().numpy()


class Explorer(QObject):
    """Holds the Session of the open file. ``changed`` fires when the current image or history changed."""

    changed = pyqtSignal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.session: Session | None = None
        self.pixels: np.ndarray | None = None
        """The current image, float (H, W, C), file orientation."""
        self.shown: np.ndarray | None = None
        """The current image as displayed (uint8, EXIF orientation applied)."""
        self.dirty = False
        """Edits (or undos) since the session was opened or saved."""

    # -- state -----------------------------------------------------------------------------------------
    def start(self, session: Session, dirty: bool = False) -> None:
        self.session = session
        self.refresh()
        self.dirty = dirty

    def refresh(self) -> None:
        """Show the session's current image; tell the panels."""
        self.show(render(self.session))

    def show(self, rendered: Rendered) -> None:
        """Show a rendered current image; tell the panels."""
        self.pixels, self.shown = rendered.pixels, rendered.shown
        self.window.set_current_image(self.shown)
        self.dirty = True
        self.window.autosave()
        self.changed.emit()

    def undo(self) -> None:
        if self.session is not None:
            self.go_to(self.session.history.position - 1)

    def redo(self) -> None:
        if self.session is not None:
            self.go_to(self.session.history.position + 1)

    def go_to(self, position: int) -> None:
        """Undo or redo in the background until ``position`` edits are done (Ctrl+Z, Ctrl+Shift+Z, the
        history panel's click); nothing happens while another job runs or when there is nothing to move."""
        if self.session is None or self.window.jobs.busy:
            return
        history = self.session.history
        if not 0 <= position <= len(history.entries) or position == history.position:
            return
        label = "Undo" if position < history.position else "Redo"
        self.window.jobs.start(label, history_job, self.session, position, on_result=self.show)

    # -- edits -----------------------------------------------------------------------------------------
    def budget(self) -> Budget:
        settings = self.window.settings
        return Budget(steps=settings.edit_steps, hold_weight=settings.edit_hold)

    def apply(self, tool: Tool, panel: ToolPanel) -> None:
        """Optimize ``tool`` on the panel's region in the background. Panels with a ranking get their
        candidates back (``panel.show_candidates``); other edits are committed (one undo step)."""
        if self.session is None or self.window.jobs.busy:
            return
        region = panel.region()
        if region is None:
            panel.message.setText("Select a region first (Region panel or R, P, L).")
            return
        budget = self.budget()
        try:
            edit = self.session.edit(tool, region, budget)
        except ValueError as error:
            panel.message.setText(str(error))
            return
        rank = panel.rank if panel.several_candidates else None
        self.window.jobs.start(f"{panel.title}: optimizing", edit_job, edit, self.session, budget.steps, rank,
                               on_preview=self.show_preview,
                               on_result=lambda found: self._finished(found, panel))

    def show_preview(self, preview: tuple[np.ndarray, tuple[int, int]]) -> None:
        """Paste the optimization window's current image into the canvas (only when it shows "current")."""
        if self.window.view_panel.shown != "current":
            return
        window_pixels, (y, x) = preview
        self.window.canvas.paste(*display_patch(window_pixels, y, x, self.session.code))

    def _finished(self, found: Rendered | list[Candidate] | None, panel: ToolPanel) -> None:
        if isinstance(found, list):
            panel.show_candidates(found)
            self.window.set_current_image(self.shown)
        elif found is not None:
            self.show(found)

    def show_candidate(self, candidate: Candidate) -> None:
        """Show a candidate in the canvas without committing it: only its window is rendered and pasted
        into the displayed image, so clicking through candidates stays instant on a 12-MP photo."""
        crop, (y, x) = self.session.patched_window(candidate.patch)
        pixels, left, top = display_patch(file_pixels(crop), y, x, self.session.code)
        height, width = pixels.shape[:2]
        shown = self.shown.copy()
        shown[top: top + height, left: left + width] = pixels
        self.window.set_current_image(shown)

    def keep(self, candidate: Candidate) -> None:
        self.session.commit(candidate.result, candidate.index, candidate.patch)
        self.refresh()

    def discard(self) -> None:
        self.refresh()

    # -- files -----------------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        save_session(self.session, path)
        self.dirty = False


def autosave_paths(folder: Path, sha256: str) -> tuple[Path, Path]:
    """The autosaved session of a file and its note (source path, time)."""
    return folder / f"{sha256}.session", folder / f"{sha256}.json"


def write_autosave(session: Session, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data, note = autosave_paths(folder, session.code.sha256)
    save_session(session, data)
    note.write_text(json.dumps({"source": session.code.source, "saved": time.time()}))


def pending_autosaves(folder: Path) -> list[tuple[Path, str]]:
    """(session file, source path) of autosaves left behind, newest first."""
    found = []
    for note in folder.glob("*.json"):
        data = note.with_suffix(".session")
        if data.exists():
            found.append((json.loads(note.read_text()), data))
    found.sort(key=lambda item: -item[0]["saved"])
    return [(data, facts["source"]) for facts, data in found]
