"""The result of a verified export: a badge nobody can miss, the figures, and where the report went."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...export.exporter import report_path
from ...verify.encoders import BY_KEY
from ...verify.report import ComponentAgreement, EncoderFigures, VerificationReport
from ..widgets.icons import icon
from ..widgets.qt import present

BADGE_STYLE = {True: "background:#1b8a3a;color:white;", False: "background:#c0392b;color:white;"}


def percent(components: list[ComponentAgreement] | None, index: int, within_one: bool = False) -> str:
    if components is None or index >= len(components):
        return "–"
    c = components[index]
    count = c.within_one if within_one else c.identical
    return f"{100 * count / c.total:.4f}%" if c.total else "–"


def repaired_for(report: VerificationReport) -> str:
    """Which encoder an export was repaired for, as a phrase: "repaired for <name> (<key>)"."""
    encoder = BY_KEY[report.repaired_for]
    return f"repaired for {encoder.name} ({encoder.key})"


class ExportResultDialog(QDialog):
    """Shows one export's VerificationReport. ``badge`` reads VERIFIED or NOT VERIFIED."""

    def __init__(self, report: VerificationReport, png_path: Path, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export verification")
        self.report = report
        self.report_file = report_path(png_path)
        verified = report.verified
        mark = QLabel()
        mark.setPixmap(icon("verified" if verified else "not-verified").pixmap(QSize(40, 40)))
        self.badge = QLabel("VERIFIED" if verified else "NOT VERIFIED")
        self.badge.setStyleSheet(
            BADGE_STYLE[verified] + "font-size:20px;font-weight:bold;padding:6px 14px;border-radius:6px;"
        )
        self.badge.setToolTip(
            "Verified: at least one documented encoder (libjpeg's integer pipeline, the reference "
            "encoder, or another the table lists) re-encodes the PNG with the file's tables to every "
            "quantized coefficient of the source JPEG"
        )
        explanation = QLabel(report.summary())
        explanation.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(mark)
        header.addWidget(self.badge)
        header.addWidget(explanation, 1)
        self.figures = self._figure_table(report)
        phrase = repaired_for(report)
        self.repaired = QLabel(f"{phrase[0].upper()}{phrase[1:]}: the encoder the PNG's rounding was mended for")
        png = QLabel(f"Image: {png_path}")
        self.report_label = QLabel(f"Report: {self.report_file}")
        for label in (png, self.report_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notes = QLabel("\n".join(report.notes + ([f"Remedy: {report.remedy}"] if report.remedy else [])))
        notes.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.figures)
        layout.addWidget(self.repaired)
        layout.addWidget(png)
        layout.addWidget(self.report_label)
        layout.addWidget(notes)
        layout.addWidget(buttons)
        self.resize(640, 360)

    @staticmethod
    def _figure_table(report: VerificationReport) -> QTableWidget:
        def figures(encoder: EncoderFigures) -> list[ComponentAgreement] | None:
            return encoder.components if encoder.applies else None

        names = [c.name for c in next(e for e in report.encoders if e.applies).components]
        encoders = sorted(report.encoders, key=lambda e: not e.applies)  # encoders that judged the image first
        rows = [
            (f"{e.name[0].upper()}{e.name[1:]}: {label}", figures(e), within)
            for e in encoders
            for label, within in (("identical", False), ("within ±1", True))
        ]
        table = QTableWidget(len(rows), len(names))
        table.setHorizontalHeaderLabels(names)
        table.setVerticalHeaderLabels([r[0] for r in rows])
        for row, (_, components, within) in enumerate(rows):
            for column in range(len(names)):
                item = QTableWidgetItem(percent(components, column, within))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                table.setItem(row, column, item)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        present(table.horizontalHeader()).setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setToolTip(
            "Share of quantized DCT coefficients that come back identical when the PNG is "
            "JPEG-encoded again with the source file's tables, per component"
        )
        return table
