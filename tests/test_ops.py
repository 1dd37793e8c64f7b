"""The exact torch ops: block DCT, colour conversion, consistent chroma resampling, the quantization box."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.fft import dctn

from explorer_app.ops.color import rgb_to_ycbcr, ycbcr_to_rgb
from explorer_app.ops.dct import block_dct, block_dct_rect, block_idct, embed_low_frequencies
from explorer_app.ops.quantization import box_violation, project_to_box, requantize, round_half_away
from explorer_app.ops.resample import box_downsample, consistent_upsample


def random_plane(height: int, width: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(2, 1, height, width, generator=generator, dtype=torch.float64) * 255


@pytest.mark.parametrize("size", [8, 16])
def test_block_dct_equals_scipy_orthonormal_dct_of_each_block(size):
    plane = random_plane(2 * size, 3 * size)
    coefficients = block_dct(plane, size)
    block = plane[1, 0, size : 2 * size, 2 * size : 3 * size].numpy()
    expected = dctn(block, type=2, norm="ortho").ravel()  # natural order: channel = u·size + v
    np.testing.assert_allclose(coefficients[1, :, 1, 2].numpy(), expected, atol=1e-9)


@pytest.mark.parametrize("size", [8, 16])
def test_block_idct_inverts_block_dct(size):
    plane = random_plane(4 * size, 2 * size, seed=1)
    torch.testing.assert_close(block_idct(block_dct(plane, size), size), plane, atol=1e-9, rtol=0)


def test_block_dct_rect_matches_square_block_dct():
    plane = random_plane(32, 48, seed=2)
    torch.testing.assert_close(block_dct_rect(plane, 8, 8), block_dct(plane, 8), atol=1e-9, rtol=0)


def test_embedded_constant_block_keeps_its_pixel_value():
    plane = torch.full((1, 1, 16, 8), 37.0, dtype=torch.float64)
    embedded = embed_low_frequencies(block_dct_rect(plane, 16, 8), 16, 8, 16)
    torch.testing.assert_close(block_idct(embedded, 16), torch.full((1, 1, 16, 16), 37.0, dtype=torch.float64))


def test_dct_is_differentiable():
    plane = random_plane(8, 8).requires_grad_()
    block_dct(plane)[:, 0].sum().backward()
    assert plane.grad is not None and torch.all(plane.grad[:, 0] > 0)  # the DC term grows with every pixel


def test_ycbcr_round_trip_and_jfif_constants():
    rgb = random_plane(6, 5).repeat(1, 3, 1, 1)
    rgb[:, 1] = 255 - rgb[:, 1]
    torch.testing.assert_close(ycbcr_to_rgb(rgb_to_ycbcr(rgb)), rgb, atol=1e-9, rtol=0)
    white = torch.full((1, 3, 1, 1), 255.0, dtype=torch.float64)
    red = torch.tensor([255.0, 0, 0], dtype=torch.float64).view(1, 3, 1, 1)
    torch.testing.assert_close(rgb_to_ycbcr(white).flatten(), torch.tensor([255.0, 128, 128], dtype=torch.float64))
    np.testing.assert_allclose(rgb_to_ycbcr(red).flatten().numpy(), [76.245, 84.972, 255.5], atol=1e-3)


@pytest.mark.parametrize("factor", [(1, 1), (1, 2), (2, 1), (2, 2)])
def test_box_average_of_consistent_upsample_gives_back_the_chroma_plane(factor):
    chroma = random_plane(7, 9, seed=3)
    upsampled = consistent_upsample(chroma, factor)
    assert upsampled.shape[2:] == (7 * factor[0], 9 * factor[1])
    torch.testing.assert_close(box_downsample(upsampled, factor), chroma, atol=1e-9, rtol=0)


def test_consistent_upsample_of_a_smooth_ramp_is_smooth():
    ramp = torch.arange(8, dtype=torch.float64).view(1, 1, 1, 8).repeat(1, 1, 4, 1) * 8
    upsampled = consistent_upsample(ramp, (2, 2))[0, 0, 2, 2:-2]  # away from the borders
    steps = upsampled.diff()
    torch.testing.assert_close(steps, torch.full_like(steps, 4.0), atol=1e-9, rtol=0)


def test_round_half_away_from_zero_like_libjpeg():
    values = torch.tensor([-2.5, -1.5, -0.5, -0.49, 0.49, 0.5, 1.5, 2.5])
    assert round_half_away(values).tolist() == [-3, -2, -1, 0, 0, 1, 2, 3]


def test_projection_onto_the_box_requantizes_to_the_file_and_moves_nothing_inside():
    generator = torch.Generator().manual_seed(4)
    table = torch.randint(1, 60, (8, 8), generator=generator).double()
    quantized = torch.randint(-20, 20, (1, 64, 3, 4), generator=generator).double()
    wild = torch.randn(1, 64, 3, 4, generator=generator, dtype=torch.float64) * 500
    offset = project_to_box(wild, quantized, table) / table.reshape(1, 64, 1, 1) - quantized
    assert offset.abs().max() <= 0.5 + 1e-12
    inside = project_to_box(wild, quantized, table, margin=0.01)
    assert torch.equal(requantize(inside, table), quantized)
    assert not box_violation(inside, quantized, table).any()
    torch.testing.assert_close(project_to_box(inside, quantized, table, margin=0.01), inside)
    assert box_violation(wild, quantized, table).any()  # the wild map was outside: the check can fail
