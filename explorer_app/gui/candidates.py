"""A ranked gallery of candidate results: thumbnail buttons with label and score; click shows one,
Keep commits it (one undo step), Discard goes back to the current image."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QIcon, QPixmap
from PyQt6.QtWidgets import QGridLayout, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from .buttons import command_button
from .canvas import to_qimage

if TYPE_CHECKING:
    from .explorer import Candidate
    from .window import MainWindow

THUMBNAIL = 72


class CandidateGallery(QWidget):
    """``buttons``: one checkable button per candidate, best first; ``chosen``: the one shown, or None."""

    def __init__(self, window: MainWindow, columns: int = 5) -> None:
        super().__init__()
        self.window = window
        self.columns = columns
        self.candidates: list[Candidate] = []
        self.buttons: list[QToolButton] = []
        self.chosen: Candidate | None = None
        self.grid = QGridLayout()
        self.keep_button = command_button(
            "keep", "Keep",
            "Make the shown candidate the current image (one undo step)",
            self.keep)
        self.discard_button = command_button(
            "discard", "Discard",
            "Drop the candidates and go back to the current image",
            self.discard)
        choices = QHBoxLayout()
        choices.addWidget(self.keep_button)
        choices.addWidget(self.discard_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addLayout(choices)
        self._set_choosing(False)

    def show_candidates(self, candidates: list[Candidate]) -> None:
        self.clear()
        self.candidates = candidates
        for rank, candidate in enumerate(candidates):
            button = QToolButton()
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            pixmap = QPixmap.fromImage(to_qimage(candidate.thumbnail)).scaled(
                THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
            button.setIcon(QIcon(pixmap))
            button.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
            button.setText(f"{candidate.label}  {candidate.score:.2f}")
            button.setToolTip(f"Rank {rank + 1}: {candidate.label}, score {candidate.score:.3f}. Click to show it.")
            button.clicked.connect(lambda _=False, c=candidate: self.choose(c))
            self.grid.addWidget(button, rank // self.columns, rank % self.columns)
            self.buttons.append(button)
        self._set_choosing(bool(candidates))

    def choose(self, candidate: Candidate) -> None:
        self.chosen = candidate
        self.window.explorer.show_candidate(candidate)

    def keep(self) -> None:
        if self.chosen is not None:
            self.window.explorer.keep(self.chosen)
            self.clear()

    def discard(self) -> None:
        self.clear()
        self.window.explorer.discard()

    def clear(self) -> None:
        for button in self.buttons:
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons, self.candidates, self.chosen = [], [], None
        self._set_choosing(False)

    def _set_choosing(self, on: bool) -> None:
        self.keep_button.setEnabled(on)
        self.discard_button.setEnabled(on)
