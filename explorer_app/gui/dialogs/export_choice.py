"""The export dialog: where the verified PNG goes, at which depth, and which encoder wrote the file when the
user knows it (the file cannot say: docs/verification.md, "Repaired for the encoder that wrote the file")."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ...export.writer import NAMEABLE, writer_target
from ...verify.encoders import BY_KEY, Encoder
from ..widgets.qt import present
from .preferences import CHOICES

NOT_KNOWN = "Not known (libjpeg / reference encoder)"
DEFAULT_PLAN = (
    "Repaired for libjpeg's integer encoder (8 bits) or the reference encoder (16 bits). A file cannot say "
    "which libjpeg-family encoder wrote it: name it if you know it, and the export is repaired for it."
)


@dataclass(frozen=True)
class ExportChoice:
    """What the user chose: the PNG's path, its depth (8, 16, or 0: chosen by what verifies) and the file's
    writer (None: not known)."""

    path: Path
    bit_depth: int
    writer: Encoder | None


def writer_label(encoder: Encoder) -> str:
    """How the choice reads: the encoder's name (as its project spells it) and its report key."""
    return f"{encoder.name} ({encoder.key})"


def plan(writer: Encoder | None, bit_depth: int) -> str:
    """What an export at ``bit_depth`` (0: chosen) does for ``writer``, in a sentence or two."""
    target = writer_target(writer, bit_depth or None)
    if target.encoder is not None:
        return (
            f"An 8-bit PNG is repaired for {target.encoder.name} first; should it not verify, the export is "
            "repaired as when the writer is not known, and the report says why."
        )
    if target.note:
        return f"Not repaired for the named writer: {target.note}. The report still judges it."
    if writer is not None:
        return f"Repaired for {writer.name} (8 bits) or the reference encoder (16 bits), as by default."
    return DEFAULT_PLAN


class ExportDialog(QDialog):
    """Proposes ``suggestion`` at ``bit_depth`` with the writer ``writer_key`` ("": not known) chosen; a
    remembered writer is said to be one. :meth:`choice` reads the answer once accepted."""

    def __init__(self, suggestion: Path, bit_depth: int, writer_key: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export verified PNG")
        self.path_edit = QLineEdit(str(suggestion))
        self.path_edit.textChanged.connect(self._update)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(self.browse_button)
        self.depth_choice = QComboBox()
        for value, text in CHOICES["export_bit_depth"]:
            self.depth_choice.addItem(text, value)
        self.depth_choice.setCurrentIndex(max(0, self.depth_choice.findData(bit_depth)))
        self.writer_choice = QComboBox()
        self.writer_choice.addItem(NOT_KNOWN, "")
        for encoder in NAMEABLE:
            self.writer_choice.addItem(writer_label(encoder), encoder.key)
            self.writer_choice.setItemData(self.writer_choice.count() - 1, encoder.title, Qt.ItemDataRole.ToolTipRole)
        self.writer_choice.setCurrentIndex(max(0, self.writer_choice.findData(writer_key)))
        self.writer_choice.setToolTip("The encoder that wrote the source file, if you know it (the file cannot say)")
        self.remembered_key = writer_key
        self.remembered = QLabel("Remembered from your last export of this file (the same bytes).")
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = present(self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for combo in (self.depth_choice, self.writer_choice):
            combo.currentIndexChanged.connect(self._update)
        form = QFormLayout()
        form.addRow("Save as", where)
        form.addRow("PNG depth", self.depth_choice)
        form.addRow("Written by", self.writer_choice)
        form.addRow("", self.remembered)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.plan)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumSize(620, 220)
        self._update()

    def choice(self) -> ExportChoice:
        return ExportChoice(Path(self.path_edit.text().strip()), int(self.depth_choice.currentData()), self._writer())

    def _writer(self) -> Encoder | None:
        return BY_KEY.get(self.writer_choice.currentData())

    def _update(self) -> None:
        self.plan.setText(plan(self._writer(), int(self.depth_choice.currentData())))
        self.remembered.setVisible(
            bool(self.remembered_key) and self.writer_choice.currentData() == self.remembered_key
        )
        self.export_button.setEnabled(bool(self.path_edit.text().strip()))

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export verified PNG", self.path_edit.text(), "PNG images (*.png)")
        if name:
            self.path_edit.setText(name)
