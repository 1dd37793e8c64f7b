"""A one-line label that ends its text with an ellipsis when the text is wider than the label's room."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import QLabel


class ElidedLabel(QLabel):
    """Shows as much of its text as fits and "…" for the rest (a status message cut mid-word reads as a
    different message); :meth:`text` is the whole text, and the tooltip is the caller's to set."""

    def __init__(self) -> None:
        super().__init__()
        self._whole = ""

    def setText(self, a0: str | None) -> None:
        self._whole = a0 or ""
        self._fit()

    def text(self) -> str:
        return self._whole

    def shown(self) -> str:
        """What the label draws now (the text, elided to the label's width)."""
        return super().text()

    def resizeEvent(self, a0: QResizeEvent | None) -> None:
        super().resizeEvent(a0)
        self._fit()

    def _fit(self) -> None:
        width = max(0, self.contentsRect().width())
        super().setText(self.fontMetrics().elidedText(self._whole, Qt.TextElideMode.ElideRight, width))
