"""A ranked gallery of candidate results: a strip of thumbnail buttons (one contrast stretch for all, when
they are dark or flat) with a consistency mark, label and score, Keep and Discard right under it, a
verdict line saying what the set supports and a legend. Click shows a candidate on the canvas, zoomed
onto the region when it is small there; Keep commits it (one undo step), Discard goes back to the
current image. The strip scrolls sideways, so Keep and Discard stay in view at 1280×800 however many
candidates there are (26 letters)."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QSize, Qt, QTimer
from PyQt6.QtGui import QIcon, QPixmap, QResizeEvent
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QToolButton, QVBoxLayout, QWidget

from ..canvas.images import to_qimage
from ..model.candidates import Candidate, CandidateSet
from ..model.thumbnails import common_stretch
from ..widgets.buttons import command_button
from ..widgets.qt import present
from ..widgets.scrolling import reveal
from .base import ToolPanel
from .host import ToolHost

THUMBNAIL = 104
"""Long side of a candidate's thumbnail (px): large enough to judge a glyph or a texture without zooming."""

NOT_CONSISTENT = "✘ "
"""Put before the label of a candidate that is not consistent with the file (none should be; every one that
is carries no mark: a ✔ on every tile read as a vote for a digit the file rules out)."""


def thumbnail_pixmap(image: np.ndarray) -> QPixmap:
    """uint8 (h, w, C) display pixels → a pixmap THUMBNAIL px on its long side: enlarged pixel for pixel
    (a region's blocks stay crisp), reduced smoothly (no aliasing)."""
    pixmap = QPixmap.fromImage(to_qimage(image))
    smooth = max(image.shape[:2]) > THUMBNAIL
    mode = Qt.TransformationMode.SmoothTransformation if smooth else Qt.TransformationMode.FastTransformation
    return pixmap.scaled(THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, mode)


class CandidateGallery(QWidget):
    """``buttons``: one checkable button per candidate, best first, in ``strip`` (a sideways-scrolling
    row); ``chosen``: the one shown, or None."""

    def __init__(self, host: ToolHost, panel: ToolPanel) -> None:
        super().__init__()
        self.host = host
        self.panel = panel
        self.candidates: list[Candidate] = []
        self.buttons: list[QToolButton] = []
        self.chosen: Candidate | None = None
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-weight: bold;")
        self.legend = QLabel(panel.legend)
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("font-size: small;")
        row = QWidget()
        self.row = QHBoxLayout(row)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(2)
        self.row.addStretch()
        self.strip = QScrollArea()
        self.strip.setWidget(row)
        self.strip.setWidgetResizable(True)
        self.strip.setFrameShape(QScrollArea.Shape.NoFrame)
        self.strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.keep_button = command_button(
            "keep", "Keep", "Make the shown candidate the current image (one undo step)", self.keep
        )
        self.discard_button = command_button(
            "discard", "Discard", "Drop the candidates and go back to the current image", self.discard
        )
        choices = QHBoxLayout()
        choices.addWidget(self.keep_button)
        choices.addWidget(self.discard_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.strip)
        layout.addLayout(choices)
        layout.addWidget(self.verdict)
        layout.addWidget(self.legend)
        for widget in (self.strip, self.verdict, self.legend):
            widget.hide()
        host.busyChanged.connect(lambda busy: self._set_choosing(bool(self.candidates) and not busy))
        host.imageChanged.connect(self._drop_stale)
        self._set_choosing(False)

    def show_candidates(self, found: CandidateSet) -> None:
        self.clear()
        self.candidates = found.candidates
        thumbnails, stretched = common_stretch([c.thumbnail for c in found.candidates])
        shown_as = (
            ""
            if stretched is None
            else f" Thumbnail contrast stretched (grey levels {stretched[0]}–{stretched[1]} shown as 0–255, the "
            "same for every candidate); the canvas shows its true pixels."
        )
        for rank, (candidate, thumbnail) in enumerate(zip(found.candidates, thumbnails, strict=True)):
            button = QToolButton()
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setIcon(QIcon(thumbnail_pixmap(thumbnail)))
            button.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
            mark = "" if candidate.consistent else NOT_CONSISTENT
            button.setText(f"{mark}{candidate.label}\n{candidate.score_text}")
            button.setToolTip(
                f"Rank {rank + 1}: {candidate.label}, {candidate.score_text}; "
                + ("consistent with the file" if candidate.consistent else "NOT consistent with the file")
                + ". Click to show it on the canvas."
                + shown_as
            )
            button.clicked.connect(lambda _=False, c=candidate: self.choose(c))
            self.row.insertWidget(rank, button)
            self.buttons.append(button)
        self.verdict.setText(found.verdict)
        for widget in (self.strip, self.verdict, self.legend):
            widget.setVisible(bool(found.candidates))
        if self.buttons:
            scroll_bar = present(self.strip.horizontalScrollBar()).sizeHint().height()
            self.strip.setFixedHeight(self.buttons[0].sizeHint().height() + scroll_bar)
            QTimer.singleShot(0, self._reveal)  # once the panel's layout has room for the strip
        self._set_choosing(bool(found.candidates))

    def _reveal(self) -> None:
        """Scroll the tool panel so that Keep, Discard and the strip are in view (the strip first)."""
        reveal(self.discard_button, self.strip)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        """While candidates are up, the gallery growing into its room (or the dock resized) brings them,
        Keep and Discard back into view: the layout may settle after the first reveal."""
        super().resizeEvent(event)
        if self.buttons:
            self._reveal()

    def choose(self, candidate: Candidate) -> None:
        """Show ``candidate`` on the canvas, zoomed onto the region when it is small there."""
        self.chosen = candidate
        self.host.show_candidate(candidate)
        self.host.look_at_selection()

    def keep(self) -> None:
        if self.chosen is not None and not self.host.busy:
            self.host.keep(self.chosen, self.panel)
            self.clear()

    def discard(self) -> None:
        self.clear()
        self.host.discard()

    def _drop_stale(self) -> None:
        """The current image changed under the candidates (undo, redo, another edit): they were ranked
        against the image before, so they go, and the panel says why."""
        if self.candidates:
            self.discard()
            self.panel.say(
                f"The current image changed: these {self.panel.noun}s were made for the image before it and "
                f"were dropped; press {self.panel.apply_text} again."
            )

    def clear(self) -> None:
        for button in self.buttons:
            self.row.removeWidget(button)
            button.deleteLater()
        self.buttons, self.candidates, self.chosen = [], [], None
        for widget in (self.strip, self.verdict, self.legend):
            widget.hide()
        self._set_choosing(False)

    def _set_choosing(self, on: bool) -> None:
        for widget in (self.keep_button, self.discard_button, *self.buttons):
            widget.setEnabled(on)
