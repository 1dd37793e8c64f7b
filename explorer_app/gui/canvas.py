"""The zoomable, pannable image canvas with its overlays (block grid, maps, region) and drawing gestures."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPen, QPixmap, QWheelEvent
from PyQt6.QtWidgets import (QGraphicsItem, QGraphicsPathItem, QGraphicsPixmapItem, QGraphicsScene,
                             QGraphicsView, QStyleOptionGraphicsItem, QWidget)

from .interactions import Interaction

GRID_MIN_ZOOM = 3.0
"""The 8×8 block grid is drawn only from this zoom on (below it the lines would cover the image)."""
MAX_ZOOM = 64.0
FIT_MARGIN = 0.98
"""Fit leaves a sliver of background around the image, so no scroll bar appears at fit."""


def to_qimage(image: np.ndarray) -> QImage:
    """uint8 (H, W, 3) RGB, (H, W, 4) RGBA or (H, W) grey → a QImage that owns a copy of the pixels."""
    pixels = np.ascontiguousarray(image)
    height, width = pixels.shape[:2]
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        return QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
    if pixels.shape[2] == 4:
        return QImage(pixels.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
    return QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class BlockGrid(QGraphicsItem):
    """Lines between the file's 8×8 blocks, painted only inside the exposed part of the view."""

    def __init__(self) -> None:
        super().__init__()
        self.size = QRectF()
        self.offset = QPointF(0, 0)
        self.setZValue(2)

    def set_image_size(self, width: int, height: int, offset: QPointF) -> None:
        """``offset``: where the block raster starts in display pixels (EXIF flips move it off 0)."""
        self.prepareGeometryChange()
        self.size = QRectF(0, 0, width, height)
        self.offset = offset

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self.size

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if painter.worldTransform().m11() < GRID_MIN_ZOOM:
            return
        rect = option.exposedRect.intersected(self.size)
        painter.setPen(QPen(QColor(0, 200, 255, 110), 0))
        first_x = int((rect.left() - self.offset.x()) // 8) * 8 + self.offset.x()
        first_y = int((rect.top() - self.offset.y()) // 8) * 8 + self.offset.y()
        x = first_x
        while x <= rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += 8
        y = first_y
        while y <= rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += 8


class ImageCanvas(QGraphicsView):
    """Shows one image; the wheel zooms around the cursor; a drag pans, or draws with the interaction."""

    ZOOM_STEP = 1.25
    zoomChanged = pyqtSignal(float)

    def __init__(self) -> None:
        super().__init__()
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor(48, 48, 52))
        self._image = QGraphicsPixmapItem()
        self._image.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self._patch = QGraphicsPixmapItem()
        self._patch.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self._patch.setZValue(0.5)
        self.overlay = QGraphicsPixmapItem()
        self.overlay.setZValue(1)
        self.overlay.setOpacity(0.55)
        self.grid = BlockGrid()
        self.grid.setVisible(False)
        self.region = QGraphicsPathItem()
        self.region.setZValue(3)
        self.region.setPen(QPen(QColor(255, 210, 0), 0, Qt.PenStyle.DashLine))
        self.region.setBrush(QBrush(QColor(255, 210, 0, 40)))
        self._preview = QGraphicsPathItem()
        self._preview.setZValue(4)
        self._preview.setPen(QPen(QColor(255, 255, 255), 0, Qt.PenStyle.DashLine))
        for item in (self._image, self._patch, self.overlay, self.grid, self.region, self._preview):
            self.scene().addItem(item)
        self.interaction: Interaction | None = None
        self._on_finish: Callable[[object], None] = lambda result: None
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.set_interaction(None)

    # -- content -------------------------------------------------------------------------------------
    def set_image(self, image: np.ndarray) -> None:
        """Replace the shown pixels (uint8 display image); the view keeps its zoom and position."""
        self._image.setPixmap(QPixmap.fromImage(to_qimage(image)))
        self._patch.setVisible(False)
        self.scene().setSceneRect(self._image.boundingRect())

    def paste(self, patch: np.ndarray, x: int, y: int) -> None:
        """Show ``patch`` (uint8 display image) over the image from (x, y) until the next set_image: a live
        preview costs the patch, not the whole picture."""
        self._patch.setPixmap(QPixmap.fromImage(to_qimage(patch)))
        self._patch.setPos(x, y)
        self._patch.setVisible(True)

    def image_pixmap(self) -> QPixmap:
        return self._image.pixmap()

    def set_overlay(self, rgba: np.ndarray | None, scale: float = 1.0) -> None:
        """Show an RGBA map (``scale`` display pixels per map cell) over the image, or hide it (None)."""
        self.overlay.setVisible(rgba is not None)
        if rgba is not None:
            self.overlay.setPixmap(QPixmap.fromImage(to_qimage(rgba)))
            self.overlay.setScale(scale)

    def set_region_outline(self, outline: QPainterPath) -> None:
        self.region.setPath(outline)

    # -- view ----------------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_to_fit(self) -> None:
        self.fitInView(self._image, Qt.AspectRatioMode.KeepAspectRatio)
        self.scale(FIT_MARGIN, FIT_MARGIN)
        self.zoomChanged.emit(self.zoom())

    def zoom_actual_size(self) -> None:
        self.resetTransform()
        self.zoomChanged.emit(self.zoom())

    def zoom_by(self, factor: float) -> None:
        factor = min(factor, MAX_ZOOM / self.zoom())
        self.scale(factor, factor)
        self.zoomChanged.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        self.zoom_by(self.ZOOM_STEP if event.angleDelta().y() > 0 else 1 / self.ZOOM_STEP)

    # -- gestures ------------------------------------------------------------------------------------
    def set_interaction(self, interaction: Interaction | None,
                        on_finish: Callable[[object], None] = lambda result: None) -> None:
        """Draw with ``interaction``, handing each finished gesture's result to ``on_finish``; None: a drag
        pans the view."""
        self.interaction = interaction
        self._on_finish = on_finish
        self._preview.setPath(QPainterPath())
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag if interaction is None
                         else QGraphicsView.DragMode.NoDrag)
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if interaction is None
                                  else Qt.CursorShape.CrossCursor)

    def _drawing(self, event: QMouseEvent) -> bool:
        return self.interaction is not None and event.button() in (Qt.MouseButton.LeftButton,
                                                                    Qt.MouseButton.NoButton)

    def _finish(self, result: object | None) -> None:
        self._preview.setPath(QPainterPath() if result is not None else self.interaction.preview())
        if result is not None:
            self._on_finish(result)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if not self._drawing(event):
            return super().mousePressEvent(event)
        self._finish(self.interaction.press(self.mapToScene(event.position().toPoint())))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.interaction is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return super().mouseMoveEvent(event)
        self.interaction.move(self.mapToScene(event.position().toPoint()))
        self._preview.setPath(self.interaction.preview())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if not self._drawing(event):
            return super().mouseReleaseEvent(event)
        self._finish(self.interaction.release(self.mapToScene(event.position().toPoint())))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if not self._drawing(event):
            return super().mouseDoubleClickEvent(event)
        self._finish(self.interaction.double_click(self.mapToScene(event.position().toPoint())))
