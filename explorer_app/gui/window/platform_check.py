"""Before Qt starts on X11: whether the system libraries that Qt's xcb platform plugin loads are there.
Without one of them Qt aborts (exit 134) with a message that names no package; this names them.

The libraries are those ``ldd`` lists for PyQt6's ``plugins/platforms/libqxcb.so`` and ``libQt6XcbQpa``,
each with the Debian/Ubuntu package that ships it."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Mapping

XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
"""Shared library → the Debian package that ships it (the README's set-up lists the packages)."""


def uses_xcb(environment: Mapping[str, str], system: str = sys.platform) -> bool:
    """Whether Qt will pick its xcb plugin: on Linux, asked for, or nothing asked for outside a Wayland
    session (macOS and Windows have plugins of their own)."""
    platform = environment.get("QT_QPA_PLATFORM", "")
    on_x11 = platform == "xcb" or (not platform and environment.get("XDG_SESSION_TYPE", "") != "wayland")
    return system.startswith("linux") and on_x11


def load_library(name: str) -> None:
    """Load the shared library ``name`` as Qt's plugin would; OSError when it cannot be."""
    ctypes.CDLL(name)


def missing_packages() -> list[str]:
    """The packages of the xcb plugin's libraries that cannot be loaded, in the table's order."""
    missing = []
    for library, package in XCB_LIBRARIES.items():
        try:
            load_library(library)
        except OSError:
            missing.append(package)
    return missing


def platform_problem(environment: Mapping[str, str]) -> str:
    """One line naming what to install when Qt would start its xcb plugin without all its libraries; ""
    when nothing is missing (or another platform plugin is used)."""
    missing = missing_packages() if uses_xcb(environment) else []
    if not missing:
        return ""
    return (
        f"Qt's X11 (xcb) platform plugin cannot load: missing system libraries; "
        f"install them with: sudo apt install {' '.join(missing)}"
    )
