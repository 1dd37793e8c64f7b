"""The edit history: one entry per committed edit in the user's words (what was asked, on which region,
what it reached), undone ones greyed; clicking an entry goes back to just after it."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QColor
from PyQt6.QtWidgets import QAbstractItemView, QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..jobs.explorer import Explorer
from ..model.records import outcome_texts, tool_words
from ..widgets.buttons import tool_button

VISIBLE_ROWS = 6
STOPS = {"converged": "converged after {} steps", "budget": "{} steps", "cancelled": "stopped after {} steps"}


def region_words(record: dict[str, object]) -> str:
    recorded = record.get("region")
    region = recorded if isinstance(recorded, dict) else {}
    bounds = region.get("bounds_xywh")
    size = list(bounds) if isinstance(bounds, list) else []
    kind = {"selection": "the selection", "rectangle": "a rectangle"}.get(str(region.get("kind")), "a region")
    return f"{kind} of {size[2]}×{size[3]} px at ({size[0]}, {size[1]})" if len(size) == 4 else kind


def describe(record: dict[str, object]) -> tuple[str, str]:
    """(the entry's text: what was done and what it reached; a tooltip with the details)."""
    reached = "; ".join(outcome_texts(record))
    text = tool_words(record) + (f"\n{reached}" if reached else "")
    stop = STOPS.get(str(record.get("stopped")), "{} steps").format(record.get("steps", "?"))
    tip = f"{tool_words(record)}\nOn {region_words(record)}, {stop}." + (f"\n{reached}" if reached else "")
    return text, tip


class HistoryPanel(QWidget):
    def __init__(self, explorer: Explorer, actions: dict[str, QAction]) -> None:
        super().__init__()
        self.explorer = explorer
        self.list = QListWidget()
        self.list.setToolTip("Committed edits, oldest first; click one to go back to just after it")
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setMinimumHeight(VISIBLE_ROWS * self.fontMetrics().lineSpacing())
        self.list.itemClicked.connect(lambda item: explorer.go_to(item.data(Qt.ItemDataRole.UserRole)))
        buttons = QHBoxLayout()
        for key in ("undo", "redo"):
            buttons.addWidget(tool_button(actions[key]))
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        explorer.changed.connect(self.refresh)

    def refresh(self) -> None:
        self.list.clear()
        session = self.explorer.session
        if session is None:
            return
        start = QListWidgetItem("Opened file (network decode, z = 0)")
        start.setData(Qt.ItemDataRole.UserRole, 0)
        self.list.addItem(start)
        for index, entry in enumerate(session.history.entries):
            text, tip = describe(entry.record)
            item = QListWidgetItem(f"{index + 1}. {text}")
            item.setToolTip(tip)
            item.setData(Qt.ItemDataRole.UserRole, index + 1)
            if index >= session.history.position:
                item.setForeground(QColor(150, 150, 150))
            self.list.addItem(item)
        self.list.setCurrentRow(session.history.position)
        self.list.scrollToItem(self.list.currentItem())
