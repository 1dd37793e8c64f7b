"""The Periodicity tool: click an origin and one or two points a period away; the region repeats with
those periods. Its canvas interaction is the shared point pick; the clicked points are marked here."""

from __future__ import annotations

from PyQt6.QtCore import QLineF, QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QPen
from PyQt6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem, QLabel

from ...engine.tools import (
    Periodic,
    Tool,
)
from ..canvas.interactions import PointPick
from ..widgets.buttons import command_button
from .base import ToolPanel
from .host import ToolHost

MARKER_PEN = QPen(QColor(0, 220, 255), 2)
MARKER_PEN.setCosmetic(True)


def marker(pos: QPointF, origin: bool) -> QGraphicsItem:
    """A point of constant screen size at ``pos``: filled for the origin, hollow for period ends."""
    dot = QGraphicsEllipseItem(QRectF(-5, -5, 10, 10))
    dot.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    dot.setPos(pos)
    dot.setPen(MARKER_PEN)
    dot.setBrush(QBrush(QColor(0, 220, 255)) if origin else QBrush(Qt.BrushStyle.NoBrush))
    dot.setZValue(6)
    return dot


class PeriodicityPanel(ToolPanel):
    title, icon_name, tip, shortcut = (
        "Periodicity",
        "periodicity",
        "Make the region repeat with a period you click",
        "Shift+P",
    )

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.points: list[tuple[float, float]] = []
        self.markers: list[QGraphicsItem] = []
        pick = command_button(
            "periodicity",
            "Click points on the image",
            "Click an origin, then one point a period away (1-D) and optionally a second (2-D)",
            self.start_picking,
        )
        clear = command_button("select-clear", "Clear points", "Forget the clicked points", self.clear_points)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        for widget in (pick, clear, self.summary):
            self.extra.addWidget(widget)
        self.clear_points()

    def start_picking(self) -> None:
        self.clear_points()
        self.host.canvas.set_interaction(PointPick(), self.add_point)

    def add_point(self, pos: QPointF) -> None:
        if len(self.points) == 3:
            self.clear_points()
        self.points.append(self.host.to_file_point(pos))
        self._mark(pos)
        self.summary.setText(self._describe())

    def _mark(self, pos: QPointF) -> None:
        """Draw the clicked point; a period end also gets a line from the origin."""
        scene = self.host.canvas.scene()
        items = [marker(pos, origin=not self.markers)]
        if self.markers:
            line = QGraphicsLineItem(QLineF(self.markers[0].pos(), pos))
            line.setPen(MARKER_PEN)
            line.setZValue(6)
            items.append(line)
        for item in items:
            scene.addItem(item)
        self.markers += items

    def clear_points(self) -> None:
        self.points = []
        for item in self.markers:
            self.host.canvas.scene().removeItem(item)
        self.markers = []
        self.summary.setText(self._describe())

    def periods(self) -> tuple[tuple[float, float], ...]:
        """((dy, dx), …) in file pixels from the origin to each further point."""
        (x0, y0), rest = self.points[0], self.points[1:]
        return tuple((y - y0, x - x0) for x, y in rest)

    def _describe(self) -> str:
        if len(self.points) < 2:
            return f"{len(self.points)} point(s): click an origin and a point one period away"
        return "Periods (dy, dx): " + ", ".join(f"({dy:.1f}, {dx:.1f})" for dy, dx in self.periods())

    def make_tool(self) -> Tool | None:
        if len(self.points) < 2:
            self.message.setText("Click at least two points: an origin and one period away.")
            return None
        return Periodic(periods=self.periods())
