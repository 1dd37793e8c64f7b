"""The zoomable, pannable image canvas with its overlays (block grid, maps, region) and drawing gestures."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import (QBrush, QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPen, QPixmap, QResizeEvent,
                         QWheelEvent)
from PyQt6.QtWidgets import (QGraphicsItem, QGraphicsPathItem, QGraphicsPixmapItem, QGraphicsScene,
                             QGraphicsView, QLabel, QStyleOptionGraphicsItem, QWidget)

from .interactions import Interaction

GRID_MIN_ZOOM = 3.0
"""The 8×8 block grid is drawn only from this zoom on (below it the lines would cover the image)."""
MAX_ZOOM = 64.0
FIT_MARGIN = 0.98
"""Fit leaves a sliver of background around the image, so no scroll bar appears at fit."""
DIVIDER_GRIP_PX = 6.0
"""A press this close (screen pixels) to the split divider drags it instead of panning or drawing."""
LABEL_STYLE = "background: rgba(20, 20, 24, 170); color: white; padding: 2px 6px; border-radius: 3px;"


def split_label(parent: QWidget) -> QLabel:
    """A small caption that floats over the viewport (a widget, so scrolling never smears it)."""
    label = QLabel(parent)
    label.setStyleSheet(LABEL_STYLE)
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    label.hide()
    return label


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


class SplitCompare(QGraphicsItem):
    """A second image over the left part of the canvas, up to a vertical divider at ``divider`` (a fraction
    of the width), so the canvas's own image shows to its right: a side-by-side comparison of the same
    pixels. The divider and its grip keep their screen size at every zoom."""

    def __init__(self) -> None:
        super().__init__()
        self.pixmap = QPixmap()
        self.divider = 0.5
        self.setZValue(0.7)  # above the live-preview patch, below overlays and the region
        self.setVisible(False)

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self.prepareGeometryChange()
        self.pixmap = pixmap
        self.update()

    def set_divider(self, fraction: float) -> None:
        self.divider = min(1.0, max(0.0, fraction))
        self.update()

    def divider_x(self) -> float:
        """The divider's position in scene (display pixel) coordinates."""
        return self.divider * self.pixmap.width()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(0, 0, self.pixmap.width(), self.pixmap.height())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        x, height = self.divider_x(), self.pixmap.height()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawPixmap(QRectF(0, 0, x, height), self.pixmap, QRectF(0, 0, x, height))
        scale = painter.worldTransform().m11() or 1.0
        dark, light = QPen(QColor(20, 20, 24), 3), QPen(QColor(255, 255, 255), 1)
        for pen in (dark, light):
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, 0), QPointF(x, height))
        radius = 7.0 / scale
        painter.setBrush(QColor(255, 255, 255))
        painter.setPen(dark)
        painter.drawEllipse(QPointF(x, height / 2), radius, radius)


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
        self.split = SplitCompare()
        for item in (self._image, self._patch, self.split, self.overlay, self.grid, self.region, self._preview):
            self.scene().addItem(item)
        self._dragging_divider = False
        self.split_labels = (split_label(self.viewport()), split_label(self.viewport()))
        self.zoomChanged.connect(lambda _: self._place_split_labels())
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

    def set_split(self, image: np.ndarray | None, captions: tuple[str, str] = ("", "")) -> None:
        """Show ``image`` (uint8 display image, same size) left of the divider, the canvas's image right of
        it, each side captioned; None ends the split view. The divider stays where the user left it."""
        self.split.setVisible(image is not None)
        if image is not None:
            self.split.set_pixmap(QPixmap.fromImage(to_qimage(image)))
        for label, caption in zip(self.split_labels, captions):
            label.setText(caption)
            label.adjustSize()
        self._place_split_labels()

    def _place_split_labels(self) -> None:
        """Captions just left and right of the divider, at the top of the viewport; hidden off-screen."""
        x = self.mapFromScene(QPointF(self.split.divider_x(), 0)).x()
        left, right = self.split_labels
        left.move(x - 6 - left.width(), 8)
        right.move(x + 6, 8)
        for label in self.split_labels:
            label.setVisible(self.split.isVisible() and bool(label.text()) and label.x() >= 0
                             and label.x() + label.width() <= self.viewport().width())

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        super().scrollContentsBy(dx, dy)
        self._place_split_labels()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._place_split_labels()

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
        self._restore_cursor()

    def _restore_cursor(self) -> None:
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self.interaction is None
                                  else Qt.CursorShape.CrossCursor)

    def _on_divider(self, event: QMouseEvent) -> bool:
        if not self.split.isVisible() or event.button() != Qt.MouseButton.LeftButton:
            return False
        screen_x = self.mapFromScene(QPointF(self.split.divider_x(), 0)).x()
        return abs(event.position().x() - screen_x) <= DIVIDER_GRIP_PX

    def _drag_divider(self, event: QMouseEvent) -> None:
        width = self.split.pixmap.width()
        if width:
            self.split.set_divider(self.mapToScene(event.position().toPoint()).x() / width)
            self._place_split_labels()

    def _drawing(self, event: QMouseEvent) -> bool:
        return self.interaction is not None and event.button() in (Qt.MouseButton.LeftButton,
                                                                    Qt.MouseButton.NoButton)

    def _finish(self, result: object | None) -> None:
        self._preview.setPath(QPainterPath() if result is not None else self.interaction.preview())
        if result is not None:
            self._on_finish(result)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._on_divider(event):
            self._dragging_divider = True
            self.viewport().setCursor(Qt.CursorShape.SplitHCursor)
            return None
        if not self._drawing(event):
            return super().mousePressEvent(event)
        self._finish(self.interaction.press(self.mapToScene(event.position().toPoint())))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._dragging_divider:
            return self._drag_divider(event)
        if self.interaction is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return super().mouseMoveEvent(event)
        self.interaction.move(self.mapToScene(event.position().toPoint()))
        self._preview.setPath(self.interaction.preview())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._dragging_divider:
            self._dragging_divider = False
            self._drag_divider(event)
            self._restore_cursor()
            return None
        if not self._drawing(event):
            return super().mouseReleaseEvent(event)
        self._finish(self.interaction.release(self.mapToScene(event.position().toPoint())))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if not self._drawing(event):
            return super().mouseDoubleClickEvent(event)
        self._finish(self.interaction.double_click(self.mapToScene(event.position().toPoint())))
