"""Between the displayed image (EXIF orientation applied) and the file's own pixel grid, where all the
maths happens. Plain numpy, no Qt."""

from __future__ import annotations

import numpy as np

from ...codec import from_display, to_display


def _axes(orientation: int) -> tuple[int, int]:
    """What display x and display y are in the file: +1/−1 file x forwards/backwards, +2/−2 file y."""
    probe = to_display(np.array([[0, 1], [2, 3]]), orientation)
    return int(probe[0, 1] - probe[0, 0]), int(probe[1, 0] - probe[0, 0])


def display_to_file_point(x: float, y: float, orientation: int, height: int, width: int) -> tuple[float, float]:
    """Display position (x, y) (pixel edges, continuous) → the same spot (x, y) on the file of
    ``height`` × ``width``."""
    file_xy = [0.0, 0.0]
    for value, axis in ((x, _axes(orientation)[0]), (y, _axes(orientation)[1])):
        index = 0 if abs(axis) == 1 else 1
        length = width if index == 0 else height
        file_xy[index] = value if axis > 0 else length - value
    return file_xy[0], file_xy[1]


def display_to_file_mask(mask: np.ndarray, orientation: int) -> np.ndarray:
    """A mask drawn on the displayed image → the same pixels on the file's grid."""
    return from_display(mask, orientation)


def display_block_offset(orientation: int, height: int, width: int) -> tuple[int, int]:
    """(x, y) in display pixels of the first 8×8 block boundary: non-zero where EXIF orientation flips an
    axis whose length is not a multiple of 8."""

    def offset(axis: int) -> int:
        length = width if abs(axis) == 1 else height
        return length % 8 if axis < 0 else 0

    axis_x, axis_y = _axes(orientation)
    return offset(axis_x), offset(axis_y)


def file_rect_to_display(
    x: int, y: int, width: int, height: int, orientation: int, file_height: int, file_width: int
) -> tuple[int, int]:
    """Top-left (x, y) on the displayed image of the file rectangle at (x, y) of ``width`` × ``height``
    (its displayed pixels are ``to_display`` of the rectangle's pixels)."""

    def start(axis: int) -> int:
        if abs(axis) == 1:
            return x if axis > 0 else file_width - (x + width)
        return y if axis > 0 else file_height - (y + height)

    axis_x, axis_y = _axes(orientation)
    return start(axis_x), start(axis_y)


TURNED = (5, 6, 7, 8)
"""EXIF orientations that show the file a quarter turn round (width and height swap)."""


def display_size(orientation: int, height: int, width: int) -> tuple[int, int]:
    """(height, width) of the displayed image of a file of ``height`` × ``width``."""
    return (width, height) if orientation in TURNED else (height, width)
