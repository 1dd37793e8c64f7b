"""Typing help for PyQt6: its stubs let every accessor return None (a widget's viewport, a table's
header, the menu bar), which for a live widget it never does."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def present(value: T | None) -> T:
    """``value``, which Qt's stubs allow to be None but which is there (an AssertionError if not)."""
    assert value is not None
    return value
