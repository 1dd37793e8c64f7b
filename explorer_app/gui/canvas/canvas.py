"""The zoomable, pannable image canvas with its overlays (block grid, maps, region) and drawing gestures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PyQt6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QStyleOptionGraphicsItem,
    QWidget,
)

from .images import to_qimage
from .interactions import Interaction, R
from .legend import MapLegend

GRID_MIN_ZOOM = 3.0
"""The 8×8 block grid is drawn only from this zoom on (below it the lines would cover the image)."""
MAX_ZOOM = 64.0
FIT_MARGIN = 0.98
LOOK_SHARE = 0.6
"""How much of the view's width or height :meth:`ImageCanvas.look_at` gives a region it zooms onto."""
"""Fit leaves a sliver of background around the image, so no scroll bar appears at fit."""
DIVIDER_GRIP_PX = 6.0
"""A press this close (screen pixels) to the split divider drags it instead of panning or drawing."""
LABEL_STYLE = "background: rgba(20, 20, 24, 170); color: white; padding: 2px 6px; border-radius: 3px;"
EMPTY_HINT = (
    "<p style='font-size:15px'><b>Open a JPEG to explore it</b></p>"
    "<p>File ▸ Open JPEG… (Ctrl+O), a recent file, or drop a .jpg here.</p>"
    "<p>Then mark a region (R, P, L or B) and pick a tool (Tools menu; F1 lists every shortcut).</p>"
)
REGION_FILL = QColor(255, 210, 0, 40)


def split_label(parent: QWidget) -> QLabel:
    """A small caption that floats over the viewport (a widget, so scrolling never smears it)."""
    label = QLabel(parent)
    label.setStyleSheet(LABEL_STYLE)
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    label.hide()
    return label


class MapItem(QGraphicsItem):
    """A map drawn over the image: an RGBA QImage, ``scale`` display pixels per map cell, painted only
    inside the exposed area (a 12-MP per-pixel map is never turned into a pixmap)."""

    def __init__(self) -> None:
        super().__init__()
        self.map = QImage()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_map(self, image: QImage, scale: float) -> None:
        self.prepareGeometryChange()
        self.map = image
        self.setScale(scale)
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self.map.rect())

    def paint(
        self, painter: QPainter | None, option: QStyleOptionGraphicsItem | None, widget: QWidget | None = None
    ) -> None:
        assert painter is not None and option is not None
        rect = option.exposedRect.intersected(QRectF(self.map.rect())).toAlignedRect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(rect, self.map, rect)


class ImageItem(QGraphicsItem):
    """Paints one of several named full-size images (``sources``), only inside the exposed area and
    without smoothing (pixels stay pixels when zoomed in). Changing part of an image repaints that part."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, QImage] = {}
        self.shown = ""
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def image(self) -> QImage:
        return self.sources.get(self.shown, QImage())

    def show_source(self, name: str) -> None:
        self.prepareGeometryChange()
        self.shown = name
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self.image().rect())

    def paint(
        self, painter: QPainter | None, option: QStyleOptionGraphicsItem | None, widget: QWidget | None = None
    ) -> None:
        assert painter is not None and option is not None
        image = self.image()
        rect = option.exposedRect.intersected(QRectF(image.rect())).toAlignedRect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(rect, image, rect)


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

    def boundingRect(self) -> QRectF:
        return self.size

    def paint(
        self, painter: QPainter | None, option: QStyleOptionGraphicsItem | None, widget: QWidget | None = None
    ) -> None:
        assert painter is not None and option is not None
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

    def __init__(self, images: ImageItem) -> None:
        super().__init__()
        self.images = images
        self.source = ""
        self.divider = 0.5
        self.setZValue(0.7)  # above the live-preview patch, below overlays and the region
        self.setVisible(False)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    @property
    def pixmap(self) -> QImage:
        """The image left of the divider (one of the canvas's sources)."""
        return self.images.sources.get(self.source, QImage())

    def set_source(self, name: str) -> None:
        self.prepareGeometryChange()
        self.source = name
        self.update()

    def set_divider(self, fraction: float) -> None:
        self.divider = min(1.0, max(0.0, fraction))
        self.update()

    def divider_x(self) -> float:
        """The divider's position in scene (display pixel) coordinates."""
        return self.divider * self.pixmap.width()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.pixmap.width(), self.pixmap.height())

    def paint(
        self, painter: QPainter | None, option: QStyleOptionGraphicsItem | None, widget: QWidget | None = None
    ) -> None:
        assert painter is not None and option is not None
        x, height = self.divider_x(), self.pixmap.height()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        shown = option.exposedRect.intersected(QRectF(0, 0, x, height)).toAlignedRect()
        painter.drawImage(shown, self.pixmap, shown)
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
    """Shows one of the named images (libjpeg, network, current); the wheel zooms around the cursor; a
    drag pans, or draws with the interaction. ``hovered(x, y)`` follows the cursor over the image
    (display pixels), ``left()`` when it leaves it."""

    ZOOM_STEP = 1.25
    zoomChanged = pyqtSignal(float)
    hovered = pyqtSignal(float, float)
    left = pyqtSignal()

    def __init__(self) -> None:
        super().__init__()
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setBackgroundBrush(QColor(48, 48, 52))
        self.images = ImageItem()
        self._patch = QGraphicsPixmapItem()
        self._patch.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self._patch.setZValue(0.5)
        self.overlay = MapItem()
        self.overlay.setZValue(1)
        self.overlay.setOpacity(0.55)
        self.grid = BlockGrid()
        self.grid.setVisible(False)
        self.region = QGraphicsPathItem()
        self.region.setZValue(3)
        self.region.setPen(QPen(QColor(255, 210, 0), 0, Qt.PenStyle.DashLine))
        self.region.setBrush(QBrush(REGION_FILL))
        self._preview = QGraphicsPathItem()
        self._preview.setZValue(4)
        self.split = SplitCompare(self.images)
        for item in (self.images, self._patch, self.split, self.overlay, self.grid, self.region, self._preview):
            self.scene().addItem(item)
        self._dragging_divider = False
        self.split_labels = (split_label(self.viewport()), split_label(self.viewport()))
        self.zoomChanged.connect(lambda _: self._place_split_labels())
        self.hint = QLabel(EMPTY_HINT, self.viewport())
        self.hint.setStyleSheet("color: #e8e8ec;")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.legend = MapLegend(self.viewport())
        self.legend.hide()
        self.interaction: Interaction[Any] | None = None
        self._on_finish: Callable[[Any], None] = lambda result: None
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setMouseTracking(True)
        self.set_interaction(None)

    # -- content -------------------------------------------------------------------------------------
    def set_source(self, name: str, image: QImage) -> None:
        """Keep ``image`` (see :func:`screen_image`) as the source ``name``; repaint if it is shown."""
        self.images.sources[name] = image
        if name in (self.images.shown, self.split.source):
            self.images.show_source(self.images.shown)
            self.split.update()
            self._fit_scene()

    def forget_sources(self) -> None:
        """No image any more (a file being opened, or none): the empty window with its hint."""
        self.images.sources.clear()
        self.images.show_source("")
        self.clear_preview()
        self._fit_scene()

    def show_source(self, name: str) -> None:
        """Show the source ``name``; the view keeps its zoom and position."""
        self.images.show_source(name)
        self.clear_preview()
        self._fit_scene()

    def update_source(self, name: str, patch: np.ndarray, x: int, y: int) -> None:
        """Write ``patch`` (uint8 display pixels) into source ``name`` from (x, y): the cost of an edit's
        update is its window, not the picture."""
        image = self.images.sources[name]
        painter = QPainter(image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(x, y, to_qimage(patch))
        painter.end()
        rect = QRectF(x, y, patch.shape[1], patch.shape[0])
        if self.images.shown == name:
            self.images.update(rect)
        if self.split.source == name:
            self.split.update(rect)

    def image_size(self) -> tuple[int, int]:
        """(width, height) of the shown image; (0, 0) when none."""
        image = self.images.image()
        return image.width(), image.height()

    def shown_image(self) -> QImage:
        return self.images.image()

    def _fit_scene(self) -> None:
        width, height = self.image_size()
        self.scene().setSceneRect(QRectF(0, 0, width, height))
        self.hint.setVisible(width == 0)
        self._place_hint()

    def paste(self, patch: np.ndarray, x: int, y: int) -> None:
        """Show ``patch`` (uint8 display image) over the image from (x, y) until :meth:`clear_preview`
        or another source is shown: live previews and candidates cost the patch, not the picture."""
        self._patch.setPixmap(QPixmap.fromImage(to_qimage(patch)))
        self._patch.setPos(x, y)
        self._patch.setVisible(True)

    def clear_preview(self) -> None:
        self._patch.setVisible(False)

    def set_split(self, source: str, captions: tuple[str, str] = ("", "")) -> None:
        """Show source ``source`` left of the divider, the canvas's image right of it, each side captioned;
        "" ends the split view. The divider stays where the user left it."""
        self.split.setVisible(bool(source))
        self.split.set_source(source)
        for label, caption in zip(self.split_labels, captions, strict=True):
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
            label.setVisible(
                self.split.isVisible()
                and bool(label.text())
                and label.x() >= 0
                and label.x() + label.width() <= self.viewport().width()
            )

    def _place_hint(self) -> None:
        margin = 24
        self.hint.setGeometry(
            margin, margin, max(0, self.viewport().width() - 2 * margin), max(0, self.viewport().height() - 2 * margin)
        )

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self._place_split_labels()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self._place_split_labels()
        self._place_hint()
        self.legend.place()

    def set_overlay(self, image: QImage | None, scale: float = 1.0) -> None:
        """Show a map (see :func:`map_image`; ``scale`` display pixels per map cell) over the image, or
        hide it (None)."""
        self.overlay.setVisible(image is not None)
        if image is not None:
            self.overlay.set_map(image, scale)

    def set_region_outline(self, outline: QPainterPath) -> None:
        self.region.setPath(outline)

    def tint_region(self, on: bool) -> None:
        """Fill the region with its yellow tint (off while a candidate is shown, so its colours are true)."""
        self.region.setBrush(QBrush(REGION_FILL) if on else QBrush(Qt.BrushStyle.NoBrush))

    # -- view ----------------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_to_fit(self) -> None:
        self.fitInView(self.images, Qt.AspectRatioMode.KeepAspectRatio)
        self.scale(FIT_MARGIN, FIT_MARGIN)
        self.zoomChanged.emit(self.zoom())

    def zoom_actual_size(self) -> None:
        self.resetTransform()
        self.zoomChanged.emit(self.zoom())

    def zoom_by(self, factor: float) -> None:
        factor = min(factor, MAX_ZOOM / self.zoom())
        self.scale(factor, factor)
        self.zoomChanged.emit(self.zoom())

    def look_at(self, rect: QRectF) -> None:
        """Centre ``rect`` (display pixels) in the view, zooming in until it fills ``LOOK_SHARE`` of the
        view's width or height when it is smaller there (never zooming out: a closer look stays)."""
        view = self.viewport().size()
        shown = self.zoom() * max(rect.width() / max(view.width(), 1), rect.height() / max(view.height(), 1))
        if 0 < shown < LOOK_SHARE:
            self.zoom_by(LOOK_SHARE / shown)
        self.centerOn(rect.center())

    def wheelEvent(self, event: QWheelEvent | None) -> None:
        assert event is not None
        self.zoom_by(self.ZOOM_STEP if event.angleDelta().y() > 0 else 1 / self.ZOOM_STEP)

    # -- gestures ------------------------------------------------------------------------------------
    def scene(self) -> QGraphicsScene:
        """The canvas's scene (its own, set once)."""
        return self._scene

    def viewport(self) -> QWidget:
        """The widget the view paints on (a scroll area always has one)."""
        viewport = super().viewport()
        assert viewport is not None
        return viewport

    def set_interaction(self, interaction: Interaction[R] | None, on_finish: Callable[[R], None] | None = None) -> None:
        """Draw with ``interaction``, handing each finished gesture's result to ``on_finish``; None: a drag
        pans the view."""
        self.interaction = interaction
        self._on_finish = on_finish or (lambda result: None)
        self._preview.setPath(QPainterPath())
        pen = interaction.preview_pen() if interaction is not None else None
        self._preview.setPen(pen or QPen(QColor(255, 255, 255), 0, Qt.PenStyle.DashLine))
        self.setDragMode(
            QGraphicsView.DragMode.ScrollHandDrag if interaction is None else QGraphicsView.DragMode.NoDrag
        )
        self._restore_cursor()

    def _restore_cursor(self) -> None:
        self.viewport().setCursor(
            Qt.CursorShape.OpenHandCursor if self.interaction is None else Qt.CursorShape.CrossCursor
        )

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
        return self.interaction is not None and event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton)

    def _finish(self, result: object | None) -> None:
        interaction = self.interaction
        self._preview.setPath(interaction.preview() if result is None and interaction is not None else QPainterPath())
        if result is not None:
            self._on_finish(result)

    def _hover(self, event: QMouseEvent) -> None:
        pos = self.mapToScene(event.position().toPoint())
        width, height = self.image_size()
        if 0 <= pos.x() < width and 0 <= pos.y() < height:
            self.hovered.emit(pos.x(), pos.y())
        else:
            self.left.emit()

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        self.left.emit()

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        assert event is not None
        if self._on_divider(event):
            self._dragging_divider = True
            self.viewport().setCursor(Qt.CursorShape.SplitHCursor)
            return None
        if self.interaction is None or not self._drawing(event):
            return super().mousePressEvent(event)
        self._finish(self.interaction.press(self.mapToScene(event.position().toPoint())))

    def mouseMoveEvent(self, event: QMouseEvent | None) -> None:
        assert event is not None
        self._hover(event)
        if self._dragging_divider:
            return self._drag_divider(event)
        if self.interaction is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return super().mouseMoveEvent(event)
        self.interaction.move(self.mapToScene(event.position().toPoint()))
        self._preview.setPath(self.interaction.preview())

    def mouseReleaseEvent(self, event: QMouseEvent | None) -> None:
        assert event is not None
        if self._dragging_divider:
            self._dragging_divider = False
            self._drag_divider(event)
            self._restore_cursor()
            return None
        if self.interaction is None or not self._drawing(event):
            return super().mouseReleaseEvent(event)
        self._finish(self.interaction.release(self.mapToScene(event.position().toPoint())))

    def mouseDoubleClickEvent(self, event: QMouseEvent | None) -> None:
        assert event is not None
        if self.interaction is None or not self._drawing(event):
            return super().mouseDoubleClickEvent(event)
        self._finish(self.interaction.double_click(self.mapToScene(event.position().toPoint())))
