"""JFIF (full-range BT.601) colour conversion between RGB and YCbCr, values in [0, 255].

Images are (N, 3, H, W) float tensors; the conversions are exact inverses in real arithmetic.
"""
from __future__ import annotations

import torch

_RGB_TO_YCBCR = torch.tensor([
    [0.299, 0.587, 0.114],
    [-0.168735892, -0.331264108, 0.5],
    [0.5, -0.418687589, -0.081312411],
], dtype=torch.float64)
_YCBCR_TO_RGB = torch.linalg.inv(_RGB_TO_YCBCR)
_OFFSET = torch.tensor([0.0, 128.0, 128.0], dtype=torch.float64)


def rgb_to_ycbcr(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB → (N, 3, H, W) YCbCr (Cb, Cr centred on 128)."""
    matrix = _RGB_TO_YCBCR.to(rgb)
    return torch.einsum("ij,njhw->nihw", matrix, rgb) + _OFFSET.to(rgb).view(1, 3, 1, 1)


def ycbcr_to_rgb(ycbcr: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) YCbCr → (N, 3, H, W) RGB, unclipped."""
    matrix = _YCBCR_TO_RGB.to(ycbcr)
    return torch.einsum("ij,njhw->nihw", matrix, ycbcr - _OFFSET.to(ycbcr).view(1, 3, 1, 1))


def luminance(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB → (N, 1, H, W) JFIF luma Y."""
    return rgb_to_ycbcr(rgb)[:, :1]
