"""Region selection controls: the drawing tools and the brush size, invert, clear, and what is selected."""

from __future__ import annotations

from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QFormLayout, QGridLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ..canvas.selection import Selection
from ..widgets.buttons import tool_button

REGION_ACTIONS = (
    "pan",
    "select_rectangle",
    "select_polygon",
    "select_freehand",
    "select_brush",
    "select_erase",
    "select_invert",
    "select_clear",
)


class RegionPanel(QWidget):
    def __init__(self, actions: dict[str, QAction], region: Selection) -> None:
        super().__init__()
        self.region = region
        grid = QGridLayout()
        for index, key in enumerate(REGION_ACTIONS):
            grid.addWidget(tool_button(actions[key]), index // 2, index % 2)
        self.brush_size = QSpinBox()
        self.brush_size.setRange(2, 400)
        self.brush_size.setValue(24)
        self.brush_size.setSuffix(" px")
        self.brush_size.setToolTip("Diameter of the selection brush and eraser, in image pixels")
        brush = QFormLayout()
        brush.addRow("Brush size", self.brush_size)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(brush)
        layout.addWidget(self.summary)
        layout.addStretch()
        region.changed.connect(self.refresh)
        self.refresh()

    def brush_radius(self) -> float:
        """Radius of the selection brush in image (display) pixels."""
        return self.brush_size.value() / 2

    def refresh(self) -> None:
        if self.region.is_empty():
            self.summary.setText("No region: tools need one. Draw with a selection tool.")
            return
        pixels = int(self.region.display_mask().sum())
        if pixels == 0:
            self.summary.setText("No pixel selected: the shapes cover no pixel centre.")
            return
        x, y, w, h = self.region.bounding_box()
        self.summary.setText(
            f"{pixels} px selected{' (inverted)' if self.region.inverted else ''}\nbounding box {w}×{h} at ({x}, {y})"
        )
