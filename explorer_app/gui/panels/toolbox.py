"""The tool chooser: one named button per tool above the chosen tool's panel, which scrolls when it is
taller than the room left (26 letter hypotheses on a laptop screen)."""

from __future__ import annotations

from PyQt6.QtCore import QSize, Qt, pyqtSignal
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..tools.base import ToolPanel
from ..widgets.icons import icon
from ..widgets.qt import present

COLUMNS = 2


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless vertical scroll area that takes whatever height it is given."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setMinimumHeight(60)
    return area


class ToolBox(QWidget):
    """``panels`` by title; ``show_panel(title)`` brings one forward (as clicking its button does) and
    emits ``panelChanged(title)``."""

    panelChanged = pyqtSignal(str)

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
            button.setIconSize(QSize(20, 20))
            button.setText(panel.title)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setCheckable(True)
            keys = QKeySequence(panel.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{panel.title}: {panel.tip} ({keys})")
            button.clicked.connect(lambda _=False, title=panel.title: self.show_panel(title))
            group.addButton(button)
            grid.addWidget(button, index // COLUMNS, index % COLUMNS)
            self.stack.addWidget(panel)
            self.buttons[panel.title] = button
        self.stack.currentChanged.connect(self._fit_stack)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addWidget(scrolling(self.stack), 1)
        self.show_panel(panels[0].title)

    def _fit_stack(self) -> None:
        """The stack is as tall as the shown panel (not the tallest one), so short panels do not scroll."""
        for index in range(self.stack.count()):
            policy = QSizePolicy.Policy.Preferred if index == self.stack.currentIndex() else QSizePolicy.Policy.Ignored
            present(self.stack.widget(index)).setSizePolicy(QSizePolicy.Policy.Preferred, policy)
        self.stack.adjustSize()

    def show_panel(self, title: str) -> ToolPanel:
        panel = self.panels[title]
        self.buttons[title].setChecked(True)
        self.stack.setCurrentWidget(panel)
        self.panelChanged.emit(title)
        return panel

    def current(self) -> ToolPanel:
        panel = self.stack.currentWidget()
        assert isinstance(panel, ToolPanel)
        return panel
