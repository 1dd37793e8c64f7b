"""A differentiable renderer of segment glyphs: character cells and stroke styles in, ink coverage out.

A cell is placed by seven numbers per glyph (window pixels): left, top, width and height of the cell,
stroke thickness, slant (how far the top leans right of the bottom, as a fraction of the height) and gap
(pixels left free at each end of a segment, as displays separate their segments). Every segment is a
stroke of that thickness along its centre line, anti-aliased over one pixel; gradients flow to all seven.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .segments import SegmentFont

LEFT, TOP, WIDTH, HEIGHT, THICKNESS, SLANT, GAP = range(7)
"""Columns of a geometry tensor (N, 7)."""


@dataclass(frozen=True)
class Segments:
    """A font's segments as tensors: start and end (S, 2) cell coordinates (x, y), and ``lit`` (V, S) float
    {0, 1}, one row per (label, variant) of :meth:`SegmentFont.variants`, whose labels are ``labels``."""

    start: torch.Tensor
    end: torch.Tensor
    lit: torch.Tensor
    labels: list[str]

    @staticmethod
    def of(font: SegmentFont, device: torch.device | str = "cpu") -> Segments:
        names = list(font.segments)
        start = torch.tensor([font.segments[n][0] for n in names], dtype=torch.float32, device=device)
        end = torch.tensor([font.segments[n][1] for n in names], dtype=torch.float32, device=device)
        variants = font.variants()
        lit = torch.tensor([[float(n in on) for n in names] for _, on in variants], device=device)
        return Segments(start, end, lit, [label for label, _ in variants])


def _to_pixels(points: torch.Tensor, geometry: torch.Tensor) -> torch.Tensor:
    """Cell points (S, 2) → window pixels (N, S, 2) for each geometry (N, 7)."""
    g = geometry[:, None, :]
    x, y = points[None, :, 0], points[None, :, 1]
    px = g[..., LEFT] + x * g[..., WIDTH] + g[..., SLANT] * (1.0 - y) * g[..., HEIGHT]
    py = g[..., TOP] + y * g[..., HEIGHT]
    return torch.stack([px, py], -1)


def coverage(segments: Segments, lit: torch.Tensor, geometry: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Ink coverage (N, 1, h, w) in [0, 1] of N glyphs: ``lit`` (N, S) which segments each lights, ``geometry``
    (N, 7) where and how it is drawn, on an h×w grid of window pixels (pixel centres at +0.5)."""
    start, end = _to_pixels(segments.start, geometry), _to_pixels(segments.end, geometry)
    direction = end - start
    length = direction.norm(dim=-1, keepdim=True).clamp_min(1e-6)
    unit = direction / length
    gap = geometry[:, None, None, GAP].clamp(min=0) * torch.ones_like(length)
    gap = torch.minimum(gap, 0.45 * length)
    start, end = start + unit * gap, end - unit * gap
    h, w = size
    ys = torch.arange(h, dtype=geometry.dtype, device=geometry.device) + 0.5
    xs = torch.arange(w, dtype=geometry.dtype, device=geometry.device) + 0.5
    qy, qx = ys[None, None, :, None], xs[None, None, None, :]  # (1, 1, h, 1), (1, 1, 1, w)
    sx, sy = start[..., 0, None, None], start[..., 1, None, None]  # (N, S, 1, 1)
    dx, dy = (end - start)[..., 0, None, None], (end - start)[..., 1, None, None]
    along = (((qx - sx) * dx + (qy - sy) * dy) / (dx * dx + dy * dy).clamp_min(1e-6)).clamp(0, 1)
    distance = torch.sqrt((qx - sx - along * dx) ** 2 + (qy - sy - along * dy) ** 2 + 1e-6)
    half = 0.5 * geometry[:, THICKNESS, None, None, None]
    ink = (0.5 + half - distance).clamp(0, 1) * lit[:, :, None, None]  # (N, S, h, w)
    return ink.amax(1, keepdim=True)


__all__ = ["GAP", "HEIGHT", "LEFT", "SLANT", "THICKNESS", "TOP", "WIDTH", "Segments", "coverage"]
