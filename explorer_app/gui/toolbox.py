"""The tool chooser: one icon button per tool above the chosen tool's panel."""
from __future__ import annotations

from PyQt6.QtCore import QSize
from PyQt6.QtWidgets import QButtonGroup, QGridLayout, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from .icons import icon
from .tool_panels import ToolPanel

COLUMNS = 5


class ToolBox(QWidget):
    """``panels`` by title; ``show_panel(title)`` brings one forward (as clicking its button does)."""

    def __init__(self, panels: list[ToolPanel]) -> None:
        super().__init__()
        self.panels = {panel.title: panel for panel in panels}
        self.stack = QStackedWidget()
        self.buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(self)
        grid = QGridLayout()
        grid.setSpacing(2)
        for index, panel in enumerate(panels):
            button = QToolButton()
            button.setIcon(icon(panel.icon_name))
            button.setIconSize(QSize(26, 26))
            button.setCheckable(True)
            button.setToolTip(f"{panel.title}: {panel.tip}")
            button.clicked.connect(lambda _=False, title=panel.title: self.show_panel(title))
            group.addButton(button)
            grid.addWidget(button, index // COLUMNS, index % COLUMNS)
            self.stack.addWidget(panel)
            self.buttons[panel.title] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addWidget(self.stack, 1)
        self.show_panel(panels[0].title)

    def show_panel(self, title: str) -> ToolPanel:
        panel = self.panels[title]
        self.buttons[title].setChecked(True)
        self.stack.setCurrentWidget(panel)
        return panel
