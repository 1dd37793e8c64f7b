"""Display ↔ file coordinates agree with codec.to_display for every EXIF orientation."""

import numpy as np
import pytest

from explorer_app.codec import to_display
from explorer_app.gui.model.geometry import (
    display_block_offset,
    display_to_file_mask,
    display_to_file_point,
    file_rect_to_display,
)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_points_masks_and_block_offsets_follow_to_display(orientation: int) -> None:
    height, width = 13, 21
    file_mask = np.zeros((height, width), bool)
    file_mask[3, 17] = True
    shown = to_display(file_mask, orientation)
    assert np.array_equal(display_to_file_mask(shown, orientation), file_mask)
    dy, dx = np.argwhere(shown)[0]
    fx, fy = display_to_file_point(dx + 0.5, dy + 0.5, orientation, height, width)
    assert (int(fx), int(fy)) == (17, 3)
    boundaries = to_display(np.add.outer(np.arange(height) // 8 * 100, np.arange(width) // 8), orientation)
    ox, oy = display_block_offset(orientation, height, width)
    columns = np.nonzero(np.diff(boundaries[0]))[0] + 1
    rows = np.nonzero(np.diff(boundaries[:, 0]))[0] + 1
    assert columns[0] % 8 == ox % 8 and rows[0] % 8 == oy % 8


@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_file_rectangle_lands_where_to_display_puts_it(orientation: int) -> None:
    height, width = 13, 21
    mask = np.zeros((height, width), bool)
    mask[2:7, 11:20] = True  # x 11, y 2, 9 wide, 5 high
    rows, cols = np.nonzero(to_display(mask, orientation))
    assert file_rect_to_display(11, 2, 9, 5, orientation, height, width) == (cols.min(), rows.min())
