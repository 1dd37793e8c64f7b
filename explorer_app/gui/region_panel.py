"""Region selection controls: the drawing tools, invert, clear, and what is selected."""
from __future__ import annotations

from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from .regions import Region
from .view_panel import tool_button

REGION_ACTIONS = ("pan", "select_rectangle", "select_polygon", "select_freehand", "select_invert", "select_clear")


class RegionPanel(QWidget):
    def __init__(self, actions: dict[str, QAction], region: Region) -> None:
        super().__init__()
        self.region = region
        grid = QGridLayout()
        for index, key in enumerate(REGION_ACTIONS):
            grid.addWidget(tool_button(actions[key]), index // 2, index % 2)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.summary)
        layout.addStretch()
        region.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        if self.region.is_empty():
            self.summary.setText("No region: tools need one. Draw with a selection tool.")
            return
        x, y, w, h = self.region.bounding_box()
        pixels = int(self.region.display_mask().sum())
        self.summary.setText(f"{pixels} px selected{' (inverted)' if self.region.inverted else ''}\n"
                             f"bounding box {w}×{h} at ({x}, {y})")
