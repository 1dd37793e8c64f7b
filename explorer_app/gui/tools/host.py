"""What a tool panel may use of the window, and nothing more: the session, the canvas, the selection, a way
to run its tool, and whether a job is running."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, QPointF, QRectF, pyqtSignal
from PyQt6.QtGui import QAction

from ...engine.regions import Region
from ...engine.session import Session
from ...engine.tools import Tool
from ..canvas.canvas import ImageCanvas
from ..canvas.selection import Selection
from ..jobs.explorer import EditClient, Explorer
from ..jobs.runner import Jobs
from ..model.candidates import Candidate
from ..model.geometry import display_to_file_point


class ToolHost(QObject):
    """``busyChanged(bool)`` while a job runs (panels disable what would start another one);
    ``imageChanged()`` when the current image changed (a commit, undo or redo)."""

    busyChanged = pyqtSignal(bool)
    imageChanged = pyqtSignal()

    def __init__(self, explorer: Explorer, jobs: Jobs, canvas: ImageCanvas, region: Selection, pan: QAction) -> None:
        super().__init__()
        self.explorer = explorer
        self.jobs = jobs
        self.canvas = canvas
        self.region = region
        self._pan = pan
        jobs.busyChanged.connect(self.busyChanged)
        explorer.imageChanged.connect(lambda _change: self.imageChanged.emit())

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    def session(self) -> Session | None:
        return self.explorer.session

    def open_session(self) -> Session:
        """The open file's session, for a tool about to run (ToolPanel.apply runs none without one)."""
        session = self.explorer.session
        if session is None:
            raise RuntimeError("no file is open")
        return session

    def selection(self) -> Region | None:
        """The selection on the file's pixel grid, as the engine takes it; None when nothing is selected."""
        session = self.explorer.session
        if session is None or self.region.is_empty():
            return None
        mask = self.region.file_mask(session.code.orientation)
        return Region(mask, "selection") if mask.any() else None

    def clear_selection(self) -> None:
        self.region.clear()

    def to_file_point(self, pos: QPointF) -> tuple[float, float]:
        """A canvas (display) position as (x, y) on the file's pixel grid."""
        code = self.open_session().code
        return display_to_file_point(pos.x(), pos.y(), code.orientation, code.height, code.width)

    def file_pixels(self, region: Region) -> np.ndarray:
        """float32 (h, w, C) of the current image in the bounding box of ``region`` (file orientation)."""
        y0, y1, x0, x1 = region.bounds()
        crop = self.open_session().image[0, :, y0:y1, x0:x1]
        return crop.permute(1, 2, 0).detach().cpu().numpy().astype(np.float32)

    def pan(self) -> None:
        """Back to panning the view (after a click placed something)."""
        self._pan.setChecked(True)

    def run(self, tool: Tool, panel: EditClient) -> None:
        self.explorer.apply(tool, panel)

    def show_candidate(self, candidate: Candidate) -> None:
        self.explorer.show_candidate(candidate)

    def look_at_selection(self) -> None:
        """Centre the canvas on the selection, zoomed in when it is small there (to judge a candidate)."""
        if self.region.is_empty():
            return
        try:
            x, y, width, height = self.region.bounding_box()
        except ValueError:  # shapes that cover no pixel's centre
            return
        self.canvas.look_at(QRectF(x, y, width, height))

    def keep(self, candidate: Candidate, panel: EditClient) -> None:
        self.explorer.keep(candidate, panel)

    def discard(self) -> None:
        self.explorer.discard()
