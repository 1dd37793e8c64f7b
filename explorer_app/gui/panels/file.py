"""What the opened file is: the facts an analyst checks before trusting anything else."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...codec import JpegCode
from ...codec.tables import CHROMA_BASE, LUMA_BASE, estimate_ijg_quality
from ..model.geometry import TURNED, display_size
from ..widgets.qt import present

COMPONENTS = ("Y", "Cb", "Cr")
ORIENTATION_NAMES = {
    1: "as stored",
    2: "mirrored",
    3: "rotated 180°",
    4: "flipped vertically",
    5: "transposed",
    6: "rotated 90° clockwise",
    7: "transversed",
    8: "rotated 90° anticlockwise",
}

FIELD_LABELS = {
    "file": "File",
    "size": "Size",
    "sampling": "Sampling",
    "coding": "Coding",
    "orientation": "Orientation",
    "camera": "Camera",
    "date": "Date",
    "sha256": "SHA-256",
    "quality": "Tables",
}


def quality_text(table, base) -> str:
    quality, error = estimate_ijg_quality(table, base)
    return f"IJG quality ≈ {quality}" + ("" if error == 0 else f" (not IJG tables; mean deviation {error:.1f})")


def displayed_size(code: JpegCode) -> str:
    """The size as the image is shown (EXIF orientation applied), with the stored one when they differ."""
    height, width = display_size(code.orientation, code.height, code.width)
    stored = f" (stored {code.width} × {code.height}, turned by EXIF)" if code.orientation in TURNED else ""
    return f"{width} × {height} px{stored}, {code.width * code.height / 1e6:.2f} MP"


def _selectable(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class FilePanel(QWidget):
    """Dimensions, sampling, coding, quantization tables with the estimated IJG quality, EXIF, SHA-256."""

    def __init__(self) -> None:
        super().__init__()
        self.fields = {name: _selectable() for name in FIELD_LABELS}
        form = QFormLayout()
        for name, label in self.fields.items():
            form.addRow(FIELD_LABELS[name], label)
        self.fields["sha256"].setStyleSheet("font-family: monospace;")
        self.fields["sha256"].setMinimumHeight(4 * self.fontMetrics().lineSpacing() + 4)
        self.fields["sha256"].setToolTip("SHA-256 of the file's bytes: the report of every export names it")
        self.component = QComboBox()
        self.component.setToolTip("Which component's quantization table to show")
        self.component.currentIndexChanged.connect(self._show_table)
        self.table = QTableWidget(8, 8)
        self.table.setToolTip("Quantization table M (natural order): larger steps = coarser, more ambiguity")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        present(self.table.horizontalHeader()).setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        present(self.table.verticalHeader()).setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        present(self.table.horizontalHeader()).hide()
        present(self.table.verticalHeader()).hide()
        self.table.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.component)
        layout.addWidget(self.table)
        layout.addStretch()
        self._code: JpegCode | None = None

    def show_code(self, code: JpegCode) -> None:
        self._code = code
        exif = code.exif
        values = {
            "file": Path(code.source).name,
            "size": displayed_size(code),
            "sampling": code.subsampling if code.is_color else "greyscale",
            "coding": "progressive" if code.progressive else "baseline",
            "orientation": f"{code.orientation}: {ORIENTATION_NAMES[code.orientation]}",
            "camera": " ".join(v for k, v in exif.items() if k.startswith("camera")) or "(no EXIF)",
            "date": exif.get("date taken", exif.get("date", "(no EXIF)")),
            "sha256": "\n".join(code.sha256[i : i + 16] for i in range(0, 64, 16)),
            "quality": quality_text(code.tables[0], LUMA_BASE),
        }
        for name, value in values.items():
            self.fields[name].setText(value)
        self.fields["file"].setToolTip(code.source)
        self.component.blockSignals(True)
        self.component.clear()
        self.component.addItems([f"{name} table" for name in COMPONENTS[: len(code.tables)]])
        self.component.blockSignals(False)
        self._show_table(0)

    def _show_table(self, index: int) -> None:
        if self._code is None or index < 0:
            return
        table = self._code.tables[index]
        for row in range(8):
            for column in range(8):
                item = QTableWidgetItem(str(int(table[row, column])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        self.table.setToolTip(quality_text(table, LUMA_BASE if index == 0 else CHROMA_BASE))
