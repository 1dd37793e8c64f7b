"""Edit tools (paper section 5): draw a desired image, project it onto the file's quantization boxes
(eq. 2), then pull the decoder's output towards that consistent target over the tool's footprint."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ...ops.color import rgb_to_ycbcr, ycbcr_to_rgb
from ..projection import project_to_file
from ..view import WindowView, masked_mean
from .base import Objective, Tool

PIXEL_SCALE = 8.0
"""Grey levels of mean absolute error that cost 1."""


class TargetTool(Tool):
    """Base of the edit tools: subclasses say what the window should look like and where it matters."""

    def desired(self, view: WindowView) -> torch.Tensor:
        """(1, C, h, w) the image the user asked for, in [0, 255]."""
        raise NotImplementedError

    def footprint(self, view: WindowView) -> torch.Tensor:
        """(1, 1, h, w) float weights where the target is enforced; default: the region."""
        return view.region

    def target(self, view: WindowView) -> torch.Tensor:
        """(1, C, h, w) the desired image projected onto the file's quantization boxes."""
        with torch.no_grad():
            return project_to_file(self.desired(view).clamp(0, 255), view.code)

    def objective(self, view: WindowView) -> Objective:
        target, footprint = self.target(view), self.footprint(view)
        return lambda image: masked_mean((image - target).abs(), footprint) / PIXEL_SCALE


@dataclass(frozen=True)
class Brightness(TargetTool):
    """Make the region brighter (amount > 0) or darker (amount < 0) by ``amount`` grey levels of luma."""

    amount: float = 20.0

    def desired(self, view: WindowView) -> torch.Tensor:
        return view.initial + self.amount * view.region


@dataclass(frozen=True)
class HueSaturation(TargetTool):
    """Rotate the region's chroma (Cb, Cr) by ``hue_degrees`` and scale it by ``saturation`` (colour only)."""

    hue_degrees: float = 0.0
    saturation: float = 1.0

    def desired(self, view: WindowView) -> torch.Tensor:
        if view.initial.shape[1] != 3:
            raise ValueError("hue and saturation need a colour image")
        ycc = rgb_to_ycbcr(view.initial)
        angle = math.radians(self.hue_degrees)
        cb, cr = ycc[:, 1:2] - 128.0, ycc[:, 2:3] - 128.0
        cos, sin = math.cos(angle) * self.saturation, math.sin(angle) * self.saturation
        shifted = torch.cat([ycc[:, :1], cos * cb - sin * cr + 128.0, sin * cb + cos * cr + 128.0], 1)
        edited = ycbcr_to_rgb(shifted)
        return view.initial + (edited - view.initial) * view.region
