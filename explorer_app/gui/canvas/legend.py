"""The legend of a map drawn over the image: what it measures, its colour ramp and the values at both ends."""

from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..model.maps import HEAT_STOPS
from ..widgets.qt import present

STYLE = "color: white; background: transparent;"
MARGIN = 10


class RampBar(QWidget):
    """The heat ramp of the maps, left (low) to right (high)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFixedHeight(12)

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        gradient = QLinearGradient(QPointF(0, 0), QPointF(self.width(), 0))
        for position, (r, g, b, a) in HEAT_STOPS:
            gradient.setColorAt(position, QColor(int(r), int(g), int(b), max(int(a), 40)))
        painter.fillRect(QRectF(self.rect()), gradient)
        painter.setPen(QColor(255, 255, 255, 160))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))


class MapLegend(QWidget):
    """Floats over the canvas's bottom-left corner while a map is shown."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet("MapLegend { background: rgba(20, 20, 24, 190); border-radius: 4px; }")
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.ramp = RampBar(self)
        self.ends = QLabel(self)
        for label in (self.title, self.ends):
            label.setStyleSheet(STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.ramp)
        layout.addWidget(self.ends)
        self.setFixedWidth(300)

    def show_map(self, title: str, low: str, high: str) -> None:
        """Show the legend: ``title`` (what is measured), the ramp, ``low`` under its left end and
        ``high`` under its right end."""
        self.title.setText(title)
        self.ends.setText(f"<table width='100%'><tr><td>{low}</td><td align='right'>{high}</td></tr></table>")
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        parent = present(self.parentWidget())
        self.move(MARGIN, parent.height() - self.height() - MARGIN)
