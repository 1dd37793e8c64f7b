"""Tools that put the user's own pixels in: scribble strokes and imprinted pictures. Both are projected
onto the file's quantization boxes by the engine before z is optimized towards them."""

from __future__ import annotations

from typing import cast

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QPainterPath, QPen
from PyQt6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QGraphicsPathItem,
    QPushButton,
    QSpinBox,
)

from ...engine.regions import Region, brush
from ...engine.tools import Scribble, Stroke, Tool
from ...engine.tools.scribble import StrokeKind
from ..canvas.canvas import ImageCanvas
from ..canvas.interactions import Interaction, PointPick
from ..widgets.buttons import command_button
from .base import ToolPanel, slider
from .host import ToolHost

STROKE_KINDS = ("pen", "line", "rectangle", "ellipse")
MODES = {"paint": "paint the colour", "brighten": "brighten under the strokes", "darken": "darken under the strokes"}


def stroke_pen(color: QColor, width: float) -> QPen:
    """How a stroke is drawn on the canvas: its colour, at its width in image pixels, round ends."""
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


class StrokeDraw(Interaction[list[QPointF]]):
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
        kind = cast(StrokeKind, self.kind.currentText())  # the combo box lists STROKE_KINDS only
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
        shape = self.host.open_session().shape
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
            color = rgb if self.host.open_session().code.is_color else (grey,)
            return Scribble(tuple(self.strokes), color=color)
        sign = 1.0 if mode == "brighten" else -1.0
        return Scribble(tuple(self.strokes), color=None, brightness=sign * self.amount.value())
