"""The Smooth (TV) tool: make the region piece-wise smooth."""

from __future__ import annotations

from ...engine.tools import (
    TotalVariation,
)
from .base import FieldPanel, FieldSpec


class TotalVariationPanel(FieldPanel):
    title, icon_name, tip, shortcut = (
        "Smooth (TV)",
        "tv",
        "Make the region piece-wise smooth (total variation)",
        "Shift+T",
    )
    tool_type = TotalVariation
    fields = (FieldSpec("weight", "Weight", 0.1, 5, 0.01, "Strength of the smoothing objective"),)
