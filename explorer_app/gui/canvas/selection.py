"""The selected region: shapes drawn on the canvas (display coordinates), combined, maybe inverted,
rasterized to a boolean mask in the file's own orientation for the engine."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, QRect, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QPainter, QPainterPath

from ...engine.regions import box_xywh
from ..model.geometry import display_to_file_mask


def rasterize(path: QPainterPath, height: int, width: int) -> np.ndarray:
    """Boolean (height, width) mask of the pixels whose centres ``path`` covers. Only the path's
    bounding box is painted, so a small selection on a 12-MP photo costs a small picture."""
    mask = np.zeros((height, width), bool)
    box = path.boundingRect().toAlignedRect().intersected(QRect(0, 0, width, height))
    if box.isEmpty():
        return mask
    image = QImage(box.width(), box.height(), QImage.Format.Format_Grayscale8)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.translate(-box.x(), -box.y())
    painter.fillPath(path, QColor(255, 255, 255))
    painter.end()
    bits = image.constBits()
    bits.setsize(image.sizeInBytes())
    # a sip.voidptr is a buffer, which numpy's stubs do not know
    flat = np.frombuffer(bits, np.uint8)  # type: ignore[call-overload]
    rows = flat.reshape(box.height(), image.bytesPerLine())
    mask[box.y() : box.y() + box.height(), box.x() : box.x() + box.width()] = rows[:, : box.width()] > 127
    return mask


class Selection(QObject):
    """Union of drawn shapes on an image of a given display size; ``inverted`` selects the outside."""

    changed = pyqtSignal()

    def __init__(self) -> None:
        super().__init__()
        self._shapes = QPainterPath()
        self._shapes.setFillRule(Qt.FillRule.WindingFill)
        self.inverted = False
        self.size = (0, 0)
        self._mask: np.ndarray | None = None
        self.changed.connect(self._forget_mask)

    def _forget_mask(self) -> None:
        self._mask = None

    def reset(self, height: int, width: int) -> None:
        """A new image: nothing selected."""
        self.size = (height, width)
        self.clear()

    def add(self, shape: QPainterPath) -> None:
        """Select ``shape`` too (when inverted, by taking it out of the shapes whose outside is selected)."""
        shape = shape.simplified()
        self._shapes = self._shapes.subtracted(shape) if self.inverted else self._shapes.united(shape)
        self.changed.emit()

    def subtract(self, shape: QPainterPath) -> None:
        """Deselect ``shape`` (the eraser)."""
        shape = shape.simplified()
        self._shapes = self._shapes.united(shape) if self.inverted else self._shapes.subtracted(shape)
        self.changed.emit()

    def clear(self) -> None:
        self._shapes = QPainterPath()
        self.inverted = False
        self.changed.emit()

    def invert(self) -> None:
        self.inverted = not self.inverted
        self.changed.emit()

    def is_empty(self) -> bool:
        return self._shapes.isEmpty() and not self.inverted

    def outline(self) -> QPainterPath:
        """What is selected, as a path in display coordinates (the image minus the shapes when inverted)."""
        if not self.inverted:
            return QPainterPath(self._shapes)
        frame = QPainterPath()
        frame.addRect(QRectF(0, 0, self.size[1], self.size[0]))
        return frame.subtracted(self._shapes)

    def display_mask(self) -> np.ndarray:
        """The selection as a boolean mask on the displayed image (computed once per change)."""
        if self._mask is None:
            mask = rasterize(self._shapes, *self.size)
            self._mask = ~mask if self.inverted else mask
        return self._mask

    def file_mask(self, orientation: int) -> np.ndarray:
        """The selection as a boolean mask on the file's own pixel grid (what the engine works on)."""
        return display_to_file_mask(self.display_mask(), orientation)

    def bounding_box(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the selected pixels in display pixels (those whose centres the shapes cover, as
        the engine and the history count them); raises ValueError when no pixel is selected."""
        return box_xywh(self.display_mask())
