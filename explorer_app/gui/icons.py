"""The application's SVG icons (assets/icons/NAME.svg)."""
from __future__ import annotations

from functools import cache

from PyQt6.QtGui import QIcon

from ..resources import assets_dir


@cache
def icon(name: str) -> QIcon:
    """The icon ``name``; a missing file is a bug, so it raises instead of showing a blank."""
    path = assets_dir() / "icons" / f"{name}.svg"
    if not path.exists():
        raise FileNotFoundError(f"no icon {path}")
    return QIcon(str(path))
