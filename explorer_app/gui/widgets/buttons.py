"""The panels' push buttons: an icon, a label, a tooltip and what a click does, in one call."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QPushButton, QToolButton

from .icons import icon


def command_button(icon_name: str, text: str, tip: str, on_click: Callable[[], object]) -> QPushButton:
    """A QPushButton showing ``icon_name`` and ``text``, tooltip ``tip``, calling ``on_click`` when clicked."""
    button = QPushButton(icon(icon_name), text)
    button.setToolTip(tip)
    button.clicked.connect(lambda: on_click())
    return button


def tool_button(action: QAction, text_beside: bool = True) -> QToolButton:
    """A button that mirrors ``action`` (text, icon, check state, tooltip) both ways."""
    button = QToolButton()
    button.setDefaultAction(action)
    if text_beside:
        button.setToolButtonStyle(button.toolButtonStyle().ToolButtonTextBesideIcon)
    return button
