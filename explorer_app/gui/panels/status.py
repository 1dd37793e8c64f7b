"""The status bar: the last outcome (kept until the next one), the running job with its progress and
cancel, what is under the cursor (in a place of its own), consistency of the current image, model, device
and zoom."""

from __future__ import annotations

import time
from typing import TypeVar

from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar, QToolButton

from ..widgets.elided import ElidedLabel

COLORS = {True: "color:#1b8a3a;", False: "color:#c0392b;font-weight:bold;", None: ""}
READOUT_TEMPLATE = "x 0000, y 0000 · RGB 000 000 000 · Y 000 · block (000, 000): 00/64 kept, DC step 000"
"""The readout's widest line on a 12-MP photo: its label is that wide, so the message beside it never moves."""
JOB_LABEL_MAX = 320
"""The running job's stage is shown whole up to this many px."""
READOUT_TIP = "Under the cursor: file coordinates, colour, luma Y, the 8×8 block and its quantization"


Label = TypeVar("Label", bound=QLabel)


def narrow(label: Label, minimum: int) -> Label:
    """A label that never widens the window: it gets what room there is, at least ``minimum`` px."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(minimum)
    return label


class StatusPanel:
    """Widgets of the window's status bar, updated by the window. ``message`` holds the last outcome
    ("Cancelled: nothing was changed", "VERIFIED: …", what an edit reached) until the next one: hover
    tips cover it for a moment and it comes back; what does not fit ends in "…" (the whole of it is in its
    tooltip)."""

    def __init__(self, bar: QStatusBar, cancel: QAction) -> None:
        self.message = narrow(ElidedLabel(), 120)
        self.readout = QLabel()
        self.readout.setFixedWidth(self.readout.fontMetrics().horizontalAdvance(READOUT_TEMPLATE) + 8)
        self.readout.setToolTip(READOUT_TIP)
        self.job = QLabel()
        self.job.setMaximumWidth(JOB_LABEL_MAX)
        self.device = QLabel()
        self.device.setToolTip("Where the network runs (change it in Preferences)")
        self.model = QLabel()
        self.model.setToolTip("The decoder that produces and explores the image")
        self.consistency = QLabel("no file")
        self.consistency.setToolTip(
            "Whether every coefficient of the shown network image re-quantizes to the "
            "file's (|Δ| ≤ ½); exports are verified again by re-compression"
        )
        self.zoom = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(140)
        self.progress.setFormat("%p%")
        self.progress.setToolTip("Progress of the running computation")
        self.cancel = QToolButton()
        self.cancel.setDefaultAction(cancel)
        for widget in (self.job, self.progress, self.cancel):
            widget.setVisible(False)
        bar.addWidget(self.message, 1)
        for widget in (
            self.job,
            self.progress,
            self.cancel,
            self.readout,
            self.consistency,
            self.model,
            self.device,
            self.zoom,
        ):
            bar.addPermanentWidget(widget)
        self.bar = bar

    def say(self, text: str, good: bool | None = None) -> None:
        """Show ``text`` until the next message (green when ``good``, red and bold when not)."""
        self.bar.clearMessage()  # a hover tip over the button that started it would hide the outcome
        self.message.setText(text)
        self.message.setToolTip(f"{time.strftime('%H:%M:%S')}: {text}")
        self.message.setStyleSheet(COLORS[good])

    def show_readout(self, line: str, full: str) -> None:
        """What is under the cursor (``full``, in the tooltip, says it at length)."""
        self.readout.setText(line)
        self.readout.setToolTip(full)

    def hide_readout(self) -> None:
        """The cursor left the image: the readout's place stays, empty."""
        self.readout.clear()
        self.readout.setToolTip(READOUT_TIP)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.job, self.progress, self.cancel):
            widget.setVisible(busy)

    def set_progress(self, done: int, total: int, label: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.job.setText(label)
        self.job.setToolTip(label)

    def set_consistent(self, consistent: bool | None) -> None:
        text = {None: "no file", True: "✔ consistent with the file", False: "✘ NOT consistent"}[consistent]
        self.consistency.setText(text)
        self.consistency.setStyleSheet(COLORS[consistent])
