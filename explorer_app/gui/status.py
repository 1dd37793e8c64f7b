"""The status bar: device, model, consistency of the current image, zoom, and the running job."""
from __future__ import annotations

from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton


class StatusPanel:
    """Permanent widgets of the window's status bar, updated by the window."""

    def __init__(self, bar: QStatusBar, cancel: QAction) -> None:
        self.device = QLabel()
        self.device.setToolTip("Where the network runs (change it in Preferences)")
        self.model = QLabel()
        self.model.setToolTip("The decoder that produces and explores the image")
        self.consistency = QLabel("no file")
        self.consistency.setToolTip("Whether every coefficient of the shown network image re-quantizes to the "
                                    "file's (|Δ| ≤ ½); exports are verified again by re-compression")
        self.zoom = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setFormat("%v / %m")
        self.progress.setToolTip("Progress of the running computation")
        self.cancel = QToolButton()
        self.cancel.setDefaultAction(cancel)
        for widget in (self.progress, self.cancel):
            widget.setVisible(False)
        for widget in (self.progress, self.cancel, self.consistency, self.model, self.device, self.zoom):
            bar.addPermanentWidget(widget)
        self.bar = bar

    def set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel.setVisible(busy)

    def set_progress(self, done: int, total: int, label: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.bar.showMessage(label)

    def set_consistent(self, consistent: bool | None) -> None:
        text = {None: "no file", True: "✔ consistent with the file", False: "✘ NOT consistent"}[consistent]
        self.consistency.setText(text)
        self.consistency.setStyleSheet({True: "color:#1b8a3a;", False: "color:#c0392b;font-weight:bold;",
                                        None: ""}[consistent])
