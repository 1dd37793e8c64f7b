"""Random alternatives: K candidates for the region, drawn from the decoder's own prior over z."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..view import WindowView, masked_mean
from .base import Objective, Tool
from .edits import PIXEL_SCALE


@dataclass(frozen=True)
class Alternatives(Tool):
    """``count`` candidates: the current z plus ``spread`` times a random z of the decoder's prior (σ per
    block at its sampling temperature: where random z decode to natural content, see docs/decoder.md) in the
    movable blocks (seeded).

    Candidates closer than ``separation`` grey levels (mean |difference| inside the region, averaged over
    the others) are pushed apart until they reach it, and no further: an unbounded push would drive z out
    of the prior, into noise. Where the file leaves little room, they stay close, which is the answer.
    """

    count: int = 4
    spread: float = 1.0
    separation: float = 3.0
    seed: int = 0

    def start(self, view: WindowView, z: torch.Tensor, movable: torch.Tensor) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed)
        noise = torch.randn((self.count, *z.shape[1:]), generator=generator).to(z)
        return z + self.spread * view.prior_sigma * noise * movable

    def objective(self, view: WindowView) -> Objective:
        if self.count < 2:
            raise ValueError("alternatives need at least 2 candidates")

        def loss(image: torch.Tensor) -> torch.Tensor:
            distances = torch.stack(
                [masked_mean((image - image[j : j + 1]).abs(), view.region) for j in range(image.shape[0])], 1
            )  # (N, N), zero diagonal
            apart = distances.sum(1) / (image.shape[0] - 1)
            return torch.relu(self.separation - apart) / PIXEL_SCALE

        return loss
