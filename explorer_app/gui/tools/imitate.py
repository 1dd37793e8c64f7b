"""The Imitate tool: make the region look like a reference region (its patches or its histogram)."""

from __future__ import annotations

from PyQt6.QtWidgets import QComboBox, QLabel

from ...engine.regions import Region
from ...engine.tools import (
    ImitateHistogram,
    ImitatePatches,
    Tool,
)
from ..widgets.buttons import command_button
from .base import ToolPanel
from .host import ToolHost


class ImitatePanel(ToolPanel):
    title, icon_name, tip, shortcut = "Imitate", "imitate", "Make the region look like a reference region", "Shift+M"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.reference: Region | None = None
        self.mode = QComboBox()
        self.mode.addItem("patches (texture)", ImitatePatches)
        self.mode.addItem("histogram (tones and colours)", ImitateHistogram)
        self.mode.setToolTip("Copy the reference's small patches, or only its distribution of values")
        self.form.addRow("Imitate", self.mode)
        take = command_button(
            "imitate",
            "Use the selection as reference",
            "Remember the current selection as the reference; then select the region to change",
            self.take_reference,
        )
        self.summary = QLabel("No reference yet")
        self.summary.setWordWrap(True)
        self.extra.addWidget(take)
        self.extra.addWidget(self.summary)

    def take_reference(self) -> None:
        region = self.host.selection()
        if region is None:
            self.summary.setText("Select the reference region first")
            return
        self.reference = region
        self.host.clear_selection()
        self.summary.setText(f"Reference: {region.area} px. Now select the region to change.")

    def make_tool(self) -> Tool | None:
        if self.reference is None:
            self.message.setText("Choose a reference region first.")
            return None
        return self.mode.currentData()(reference=self.reference)
