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


def _triangle_phases(plane: torch.Tensor, factor: int, dim: int) -> list[torch.Tensor]:
    """libjpeg-style 'fancy' upsampling (¾ nearer sample + ¼ farther, edges replicated) along ``dim`` (2 or 3)
    by ``factor`` (1 or 2), as its phases: the samples that land at offset 0 (and 1) of each output pair."""
    if factor == 1:
        return [plane]
    size = plane.shape[dim]
    padded = F.pad(plane, (0, 0, 1, 1) if dim == 2 else (1, 1, 0, 0), mode="replicate")
    return [0.75 * plane + 0.25 * padded.narrow(dim, 0, size), 0.75 * plane + 0.25 * padded.narrow(dim, 2, size)]


def consistent_upsample(plane: torch.Tensor, factor: tuple[int, int]) -> torch.Tensor:
    """Smooth upsampling whose box average is exactly ``plane``: (N, C, h, w) → (N, C, h·fy, w·fx).

    The smooth upsampling's phases (one per position in an fy×fx box) are computed at the input's size,
    the box average's residual is added to each, and they are interleaved once at the end: a handful of
    operators on small planes rather than two interleavings, an average pool and a replication on large
    ones (five times faster with its gradient, which an edit's every step takes)."""
    if factor == (1, 1):
        return plane
    phases = [_triangle_phases(rows, factor[1], 3) for rows in _triangle_phases(plane, factor[0], 2)]
    residual = plane - sum(sum(row) for row in phases) / (factor[0] * factor[1])
    boxes = torch.stack([torch.stack([p + residual for p in row], -1) for row in phases], 3)
    n, c, h, w = plane.shape
    return boxes.reshape(n, c, h * factor[0], w * factor[1])
