"""A ranked gallery of candidate results: thumbnail buttons with a consistency mark, label and score, a
verdict line saying what the set supports and a legend; click shows one, Keep commits it (one undo step),
Discard goes back to the current image."""

from __future__ import annotations

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QIcon, QPixmap
from PyQt6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ..canvas.images import to_qimage
from ..model.candidates import Candidate, CandidateSet
from ..widgets.buttons import command_button
from .base import ToolPanel
from .host import ToolHost

THUMBNAIL = 48
MARKS = {True: "✔", False: "✘"}


class CandidateGallery(QWidget):
    """``buttons``: one checkable button per candidate, best first; ``chosen``: the one shown, or None."""

    def __init__(self, host: ToolHost, panel: ToolPanel, columns: int = 5) -> None:
        super().__init__()
        self.host = host
        self.panel = panel
        self.columns = columns
        self.candidates: list[Candidate] = []
        self.buttons: list[QToolButton] = []
        self.chosen: Candidate | None = None
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-weight: bold;")
        self.legend = QLabel(panel.legend)
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("font-size: small;")
        self.grid = QGridLayout()
        self.grid.setSpacing(2)
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
        layout.addWidget(self.verdict)
        layout.addLayout(self.grid)
        layout.addWidget(self.legend)
        layout.addLayout(choices)
        self.verdict.hide()
        self.legend.hide()
        host.busyChanged.connect(lambda busy: self._set_choosing(bool(self.candidates) and not busy))
        host.imageChanged.connect(self._drop_stale)
        self._set_choosing(False)

    def show_candidates(self, found: CandidateSet) -> None:
        self.clear()
        self.candidates = found.candidates
        for rank, candidate in enumerate(found.candidates):
            button = QToolButton()
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            pixmap = QPixmap.fromImage(to_qimage(candidate.thumbnail)).scaled(
                THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
            )
            button.setIcon(QIcon(pixmap))
            button.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
            button.setText(f"{MARKS[candidate.consistent]} {candidate.label}\n{candidate.score_text}")
            button.setToolTip(
                f"Rank {rank + 1}: {candidate.label}, {candidate.score_text}; "
                + ("consistent with the file" if candidate.consistent else "NOT consistent with the file")
                + ". Click to show it."
            )
            button.clicked.connect(lambda _=False, c=candidate: self.choose(c))
            self.grid.addWidget(button, rank // self.columns, rank % self.columns)
            self.buttons.append(button)
        self.verdict.setText(found.verdict)
        for label in (self.verdict, self.legend):
            label.setVisible(bool(found.candidates))
        self._set_choosing(bool(found.candidates))

    def choose(self, candidate: Candidate) -> None:
        self.chosen = candidate
        self.host.show_candidate(candidate)

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
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons, self.candidates, self.chosen = [], [], None
        self.verdict.hide()
        self.legend.hide()
        self._set_choosing(False)

    def _set_choosing(self, on: bool) -> None:
        for widget in (self.keep_button, self.discard_button, *self.buttons):
            widget.setEnabled(on)
