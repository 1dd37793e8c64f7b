"""What a mouse drag on the canvas means: one small class per way of drawing a shape.

An interaction receives scene positions (display pixels) and returns its result when the gesture ends
(a QPainterPath for the selections); ``preview`` is what the canvas draws while the gesture goes on.
"""
from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF
from PyQt6.QtGui import QPainterPath, QPolygonF


class Interaction:
    """Base: no shape. Subclasses override the gestures they use."""

    name = ""

    def __init__(self) -> None:
        self.points: list[QPointF] = []

    def press(self, pos: QPointF) -> QPainterPath | None:
        self.points = [pos]
        return None

    def move(self, pos: QPointF) -> None:
        self.points.append(pos)

    def release(self, pos: QPointF) -> QPainterPath | None:
        shape = self.finished()
        self.points = []
        return shape

    def double_click(self, pos: QPointF) -> QPainterPath | None:
        return None

    def preview(self) -> QPainterPath:
        return self.finished() or QPainterPath()

    def finished(self) -> QPainterPath | None:
        return None


class RectangleSelect(Interaction):
    """Drag from one corner to the other."""

    name = "rectangle"

    def move(self, pos: QPointF) -> None:
        self.points = [self.points[0], pos] if self.points else [pos]

    def finished(self) -> QPainterPath | None:
        if len(self.points) < 2:
            return None
        rect = QRectF(self.points[0], self.points[-1]).normalized()
        if rect.width() < 1 or rect.height() < 1:
            return None
        path = QPainterPath()
        path.addRect(rect)
        return path


class FreehandSelect(Interaction):
    """Drag along the outline; releasing closes it."""

    name = "freehand"

    def finished(self) -> QPainterPath | None:
        if len(self.points) < 3:
            return None
        path = QPainterPath()
        path.addPolygon(QPolygonF(self.points))
        path.closeSubpath()
        return path

    def preview(self) -> QPainterPath:
        path = QPainterPath()
        path.addPolygon(QPolygonF(self.points))
        return path


class PolygonSelect(FreehandSelect):
    """Click each corner; double-click closes the polygon."""

    name = "polygon"

    def press(self, pos: QPointF) -> QPainterPath | None:
        self.points.append(pos)
        return None

    def move(self, pos: QPointF) -> None:
        """Corners come from clicks only."""

    def release(self, pos: QPointF) -> QPainterPath | None:
        return None

    def double_click(self, pos: QPointF) -> QPainterPath | None:
        shape = self.finished()
        self.points = []
        return shape


REGION_INTERACTIONS: dict[str, type[Interaction]] = {
    cls.name: cls for cls in (RectangleSelect, PolygonSelect, FreehandSelect)
}
