"""Tools that put the user's own pixels in: scribble strokes and imprinted pictures. Both are projected
onto the file's quantization boxes by the engine before z is optimized towards them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QPainterPath, QPen, QPixmap
from PyQt6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QFileDialog,
    QGraphicsPathItem,
    QLabel,
    QPushButton,
    QSpinBox,
)

from ..engine.regions import Region, brush
from ..engine.tools import Imprint, Scribble, Stroke, Tool
from .buttons import command_button
from .canvas import to_qimage
from .imprint_gizmo import ImprintGizmo
from .interactions import Interaction
from .tool_host import ToolHost
from .tool_panels import PointPick, ToolPanel, slider

if TYPE_CHECKING:
    from .canvas import ImageCanvas

STROKE_KINDS = ("pen", "line", "rectangle", "ellipse")
MODES = {"paint": "paint the colour", "brighten": "brighten under the strokes", "darken": "darken under the strokes"}


def stroke_pen(color: QColor, width: float) -> QPen:
    """How a stroke is drawn on the canvas: its colour, at its width in image pixels, round ends."""
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


class StrokeDraw(Interaction):
    """A drag is one stroke; the result is its display points (pen: every point; others: the two ends).
    While dragging it is drawn as it will be painted: its colour, at its width."""

    name = "stroke"

    def __init__(self, kind: str, pen: QPen) -> None:
        super().__init__()
        self.kind = kind
        self.pen = pen

    def preview_pen(self) -> QPen:
        return self.pen

    def finished(self) -> list[QPointF] | None:
        if len(self.points) < 2:
            return None
        return self.points if self.kind == "pen" else [self.points[0], self.points[-1]]

    def preview(self) -> QPainterPath:
        return stroke_path(self.kind, self.finished() or [])


def stroke_path(kind: str, points: list[QPointF]) -> QPainterPath:
    """What a stroke looks like on the canvas (display coordinates)."""
    path = QPainterPath()
    if len(points) < 2:
        return path
    if kind in ("rectangle", "ellipse"):
        box = QRectF(points[0], points[-1]).normalized()
        path.addRect(box) if kind == "rectangle" else path.addEllipse(box)
        return path
    path.moveTo(points[0])
    for point in points[1:]:
        path.lineTo(point)
    return path


class ScribblePanel(ToolPanel):
    title, icon_name, tip, shortcut = "Scribble", "scribble", "Paint strokes, or brighten/darken under them", "Shift+S"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.strokes: list[Stroke] = []
        self.drawn: list[QGraphicsPathItem] = []
        self.color = QColor(255, 255, 255)
        self.kind = QComboBox()
        self.kind.addItems(STROKE_KINDS)
        self.kind.setToolTip("Shape of the next stroke")
        self.mode = QComboBox()
        for key, text in MODES.items():
            self.mode.addItem(text, key)
        self.mode.setToolTip("Paint the chosen colour, or only change the brightness under the strokes")
        self.pen_width = QSpinBox()
        self.pen_width.setRange(1, 40)
        self.pen_width.setValue(3)
        self.pen_width.setToolTip("Stroke width in image pixels")
        self.amount = slider(0, 120, 40, "Grey levels to add or remove when brightening or darkening", 0)
        self.color_button = QPushButton("Colour…")
        self.color_button.setToolTip("Colour of painted strokes")
        self.color_button.clicked.connect(self.choose_color)
        self.form.addRow("Shape", self.kind)
        self.form.addRow("Mode", self.mode)
        self.form.addRow("Width", self.pen_width)
        self.form.addRow("Amount", self.amount)
        self.form.addRow("Colour", self.color_button)
        draw = command_button(
            "scribble", "Draw strokes", "Drag on the image to draw strokes of the chosen shape", self.start_drawing
        )
        dropper = command_button(
            "eyedropper",
            "Pick colour from image",
            "Click a pixel of the current image to use its colour",
            lambda: host.canvas.set_interaction(PointPick(), self.pick_color),
        )
        clear = command_button("select-clear", "Clear strokes", "Remove the strokes drawn so far", self.clear_strokes)
        for button in (draw, dropper, clear):
            self.extra.addWidget(button)
        self._set_color(self.color)

    @property
    def canvas(self) -> ImageCanvas:
        return self.host.canvas

    def pen(self) -> QPen:
        """The pen of the next stroke: the paint colour (or white/black for brighten/darken), its width."""
        mode = self.mode.currentData()
        color = (
            self.color
            if mode == "paint"
            else QColor(255, 255, 255, 160)
            if mode == "brighten"
            else QColor(0, 0, 0, 160)
        )
        return stroke_pen(color, float(self.pen_width.value()))

    def start_drawing(self) -> None:
        self.canvas.set_interaction(StrokeDraw(self.kind.currentText(), self.pen()), self.add_stroke)

    def add_stroke(self, points: list[QPointF]) -> None:
        kind = self.kind.currentText()
        file_points = tuple(self.host.to_file_point(p) for p in points)
        self.strokes.append(Stroke(kind, file_points, float(self.pen_width.value())))
        drawn = QGraphicsPathItem(stroke_path(kind, points))
        drawn.setPen(self.pen())
        drawn.setZValue(5)
        self.canvas.scene().addItem(drawn)
        self.drawn.append(drawn)
        if self.canvas.interaction is not None:
            self.start_drawing()

    def clear_strokes(self) -> None:
        self.strokes = []
        for item in self.drawn:
            self.canvas.scene().removeItem(item)
        self.drawn = []

    def committed(self, record: dict[str, object]) -> None:
        """The strokes are in the image now: they leave the canvas (as a painted stroke would)."""
        super().committed(record)
        self.clear_strokes()

    def choose_color(self) -> None:
        color = QColorDialog.getColor(self.color, self, "Stroke colour")
        if color.isValid():
            self._set_color(color)

    def pick_color(self, pos: QPointF) -> None:
        self._set_color(self.canvas.shown_image().pixelColor(int(pos.x()), int(pos.y())))

    def _set_color(self, color: QColor) -> None:
        self.color = color
        self.color_button.setStyleSheet(f"background:{color.name()};")

    def region(self) -> Region | None:
        """The selection, or else a band around the strokes."""
        selected = self.host.selection()
        if selected is not None or not self.strokes:
            return selected
        shape = self.host.session().shape
        bands = [brush(shape, s.points, s.width / 2 + 4) for s in self.strokes]
        region = bands[0]
        for band in bands[1:]:
            region = region.union(band)
        return region

    def make_tool(self) -> Tool | None:
        if not self.strokes:
            self.message.setText("Draw at least one stroke first.")
            return None
        mode = self.mode.currentData()
        if mode == "paint":
            rgb = (float(self.color.red()), float(self.color.green()), float(self.color.blue()))
            grey = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
            color = rgb if self.host.session().code.is_color else (grey,)
            return Scribble(tuple(self.strokes), color=color)
        sign = 1.0 if mode == "brighten" else -1.0
        return Scribble(tuple(self.strokes), color=None, brightness=sign * self.amount.value())


class ImprintPanel(ToolPanel):
    title, icon_name, tip, shortcut = (
        "Imprint",
        "imprint",
        "Imprint a picture (a file or a piece of this image)",
        "Shift+I",
    )

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.picture: np.ndarray | None = None
        self.position: tuple[float, float] | None = None
        self.preview_position = QPointF()
        self.scale = slider(0.1, 4, 1.0, "Scale of the imprinted picture", 2)
        self.angle = slider(-180, 180, 0, "Rotation in degrees (anticlockwise)", 0)
        self.search = QSpinBox()
        self.search.setRange(0, 16)
        self.search.setToolTip(
            "Auto-placement: try every shift up to this many pixels and keep the one the "
            "file contradicts least (0: exactly where placed)"
        )
        self.form.addRow("Scale", self.scale)
        self.form.addRow("Angle (°)", self.angle)
        self.form.addRow("Auto-place ± px", self.search)
        load = command_button("open", "Load picture…", "Imprint an image file", self.ask_picture)
        copy = command_button(
            "imitate", "Copy the selection", "Imprint the selected piece of the current image", self.copy_selection
        )
        self.place_button = command_button(
            "imprint",
            "Click to place",
            "Click where the picture's centre should go; then drag the picture, its corner grip (scale) "
            "or the grip above it (rotation)",
            lambda: host.canvas.set_interaction(PointPick(), self.place),
        )
        self.summary = QLabel("No picture yet")
        self.summary.setWordWrap(True)
        for widget in (load, copy, self.place_button, self.summary):
            self.extra.addWidget(widget)
        self.preview = ImprintGizmo()
        self.preview.moved.connect(self.move_to)
        self.preview.reshaped.connect(self.reshape)
        host.canvas.scene().addItem(self.preview)
        for control in (self.scale, self.angle):
            control.valueChanged.connect(self._update_preview)

    def ask_picture(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Picture to imprint", "", "Images (*.png *.jpg *.jpeg *.bmp)")
        if name:
            with Image.open(name) as image:
                self.set_picture(np.asarray(image.convert("RGB"), dtype=np.float32))

    def copy_selection(self) -> None:
        region = self.host.selection()
        if region is None:
            self.summary.setText("Select the piece to copy first")
            return
        self.set_picture(self.host.file_pixels(region))
        self.host.clear_selection()

    def set_picture(self, picture: np.ndarray) -> None:
        self.picture = picture
        self.summary.setText(f"Picture {picture.shape[1]}×{picture.shape[0]} px; click to place it")
        pixels = np.clip(np.round(picture), 0, 255).astype(np.uint8)
        self.preview.set_pixmap(QPixmap.fromImage(to_qimage(pixels)))
        self._update_preview()

    def place(self, pos: QPointF) -> None:
        """A click put the picture's centre at ``pos``; from now on the picture and its grips are dragged
        directly (the canvas goes back to panning, where drags reach them)."""
        self.move_to(pos)
        self.host.pan()
        self.summary.setText(
            "Drag the picture to move it, its corner grip to scale it, the grip above it to rotate it; then Apply"
        )

    def move_to(self, pos: QPointF) -> None:
        self.position = self.host.to_file_point(pos)
        self.preview_position = pos
        self._update_preview()

    def reshape(self, scale: float, angle: float) -> None:
        """A grip was dragged: the sliders follow (and they redraw the preview)."""
        self.scale.setValue(scale)
        self.angle.setValue(angle)

    def _update_preview(self) -> None:
        shown = self.picture is not None and self.position is not None
        self.preview.setVisible(shown)
        if shown:
            self.preview.set_placement(self.preview_position, self.scale.value(), self.angle.value())

    def region(self) -> Region | None:
        """The selection, or else the placed picture's footprint (with the auto-placement margin)."""
        selected = self.host.selection()
        if selected is not None or self.picture is None or self.position is None:
            return selected
        radius = 0.5 * self.scale.value() * float(np.hypot(*self.picture.shape[:2])) + self.search.value()
        return brush(self.host.session().shape, [self.position], radius)

    def make_tool(self) -> Tool | None:
        if self.picture is None or self.position is None:
            self.message.setText("Load or copy a picture and click where it goes.")
            return None
        self.preview.setVisible(False)
        return Imprint(
            self.picture,
            self.position,
            scale=self.scale.value(),
            angle=self.angle.value(),
            search_radius=self.search.value(),
        )
