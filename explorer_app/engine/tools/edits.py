"""Edit tools (paper section 5): draw a desired image, project it onto the file's quantization boxes
(eq. 2), then pull the decoder's output towards that consistent target over the tool's footprint."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ...ops.color import rgb_to_ycbcr, ycbcr_to_rgb
from ..file_projection import project_to_file
from ..outcome import Outcome
from ..view import WindowView, luma, masked_mean
from .base import Objective, Tool

PIXEL_SCALE = 8.0
"""Grey levels of mean absolute error that cost 1."""


def luma_shift(image: torch.Tensor, start: torch.Tensor, weights: torch.Tensor) -> float:
    """Mean luma change (grey levels) from ``start`` to ``image`` (both (1, C, h, w)) under ``weights``."""
    return float(masked_mean(luma(image) - luma(start), weights)[0])


def way_to(desired: torch.Tensor, image: torch.Tensor, start: torch.Tensor, weights: torch.Tensor) -> float:
    """How far (%) ``image`` went from ``start`` towards ``desired``: 100 % when it is there, 0 % when
    it is as far away as ``start`` was (mean absolute difference under ``weights``)."""
    distance = lambda a: float(masked_mean((a - desired).abs(), weights)[0])  # noqa: E731
    return 100.0 * (1.0 - distance(image) / max(distance(start), 1e-6))


class TargetTool(Tool):
    """Base of the edit tools: subclasses say what the window should look like and where it matters."""

    goal = "Way to the drawn image"
    """What :meth:`outcomes` calls the share of the way to the desired image."""

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

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        """The share of the way to the drawn image: asked 100 %, the projected target's, the result's."""
        desired, footprint = self.desired(view).clamp(0, 255), self.footprint(view)
        return (
            Outcome(
                self.goal,
                "%",
                way_to(desired, after, before, footprint),
                asked=100.0,
                allowed=way_to(desired, self.target(view), view.initial, footprint),
            ),
        )


@dataclass(frozen=True)
class Brightness(TargetTool):
    """Make the region brighter (amount > 0) or darker (amount < 0) by ``amount`` grey levels of luma."""

    amount: float = 20.0

    def desired(self, view: WindowView) -> torch.Tensor:
        return view.initial + self.amount * view.region

    def summary(self) -> str:
        return f"Brightness {self.amount:+.0f}"

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        return (
            Outcome(
                "Brightness",
                "grey levels",
                luma_shift(after, before, view.region),
                asked=self.amount,
                allowed=luma_shift(self.target(view), view.initial, view.region),
                signed=True,
            ),
        )


def chroma(image: torch.Tensor) -> torch.Tensor:
    """(1, 3, h, w) RGB → (1, 1, h, w) complex chroma (Cb − 128) + i (Cr − 128)."""
    ycc = rgb_to_ycbcr(image)
    return torch.complex(ycc[:, 1:2] - 128.0, ycc[:, 2:3] - 128.0)


def hue_and_saturation(image: torch.Tensor, start: torch.Tensor, weights: torch.Tensor) -> tuple[float, float]:
    """(mean hue rotation in degrees, saturation ratio) from ``start`` to ``image`` under ``weights``."""
    a, b = chroma(start) * weights, chroma(image) * weights
    rotation = math.degrees(float(torch.angle((a.conj() * b).sum())))
    return rotation, float(b.abs().sum() / a.abs().sum().clamp_min(1e-6))


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

    def summary(self) -> str:
        return f"Hue {self.hue_degrees:+.0f}°, saturation ×{self.saturation:.2f}"

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        if after.shape[1] != 3:
            return ()
        allowed = hue_and_saturation(self.target(view), view.initial, view.region)
        reached = hue_and_saturation(after, before, view.region)
        return (
            Outcome("Hue", "°", reached[0], asked=self.hue_degrees, allowed=allowed[0], signed=True),
            Outcome("Saturation", "×", reached[1], asked=self.saturation, allowed=allowed[1]),
        )
