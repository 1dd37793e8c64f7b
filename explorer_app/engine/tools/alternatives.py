"""Random diverse alternatives: K candidates for the region whose outputs lie far apart."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..view import WindowView, masked_mean
from .base import Objective, Tool
from .edits import PIXEL_SCALE


@dataclass(frozen=True)
class Alternatives(Tool):
    """``count`` candidates started from the current z plus N(0, ``spread``²) noise in the movable
    blocks (seeded), pushed apart: each candidate's loss is minus its mean L1 distance (grey levels)
    to the others inside the region."""

    count: int = 4
    spread: float = 1.0
    seed: int = 0

    def start(self, view: WindowView, z: torch.Tensor, movable: torch.Tensor) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed)
        noise = torch.randn((self.count, *z.shape[1:]), generator=generator).to(z)
        return z + self.spread * noise * movable

    def objective(self, view: WindowView) -> Objective:
        if self.count < 2:
            raise ValueError("alternatives need at least 2 candidates")

        def loss(image: torch.Tensor) -> torch.Tensor:
            distances = torch.stack([masked_mean((image - image[j: j + 1]).abs(), view.region)
                                     for j in range(image.shape[0])], 1)  # (N, N), zero diagonal
            return -distances.sum(1) / ((image.shape[0] - 1) * PIXEL_SCALE)

        return loss
