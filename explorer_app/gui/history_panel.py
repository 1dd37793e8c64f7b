"""The edit history: one line per committed edit, undone ones greyed; clicking a line goes back to it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QColor
from PyQt6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from .view_panel import tool_button

if TYPE_CHECKING:
    from .window import MainWindow


def describe(record: dict[str, object]) -> str:
    """One line for a history record: tool, parameters, region size, steps and how it stopped."""
    parameters = ", ".join(f"{k} {v}" for k, v in dict(record.get("parameters", {})).items()
                           if isinstance(v, (int, float, str)))
    region = dict(record.get("region", {}))
    size = "×".join(str(v) for v in list(region.get("bounds_xywh", []))[2:])
    return (f"{record.get('tool', '?')}({parameters}) on {region.get('kind', 'region')} {size}, "
            f"{record.get('steps', '?')} steps, {record.get('stopped', '')}")


class HistoryPanel(QWidget):
    def __init__(self, window: MainWindow, actions: dict[str, QAction]) -> None:
        super().__init__()
        self.window = window
        self.list = QListWidget()
        self.list.setToolTip("Committed edits, oldest first; click one to go back to just after it")
        self.list.itemClicked.connect(lambda item: window.explorer.go_to(item.data(Qt.ItemDataRole.UserRole)))
        buttons = QHBoxLayout()
        for key in ("undo", "redo"):
            buttons.addWidget(tool_button(actions[key]))
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        window.explorer.changed.connect(self.refresh)

    def refresh(self) -> None:
        session = self.window.explorer.session
        self.list.clear()
        start = QListWidgetItem("Opened file (network decode, z = 0)")
        start.setData(Qt.ItemDataRole.UserRole, 0)
        self.list.addItem(start)
        for index, entry in enumerate(session.history.entries):
            item = QListWidgetItem(f"{index + 1}. {describe(entry.record)}")
            item.setData(Qt.ItemDataRole.UserRole, index + 1)
            if index >= session.history.position:
                item.setForeground(QColor(150, 150, 150))
            self.list.addItem(item)
        self.list.setCurrentRow(session.history.position)
