"""The Brightness tool: make the region brighter or darker."""

from __future__ import annotations

from ...engine.tools import (
    Brightness,
)
from .base import FieldPanel, FieldSpec


class BrightnessPanel(FieldPanel):
    title, icon_name, tip, shortcut = "Brightness", "brightness", "Make the region brighter or darker", "Shift+B"
    tool_type = Brightness
    fields = (
        FieldSpec(
            "amount",
            "Amount",
            -80,
            80,
            0.1,
            "Grey levels to add to the region's luma (negative darkens)",
            "grey levels",
            initial=25,
        ),
    )
