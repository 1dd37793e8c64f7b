"""The application's SVG icons (assets/icons/NAME.svg), drawn in the palette's text colour.

The SVGs are drawn with one ink colour (INK). An icon is rendered on demand with that ink replaced by
the current palette's button-text colour (its disabled shade for disabled buttons), so icons stay
visible under a dark palette and follow a palette change at once.
"""
from __future__ import annotations

from functools import cache

from PyQt6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PyQt6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
from PyQt6.QtSvg import QSvgRenderer

from ..resources import assets_dir

INK = "#3c4a5c"
"""The colour the SVG files draw their lines in; replaced by the palette's."""


def ink(mode: QIcon.Mode) -> QColor:
    """The palette colour an icon's lines take in ``mode``."""
    group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
    return QGuiApplication.palette().color(group, QPalette.ColorRole.ButtonText)


@cache
def _svg(name: str) -> str:
    path = assets_dir() / "icons" / f"{name}.svg"
    if not path.exists():
        raise FileNotFoundError(f"no icon {path}")
    return path.read_text()


class PaletteIconEngine(QIconEngine):
    """Renders one SVG with its ink in the palette's colour, at any size, each time it is painted."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.source = _svg(name)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        svg = self.source.replace(INK, ink(mode).name())
        QSvgRenderer(QByteArray(svg.encode())).render(painter, rect.toRectF())

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return QPixmap.fromImage(image)

    def clone(self) -> QIconEngine:
        return PaletteIconEngine(self.name)


def icon(name: str) -> QIcon:
    """The icon ``name``; a missing file is a bug, so it raises instead of showing a blank."""
    return QIcon(PaletteIconEngine(name))
