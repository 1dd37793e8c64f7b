"""What a mouse drag on the canvas means: one small class per way of drawing a shape.

An interaction receives scene positions (display pixels) and returns its result when the gesture ends
(a QPainterPath for the selections); ``preview`` is what the canvas draws while the gesture goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QPainterPath, QPainterPathStroker, QPen, QPolygonF

R = TypeVar("R")
"""What a finished gesture gives: a QPainterPath for the selections, a point for a click, ..."""


class Interaction(Generic[R]):
    """Base: no shape. Subclasses override the gestures they use; a gesture's result is an ``R``."""

    name = ""

    def __init__(self) -> None:
        self.points: list[QPointF] = []

    def press(self, pos: QPointF) -> R | None:
        self.points = [pos]
        return None

    def move(self, pos: QPointF) -> None:
        self.points.append(pos)

    def release(self, pos: QPointF) -> R | None:
        shape = self.finished()
        self.points = []
        return shape

    def double_click(self, pos: QPointF) -> R | None:
        return None

    def preview(self) -> QPainterPath:
        shape = self.finished()
        return shape if isinstance(shape, QPainterPath) else QPainterPath()

    def preview_pen(self) -> QPen | None:
        """How the canvas draws :meth:`preview`; None: a thin dashed outline."""
        return None

    def finished(self) -> R | None:
        return None


class RectangleSelect(Interaction[QPainterPath]):
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


class FreehandSelect(Interaction[QPainterPath]):
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


class BrushStroke(Interaction[QPainterPath]):
    """Paint: every pixel within the brush radius of the dragged path (a click paints one disc). The
    radius (display pixels) is read when the stroke starts, from ``radius``."""

    name = "brush"

    def __init__(self, radius: Callable[[], float]) -> None:
        super().__init__()
        self.radius = radius
        self._width = 2.0 * radius()

    def press(self, pos: QPointF) -> QPainterPath | None:
        self._width = 2.0 * self.radius()
        return super().press(pos)

    def finished(self) -> QPainterPath | None:
        if not self.points:
            return None
        path = QPainterPath(self.points[0])
        for point in self.points[1:]:
            path.lineTo(point)
        stroker = QPainterPathStroker()
        stroker.setWidth(self._width)
        stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
        stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        disc = QPainterPath()
        disc.addEllipse(self.points[0], self._width / 2, self._width / 2)
        return stroker.createStroke(path).united(disc)


class PointPick(Interaction[QPointF]):
    """Each click is a point (for periods, the eyedropper, imprint placement)."""

    name = "point"

    def press(self, pos: QPointF) -> QPointF:
        return pos

    def release(self, pos: QPointF) -> None:
        return None


REGION_INTERACTIONS: dict[str, type[Interaction[QPainterPath]]] = {
    cls.name: cls for cls in (RectangleSelect, PolygonSelect, FreehandSelect)
}
