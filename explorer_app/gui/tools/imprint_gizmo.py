"""The picture to imprint, shown on the canvas where it will go, with handles: drag the picture to move it,
the corner grip to scale it, the grip above it to rotate it."""

from __future__ import annotations

import math

from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap
from PyQt6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsPixmapItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

GRIP_RADIUS_PX = 6.0
"""Grips are drawn this size on screen at every zoom."""
ROTATE_GRIP_GAP_PX = 24.0
"""How far above the picture's top edge (screen pixels at zoom 1, scaled with the picture) the rotation grip sits."""
MIN_SCALE, MAX_SCALE = 0.1, 4.0


class Grip(QGraphicsItem):
    """A round handle of constant screen size; ``on_drag(scene_pos)`` is called while it is dragged."""

    def __init__(self, parent: QGraphicsItem, tip: str, cursor: Qt.CursorShape, on_drag) -> None:
        super().__init__(parent)
        self.on_drag = on_drag
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(cursor)
        self.setToolTip(tip)
        self.setZValue(1)

    def boundingRect(self) -> QRectF:
        r = GRIP_RADIUS_PX + 1
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(
        self, painter: QPainter | None, option: QStyleOptionGraphicsItem | None, widget: QWidget | None = None
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(20, 20, 24), 1.5))
        painter.setBrush(QBrush(QColor(255, 255, 255)))
        painter.drawEllipse(QPointF(0, 0), GRIP_RADIUS_PX, GRIP_RADIUS_PX)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent | None) -> None:
        assert event is not None
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent | None) -> None:
        assert event is not None
        self.on_drag(event.scenePos())


class ImprintGizmo(QGraphicsObject):
    """The picture centred on its position (scene = display pixels), scaled and rotated (degrees
    anticlockwise, as the tool takes them). Emits ``moved(centre)`` after a drag of the picture and
    ``reshaped(scale, angle)`` while a grip is dragged; :meth:`set_placement` never emits."""

    moved = pyqtSignal(QPointF)
    reshaped = pyqtSignal(float, float)

    def __init__(self) -> None:
        super().__init__()
        self.picture = QGraphicsPixmapItem(self)
        self.picture.setOpacity(0.6)
        self.picture.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.scale_grip = Grip(self, "Drag to scale the picture", Qt.CursorShape.SizeFDiagCursor, self._drag_scale)
        self.rotate_grip = Grip(self, "Drag to rotate the picture", Qt.CursorShape.CrossCursor, self._drag_rotate)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setToolTip("Drag to move the picture")
        self.setZValue(5)
        self._placing = False
        self.setVisible(False)

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self.prepareGeometryChange()
        self.picture.setPixmap(pixmap)
        self.picture.setOffset(-pixmap.width() / 2, -pixmap.height() / 2)
        self._place_grips()

    def set_placement(self, centre: QPointF, scale: float, angle: float) -> None:
        """Show the picture at ``centre`` (scene), ``scale`` and ``angle`` degrees anticlockwise."""
        self._placing = True
        self.setPos(centre)
        self.setScale(scale)
        self.setRotation(-angle)
        self._placing = False
        self._place_grips()

    def _place_grips(self) -> None:
        half_w, half_h = self.picture.pixmap().width() / 2, self.picture.pixmap().height() / 2
        self.scale_grip.setPos(half_w, half_h)
        self.rotate_grip.setPos(0, -half_h - ROTATE_GRIP_GAP_PX / max(self.scale(), 1e-3))

    def boundingRect(self) -> QRectF:
        return self.picture.boundingRect()

    def paint(
        self, painter: QPainter | None, option: QStyleOptionGraphicsItem | None, widget: QWidget | None = None
    ) -> None:
        assert painter is not None
        pen = QPen(QColor(255, 255, 255), 0, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        rect = self.picture.boundingRect()
        painter.drawRect(rect)
        painter.drawLine(QPointF(0, rect.top()), self.rotate_grip.pos())

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and not self._placing:
            self.moved.emit(self.pos())
        return super().itemChange(change, value)

    def _drag_scale(self, scene_pos: QPointF) -> None:
        corner = math.hypot(self.picture.pixmap().width() / 2, self.picture.pixmap().height() / 2)
        reach = math.hypot(scene_pos.x() - self.pos().x(), scene_pos.y() - self.pos().y())
        if corner > 0:
            self.reshaped.emit(min(MAX_SCALE, max(MIN_SCALE, reach / corner)), -self.rotation())

    def _drag_rotate(self, scene_pos: QPointF) -> None:
        dx, dy = scene_pos.x() - self.pos().x(), scene_pos.y() - self.pos().y()
        angle = math.degrees(math.atan2(dx, -dy))  # 0 with the grip straight above, clockwise positive on screen
        self.reshaped.emit(self.scale(), -((angle + 180) % 360 - 180))
