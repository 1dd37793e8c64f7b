"""Chroma resampling that the reference encoder can undo exactly.

The encoder averages each fy×fx box (libjpeg's default downsampling, without its rounding bias).
The decoder upsamples smoothly and then adds back, replicated, whatever the box average of the smooth
result misses, so ``box_downsample(consistent_upsample(c)) == c`` holds exactly in real arithmetic.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def box_downsample(plane: torch.Tensor, factor: tuple[int, int]) -> torch.Tensor:
    """(N, C, H, W) → (N, C, H/fy, W/fx) mean of each fy×fx box."""
    if factor == (1, 1):
        return plane
    return F.avg_pool2d(plane, kernel_size=factor, stride=factor)


def replicate_upsample(plane: torch.Tensor, factor: tuple[int, int]) -> torch.Tensor:
    """(N, C, h, w) → (N, C, h·fy, w·fx) nearest-neighbour upsampling."""
    if factor == (1, 1):
        return plane
    return plane.repeat_interleave(factor[0], dim=2).repeat_interleave(factor[1], dim=3)


def _triangle_upsample(plane: torch.Tensor, factor: tuple[int, int]) -> torch.Tensor:
    """libjpeg-style 'fancy' upsampling (¾ nearer sample + ¼ farther) along each factor-2 axis."""
    out = plane
    for dim, f in ((2, factor[0]), (3, factor[1])):
        if f == 1:
            continue
        before = torch.cat([out.narrow(dim, 0, 1), out.narrow(dim, 0, out.shape[dim] - 1)], dim)
        after = torch.cat([out.narrow(dim, 1, out.shape[dim] - 1), out.narrow(dim, out.shape[dim] - 1, 1)], dim)
        first = 0.75 * out + 0.25 * before
        second = 0.75 * out + 0.25 * after
        out = torch.stack([first, second], dim=dim + 1).flatten(dim, dim + 1)
    return out


def consistent_upsample(plane: torch.Tensor, factor: tuple[int, int]) -> torch.Tensor:
    """Smooth upsampling whose box average is exactly ``plane``: (N, C, h, w) → (N, C, h·fy, w·fx)."""
    if factor == (1, 1):
        return plane
    smooth = _triangle_upsample(plane, factor)
    return smooth + replicate_upsample(plane - box_downsample(smooth, factor), factor)
