"""Bringing a part of a scrolled panel into view, so that what a user must act on next is on screen."""

from __future__ import annotations

from PyQt6.QtWidgets import QScrollArea, QWidget


def reveal(*widgets: QWidget) -> None:
    """Scroll the scroll area around the first of ``widgets`` so that each is in view, the last one
    winning where they cannot all be (pass the most important last). Nothing happens outside a scroll area."""
    area = widgets[0].parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is None:
        return
    for widget in widgets:
        area.ensureWidgetVisible(widget, 0, 0)
