"""Regions: shapes, inversion, block footprints."""

import numpy as np
import pytest

from explorer_app.engine import regions


def test_rectangle_bounds_and_blocks():
    region = regions.rectangle((40, 50), 9, 8, 10, 5)
    assert region.area == 50
    assert region.bounds() == (8, 13, 9, 19)
    blocks = region.block_mask()
    assert blocks.shape == (5, 7)
    assert np.argwhere(blocks).tolist() == [[1, 1], [1, 2]]
    assert region.block_mask(dilation=1).sum() == 12


def test_polygon_freehand_brush_invert():
    shape = (32, 32)
    triangle = regions.polygon(shape, [(2, 2), (28, 2), (2, 28)])
    assert triangle.mask[4, 4] and not triangle.mask[28, 28]
    lasso = regions.freehand(shape, [(5, 5), (20, 5), (20, 20), (5, 20)])
    assert lasso.mask[10, 10] and not lasso.mask[25, 25]
    stroke = regions.brush(shape, [(4, 16), (28, 16)], radius=2)
    assert stroke.mask[16, 10] and not stroke.mask[10, 10]
    dot = regions.brush(shape, [(16, 16)], radius=3)
    assert dot.mask[16, 18] and not dot.mask[16, 21]
    inverted = lasso.inverted()
    assert inverted.area == 32 * 32 - lasso.area
    assert lasso.union(stroke).area >= lasso.area


def test_block_aligned_covers_whole_blocks():
    region = regions.rectangle((20, 20), 3, 3, 2, 2).block_aligned()
    assert region.area == 64 and region.bounds() == (0, 8, 0, 8)


def test_empty_region_is_refused():
    with pytest.raises(ValueError):
        regions.rectangle((16, 16), 0, 0, 0, 0).bounds()
    with pytest.raises(ValueError):
        regions.polygon((16, 16), [(1, 1), (2, 2)])
