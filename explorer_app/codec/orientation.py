"""EXIF orientation, applied only for display: the maths stays in the file's own orientation."""

from __future__ import annotations

import numpy as np


def to_display(image: np.ndarray, orientation: int) -> np.ndarray:
    """Return ``image`` (H, W[, C]) turned the way a viewer shows a file with EXIF ``orientation``."""
    operations = {
        1: lambda a: a,
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.swapaxes(a, 0, 1)[:, ::-1],
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
        8: lambda a: np.swapaxes(a, 0, 1)[::-1],
    }
    return np.ascontiguousarray(operations.get(orientation, operations[1])(image))


INVERSE = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}
"""The EXIF orientation that undoes each one: the quarter turns 6 and 8 undo each other, every other
orientation (a flip, the half turn, a transposition) undoes itself."""


def from_display(image: np.ndarray, orientation: int) -> np.ndarray:
    """The inverse of :func:`to_display`: ``image`` (H, W[, C]) as shown → the file's own grid (a copy)."""
    return to_display(image, INVERSE.get(orientation, 1))
