"""Help ▸ Keyboard shortcuts and Help ▸ About: built from the window's own menus, so they never drift."""

from __future__ import annotations

from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..widgets.qt import present

ABOUT = (
    "<h3>JPEG Explorer</h3>"
    "<p>Every image shown is consistent with the JPEG file: its DCT coefficients re-quantize to exactly "
    "the file's. The network proposes one of them; the tools steer it (the control signal z) towards "
    "what you ask, as far as the file allows; exports are verified by re-compression and come with a "
    "JSON report naming the file's SHA-256, the model and every edit.</p>"
    "<p>Consistency shows what the file <i>cannot rule out</i>, not what was there: when several "
    "hypotheses are consistent and about equally plausible, the file does not decide.</p>"
)


def shortcut_rows(menus: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, command, shortcut) for every command of the menu bar that has a shortcut."""
    rows = []
    for menu_action in menus.actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        for action in menu.actions():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and not action.isSeparator():
                rows.append((menu.title().replace("&", ""), action.text().replace("&", ""), keys))
    return rows


class ShortcutsDialog(QDialog):
    """A table of every command's shortcut, grouped by menu."""

    def __init__(self, menus: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(menus)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Menu", "Command", "Shortcut"])
        present(self.table.verticalHeader()).hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        present(self.table.horizontalHeader()).setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 560)
