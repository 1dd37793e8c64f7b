"""The application's SVG icons (assets/icons/NAME.svg), drawn in the palette's text colour.

The SVGs are drawn with one ink colour (INK). An icon is rendered on demand with that ink replaced by
the current palette's button-text colour (its disabled shade for disabled buttons), so icons stay
visible under a dark palette and follow a palette change at once.
"""

from __future__ import annotations

from functools import cache

from PyQt6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
from PyQt6.QtSvg import QSvgRenderer

from ...resources import assets_dir

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


@cache
def rendered(name: str, width: int, height: int, color: str) -> QImage:
    """Icon ``name`` drawn at width × height with its ink in ``color`` (kept: toolbars repaint often)."""
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(QByteArray(_svg(name).replace(INK, color).encode())).render(painter, QRectF(0, 0, width, height))
    painter.end()
    return image


class PaletteIconEngine(QIconEngine):
    """Renders one SVG with its ink in the palette's colour, at any size, each time it is painted."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        _svg(name)  # a missing file fails here, not at the first paint

    def paint(self, painter: QPainter | None, rect: QRect | None, mode: QIcon.Mode, state: QIcon.State) -> None:
        assert painter is not None and rect is not None
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return QPixmap.fromImage(rendered(self.name, size.width(), size.height(), ink(mode).name()))

    def clone(self) -> QIconEngine:
        return PaletteIconEngine(self.name)


def icon(name: str) -> QIcon:
    """The icon ``name``; a missing file is a bug, so it raises instead of showing a blank."""
    return QIcon(PaletteIconEngine(name))
