"""Which image the canvas shows (libjpeg, network, current), the A/B comparisons (flicker, split), and the
overlays."""

from __future__ import annotations

from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ..widgets.buttons import tool_button

SOURCES = {"plain": "libjpeg decode", "network": "network decode (unedited)", "current": "current image"}


class ViewPanel(QWidget):
    """Emits ``sourceChanged(name)`` whenever the canvas should show another image, and
    ``splitChanged(name)`` when the image left of the split divider changes ("" ends the split view)."""

    sourceChanged = pyqtSignal(str)
    splitChanged = pyqtSignal(str)

    def __init__(self, actions: dict[str, QAction]) -> None:
        super().__init__()
        self.source = "current"
        self.shown = "current"
        self.split = ""
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._flip)
        self.a, self.b = QComboBox(), QComboBox()
        for combo, default, side in ((self.a, "plain", "A"), (self.b, "current", "B")):
            for key, text in SOURCES.items():
                combo.addItem(text, key)
            combo.setCurrentIndex(list(SOURCES).index(default))
            combo.setToolTip(f"Image {side} of the flicker and split comparisons")
            combo.currentIndexChanged.connect(self._comparison_changed)
        self.interval = QSpinBox()
        self.interval.setRange(150, 3000)
        self.interval.setSingleStep(50)
        self.interval.setValue(600)
        self.interval.setSuffix(" ms")
        self.interval.setToolTip("How long each image stays on screen while flickering")
        self.interval.valueChanged.connect(self.timer.setInterval)
        self.timer.setInterval(self.interval.value())
        sources = QVBoxLayout()
        for key in ("show_plain", "show_network", "show_current"):
            sources.addWidget(tool_button(actions[key]))
        flicker = QFormLayout()
        flicker.addRow("A", self.a)
        flicker.addRow("B", self.b)
        flicker.addRow("Every", self.interval)
        overlays = QHBoxLayout()
        for key in ("block_grid", "coarseness", "ambiguity"):
            overlays.addWidget(tool_button(actions[key], text_beside=False))
        overlays.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Show"))
        layout.addLayout(sources)
        compare = QHBoxLayout()
        compare.addWidget(tool_button(actions["flicker"]))
        compare.addWidget(tool_button(actions["split"]))
        compare.addStretch()
        layout.addLayout(compare)
        layout.addLayout(flicker)
        layout.addWidget(QLabel("Overlays"))
        layout.addLayout(overlays)
        layout.addStretch()

    def set_source(self, source: str) -> None:
        self.source = source
        if not self.timer.isActive():
            self._show(self._resting())

    def set_flicker(self, on: bool) -> None:
        if on:
            self._show(self.a.currentData())
            self.timer.start()
        else:
            self.timer.stop()
            self._show(self._resting())

    def set_split(self, on: bool) -> None:
        """A left of the divider, B right of it (B is the canvas's own image, so live previews show in B)."""
        self.split = self.a.currentData() if on else ""
        if not self.timer.isActive():
            self._show(self._resting())
        self.splitChanged.emit(self.split)

    def _resting(self) -> str:
        """What the canvas shows when not flickering: B under a split, else the chosen source."""
        return self.b.currentData() if self.split else self.source

    def _comparison_changed(self) -> None:
        if self.split:
            self.set_split(True)

    def _flip(self) -> None:
        self._show(self.b.currentData() if self.shown == self.a.currentData() else self.a.currentData())

    def _show(self, source: str) -> None:
        self.shown = source
        self.sourceChanged.emit(source)
