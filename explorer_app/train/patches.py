"""Training patches on the training device: a pool of random crops, drawn as augmented batches."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import torch


class PatchSource(Protocol):
    """Anything that cuts random RGB crops: uint8 (n, size, size, 3)."""

    def random_crops(self, n: int, size: int, rng: np.random.Generator) -> np.ndarray: ...


class PatchPool:
    """``count`` random crops of ``size`` px held on ``device`` as uint8 (count, 3, size, size); batches
    are sampled with replacement and randomly flipped and transposed per patch."""

    def __init__(self, source: PatchSource, count: int, size: int, device: torch.device, seed: int) -> None:
        rng = np.random.default_rng(seed)
        crops = np.concatenate([source.random_crops(min(1024, count - i), size, rng) for i in range(0, count, 1024)])
        self.pool = torch.from_numpy(crops).permute(0, 3, 1, 2).contiguous().to(device)
        self.generator = torch.Generator(device="cpu").manual_seed(seed)

    def batch(self, n: int) -> torch.Tensor:
        """(n, 3, size, size) float RGB in [0, 255]."""
        index = torch.randint(len(self.pool), (n,), generator=self.generator).to(self.pool.device)
        patches = self.pool[index].float()
        flips = torch.randint(2, (3, n, 1, 1, 1), generator=self.generator).to(self.pool.device).bool()
        patches = torch.where(flips[0], patches.flip(3), patches)
        patches = torch.where(flips[1], patches.flip(2), patches)
        return torch.where(flips[2], patches.transpose(2, 3), patches)
