"""The preferences dialog: device, model and export depth, written straight into Settings."""

from __future__ import annotations

from PyQt6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout

from ...decoder.registry import MODEL_NAMES
from ..settings import Settings

CHOICES = {
    "device": (("auto", "GPU when present, else CPU"), ("cpu", "CPU"), ("cuda", "CUDA GPU")),
    "model": tuple((name, name) for name in MODEL_NAMES),
    "model_size": (("auto", "auto (full on a GPU, lite on a CPU)"), ("full", "full"), ("lite", "lite")),
    "export_bit_depth": (
        (0, "automatic (8-bit when libjpeg reproduces the file, else 16-bit)"),
        (16, "16-bit PNG"),
        (8, "8-bit PNG"),
    ),
    "edit_steps": tuple((n, f"{n} Adam steps") for n in (25, 50, 100, 200, 400)),
    "edit_hold": ((0.0, "free (outside may change)"), (0.5, "light"), (1.0, "normal"), (2.0, "strong")),
}
LABELS = {
    "device": "Device",
    "model": "Model",
    "model_size": "Model size",
    "export_bit_depth": "Export",
    "edit_steps": "Edit length",
    "edit_hold": "Keep outside the region",
}
TIPS = {
    "device": "Where the network runs; used from the next file opened",
    "model": "Which trained decoder explores the file; used from the next file opened",
    "model_size": "Decoder size; used from the next file opened",
    "export_bit_depth": "PNG depth of verified exports",
    "edit_steps": "Most optimization steps per tool application (it stops earlier once converged)",
    "edit_hold": "How strongly an edit holds the pixels outside the region to their values",
}


class PreferencesDialog(QDialog):
    """One combo box per preference; OK writes them."""

    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout(self)
        for key, options in CHOICES.items():
            combo = QComboBox()
            for value, text in options:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(getattr(settings, key))))
            combo.setToolTip(TIPS[key])
            form.addRow(LABELS[key], combo)
            self.combos[key] = combo
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        for key, combo in self.combos.items():
            setattr(self.settings, key, combo.currentData())
        super().accept()
