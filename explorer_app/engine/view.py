"""What a tool sees of the image while it builds its objective: the optimization window and its context."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..decoder.code_tensors import CodeTensors
from ..ops.color import luminance
from .block_window import BlockWindow
from .regions import Region


@dataclass(frozen=True)
class WindowView:
    """The crop an edit is optimized on.

    window: the computed block window; code: its CodeTensors (N = 1);
    region: (1, 1, h, w) float {0, 1}, the region's pixels in the window;
    initial: (1, C, h, w) the window's image (RGB or grey, [0, 255]) before the edit, as the crop computes it;
    image: (1, C, H, W) the session's whole current image (exact), for tools that read other places;
    prior_sigma: (1, 64, hb, wb) the σ per block and channel of the decoder's random z at its sampling
    temperature (where random z give natural decodes; small where the file fixes the content).
    """

    window: BlockWindow
    code: CodeTensors
    region: torch.Tensor
    initial: torch.Tensor
    image: torch.Tensor
    prior_sigma: torch.Tensor

    @property
    def origin(self) -> tuple[int, int]:
        """(y, x) of the window's top-left pixel in the whole image."""
        return self.window.pixel_origin

    @property
    def size(self) -> tuple[int, int]:
        """(h, w) of the window in pixels."""
        return self.initial.shape[2], self.initial.shape[3]

    def region_pixels(self, region: Region) -> torch.Tensor:
        """(C, n) the current whole image's values at the ``region``'s n pixels."""
        mask = torch.from_numpy(region.mask).to(self.image.device)
        return self.image[0][:, mask]


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per-batch mean of ``values`` (N, C, h, w) where ``mask`` (1 or N, 1, h, w) is 1: (N,)."""
    weight = mask.expand(values.shape[0], values.shape[1], -1, -1)
    return (values * weight).sum((1, 2, 3)) / weight.sum((1, 2, 3)).clamp_min(1.0)


def luma(image: torch.Tensor) -> torch.Tensor:
    """(N, 3 or 1, h, w) RGB or grey → (N, 1, h, w) JFIF luma."""
    return image if image.shape[1] == 1 else luminance(image)
