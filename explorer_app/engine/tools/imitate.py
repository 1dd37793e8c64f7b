"""Imitate a reference region of the image: its patches (texture) or its histogram (tones and colours)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..outcome import Outcome
from ..regions import Region
from ..view import WindowView
from .base import Objective, Tool
from .edits import PIXEL_SCALE


def distance_outcome(
    tool: Tool, quantity: str, view: WindowView, before: torch.Tensor, after: torch.Tensor
) -> tuple[Outcome, ...]:
    """The tool's own objective (a distance to the reference, in grey levels) before and after."""
    distance = tool.objective(view)
    level = lambda image: float(distance(image)[0]) * PIXEL_SCALE  # noqa: E731
    return (Outcome(quantity, "grey levels", level(after), before=level(before)),)


MAX_REFERENCE_PATCHES = 2048
TARGET_CHUNK = 1024


@dataclass(frozen=True)
class ImitateHistogram(Tool):
    """Match the sorted values of each channel in the region to the ``reference`` region's quantiles."""

    reference: Region

    def objective(self, view: WindowView) -> Objective:
        reference = self.reference_values(view)
        inside = (view.region[0, 0] > 0.5).flatten().nonzero().squeeze(1)  # indices: no read-back per step
        ranks = torch.linspace(0, 1, inside.numel(), dtype=reference.dtype, device=reference.device)
        goal = torch.quantile(reference, ranks, dim=1).T  # (C, m)

        def loss(image: torch.Tensor) -> torch.Tensor:
            values = image.flatten(2)[:, :, inside].sort(dim=2).values  # (N, C, m)
            return (values - goal).abs().mean((1, 2)) / PIXEL_SCALE

        return loss

    def summary(self) -> str:
        return f"Imitate the tones of a {self.reference.area}-px reference"

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        return distance_outcome(self, "Difference from the reference's tones", view, before, after)

    def reference_values(self, view: WindowView) -> torch.Tensor:
        """(C, n) the reference region's values (subsampled to at most 2²⁰ for torch.quantile)."""
        values = view.region_pixels(self.reference)
        return values[:, :: -(-values.shape[1] // 2**20)]


def patches(image: torch.Tensor, size: int, stride: int) -> torch.Tensor:
    """(N, C, h, w) → (N, L, C·size²) all size×size patches on a ``stride`` grid."""
    return F.unfold(image, size, stride=stride).transpose(1, 2)


@dataclass(frozen=True)
class ImitatePatches(Tool):
    """Every ``size``×``size`` patch of the region (on a ``stride`` grid) near some patch of the
    ``reference`` region: the mean root-mean-square distance to the nearest reference patch."""

    reference: Region
    size: int = 6
    stride: int = 2
    seed: int = 0

    def summary(self) -> str:
        return f"Imitate the texture of a {self.reference.area}-px reference"

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        return distance_outcome(self, "Distance to the reference's texture", view, before, after)

    def reference_patches(self, view: WindowView) -> torch.Tensor:
        """(M, C·size²) patches lying wholly inside the reference region, at most 2048 of them."""
        y0, y1, x0, x1 = self.reference.bounds()
        image = view.image[:, :, y0:y1, x0:x1]
        mask = torch.from_numpy(self.reference.mask[y0:y1, x0:x1]).to(image)[None, None]
        inside = patches(mask, self.size, 1)[0].min(1).values > 0.5
        found = patches(image, self.size, 1)[0][inside]
        if found.shape[0] == 0:
            raise ValueError(f"the reference region holds no whole {self.size}×{self.size} patch")
        if found.shape[0] > MAX_REFERENCE_PATCHES:
            pick = torch.randperm(found.shape[0], generator=torch.Generator().manual_seed(self.seed))
            found = found[pick[:MAX_REFERENCE_PATCHES].to(found.device)]
        return found

    def objective(self, view: WindowView) -> Objective:
        reference = self.reference_patches(view)
        inside = (patches(view.region, self.size, self.stride)[0].max(1).values > 0.5).nonzero().squeeze(1)
        scale = reference.shape[1] ** 0.5

        def loss(image: torch.Tensor) -> torch.Tensor:
            targets = patches(image, self.size, self.stride)[:, inside]  # (N, L, D)
            nearest = torch.cat(
                [torch.cdist(chunk, reference[None]).min(2).values for chunk in targets.split(TARGET_CHUNK, dim=1)], 1
            )
            return nearest.mean(1) / (scale * PIXEL_SCALE)

        return loss
