"""The Variance tool: more or less detail, by steering the region's local variance."""

from __future__ import annotations

from ...engine.tools import (
    Variance,
)
from .base import FieldPanel, FieldSpec


class VariancePanel(FieldPanel):
    title, icon_name, tip, shortcut = (
        "Variance",
        "variance",
        "More or less detail: steer the region's local variance",
        "Shift+V",
    )
    tool_type = Variance
    fields = (
        FieldSpec(
            "factor",
            "Variance",
            0.1,
            5,
            0.01,
            "Target local variance as a multiple of the current one (below 1: smoother, above 1: more texture)",
            "×",
        ),
    )
