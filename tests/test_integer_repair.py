"""The 8-bit repair's search in libjpeg's integers, piece by piece: blocks the islow DCT quantizes right,
RGB pixels libjpeg converts and downsamples to given planes, and the exact-judged RGB moves."""

from __future__ import annotations

import numpy as np

from explorer_app.export.block_solver import misses, quotients, solve_blocks
from explorer_app.export.pixel_synthesis import choose, mend_boxes
from explorer_app.verify.libjpeg.color import rgb_to_ycc
from explorer_app.verify.libjpeg.fdct import forward_dct
from explorer_app.verify.libjpeg.quantize import quantize
from explorer_app.verify.libjpeg.sampling import bias, downsample

TABLE = np.array(
    [
        [2, 1, 1, 2, 2, 4, 5, 6],
        [1, 1, 1, 2, 3, 6, 6, 6],
        [1, 1, 2, 2, 4, 6, 7, 6],
        [1, 2, 2, 3, 5, 9, 8, 6],
        [2, 2, 4, 6, 7, 11, 10, 8],
        [2, 4, 6, 6, 8, 10, 11, 9],
        [5, 6, 8, 9, 10, 12, 12, 10],
        [7, 9, 10, 10, 11, 10, 10, 10],
    ]
)
"""IJG quality 95 luma: steps of 1 and 2 where 8-bit rounding alone breaks most blocks."""


def originals(count: int, seed: int, dark: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ramp = np.add.outer(np.arange(8), np.arange(8)) * rng.uniform(-6, 6, (count, 1, 1))
    blocks = ramp + rng.uniform(20, 230, (count, 1, 1)) + rng.normal(0, 8, (count, 8, 8))
    if dark:
        blocks -= 60
    return np.clip(np.rint(blocks), 0, 255).astype(np.int32).reshape(count, 64)


def test_blocks_are_found_that_libjpeg_quantizes_to_the_file_near_a_noisy_start():
    rng = np.random.default_rng(0)
    for dark in (False, True):  # dark: samples clipped at 0, where the linear programme's start is needed
        truth = originals(200, 1 + dark, dark)
        quantized = quantize(forward_dct(truth.reshape(-1, 8, 8)), TABLE).reshape(-1, 64).astype(np.float64)
        start = np.clip(truth + rng.normal(0, 1.5, truth.shape), 0, 255)  # a decoder's output, rounded
        assert misses(quotients(np.rint(start).astype(np.int32), TABLE.ravel().astype(float)), quantized).mean() > 0.5
        solved, found = solve_blocks(np.rint(start).astype(np.int32), quantized, TABLE.ravel(), rng)
        assert found.mean() > 0.97
        assert not misses(quotients(solved[found], TABLE.ravel().astype(float)), quantized[found]).any()
        assert np.abs(solved - start).mean() < 2.0 and solved.min() >= 0 and solved.max() <= 255


def test_pixels_give_exactly_the_wanted_luma_and_their_boxes_the_wanted_chroma():
    rng = np.random.default_rng(2)
    rgb = rng.integers(30, 220, (4, 16, 16, 3)).astype(np.uint8)
    y, cb, cr = rgb_to_ycc(rgb)
    wanted_y = np.clip(y + rng.integers(-2, 3, y.shape), 0, 255)
    targets = [np.clip(downsample(c, (2, 2)) + rng.integers(-1, 2, (4, 8, 8)), 0, 255) for c in (cb, cr)]
    moved = [c + (t - downsample(c, (2, 2))).repeat(2, 1).repeat(2, 2) for c, t in zip((cb, cr), targets)]
    wanted = np.stack([wanted_y, *moved], -1).reshape(-1, 3).astype(np.float64)
    pixels, ycc, found = choose(wanted)
    assert found.all() and np.array_equal(ycc[:, 0], wanted_y.reshape(-1))
    index = np.arange(4 * 16 * 16).reshape(4, 8, 2, 8, 2).transpose(0, 1, 3, 2, 4).reshape(-1, 4)
    box_bias = np.broadcast_to(bias((2, 2), 8), (4, 8, 8)).reshape(-1)
    made = mend_boxes(pixels, ycc, wanted, index, np.stack([t.reshape(-1) for t in targets], -1), box_bias)
    assert made.mean() > 0.95
    again = rgb_to_ycc(pixels.reshape(4, 16, 16, 3))
    assert np.array_equal(again[0], wanted_y)
    boxes = made.reshape(4, 8, 8)
    for plane, target in zip(again[1:], targets):
        assert np.array_equal(downsample(plane, (2, 2))[boxes], target[boxes])
