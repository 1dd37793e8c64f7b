"""JFIF (full-range BT.601) colour conversion between RGB and YCbCr, values in [0, 255].

Images are (N, 3, H, W) float tensors; the conversions are exact inverses in real arithmetic.
"""

from __future__ import annotations

from functools import lru_cache

import torch

_RGB_TO_YCBCR = torch.tensor(
    [
        [0.299, 0.587, 0.114],
        [-0.168735892, -0.331264108, 0.5],
        [0.5, -0.418687589, -0.081312411],
    ],
    dtype=torch.float64,
)
_YCBCR_TO_RGB = torch.linalg.inv(_RGB_TO_YCBCR)
_OFFSET = torch.tensor([0.0, 128.0, 128.0], dtype=torch.float64).view(1, 3, 1, 1)


@lru_cache(maxsize=None)
def _on(constant: torch.Tensor, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """``constant`` on ``device`` in ``dtype``, cached (tensors hash by identity): no copy per call."""
    return constant.to(dtype=dtype, device=device)


def rgb_to_ycbcr(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB → (N, 3, H, W) YCbCr (Cb, Cr centred on 128)."""
    matrix = _on(_RGB_TO_YCBCR, rgb.dtype, rgb.device)
    return torch.einsum("ij,njhw->nihw", matrix, rgb) + _on(_OFFSET, rgb.dtype, rgb.device)


def ycbcr_to_rgb(ycbcr: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) YCbCr → (N, 3, H, W) RGB, unclipped."""
    matrix = _on(_YCBCR_TO_RGB, ycbcr.dtype, ycbcr.device)
    return torch.einsum("ij,njhw->nihw", matrix, ycbcr - _on(_OFFSET, ycbcr.dtype, ycbcr.device))


def luminance(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB → (N, 1, H, W) JFIF luma Y."""
    return rgb_to_ycbcr(rgb)[:, :1]
