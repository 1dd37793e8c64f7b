"""The Hue / saturation tool: shift the region's hue and scale its saturation."""

from __future__ import annotations

from ...engine.tools import (
    HueSaturation,
    Tool,
)
from .base import FieldPanel, FieldSpec


class HueSaturationPanel(FieldPanel):
    title, icon_name, tip, shortcut = (
        "Hue / saturation",
        "hue",
        "Shift the region's hue and scale its saturation",
        "Shift+U",
    )
    tool_type = HueSaturation
    fields = (
        FieldSpec("hue_degrees", "Hue", -180, 180, 1, "Rotate the colours by this many degrees", "°", initial=30),
        FieldSpec("saturation", "Saturation", 0, 3, 0.01, "Multiply the colour saturation by this", "×"),
    )

    def make_tool(self) -> Tool | None:
        if not self.host.open_session().code.is_color:
            self.message.setText("This file is greyscale: it has no hue or saturation to change.")
            return None
        return super().make_tool()
