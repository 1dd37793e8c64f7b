"""JPEG compression on the fly, on the training device: random tables and sampling per batch.

Tables: half the images get the paper's M = 50·Q_baseline/QF with QF ~ U[5, 49] (section 3.3), the
other half IJG-scaled tables (what libjpeg, cameras and Pillow write) with QF ~ U[5, 95]; the chroma
table follows the same rule on the standard chroma base. Sampling: 4:2:0 mostly, 4:4:4 and 4:2:2 too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..codec.tables import CHROMA_BASE, LUMA_BASE, ijg_table, paper_table
from ..decoder.code_tensors import CodeTensors
from ..ops.quantization import round_half_away
from ..verify.reference_encoder import encode_normalized

SAMPLINGS: tuple[tuple[tuple[int, int], float], ...] = (((2, 2), 0.7), ((1, 1), 0.15), ((1, 2), 0.15))


@dataclass(frozen=True)
class CompressionSampler:
    """Draws quantization tables and a chroma sampling for a batch."""

    paper_quality: tuple[float, float] = (5.0, 49.0)
    ijg_quality: tuple[int, int] = (5, 95)
    paper_fraction: float = 0.5

    def tables(self, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(count, 8, 8) luma and chroma tables."""
        luma, chroma = [], []
        for _ in range(count):
            if rng.random() < self.paper_fraction:
                quality = rng.uniform(*self.paper_quality)
                luma.append(paper_table(LUMA_BASE, quality))
                chroma.append(paper_table(CHROMA_BASE, quality))
            else:
                quality = int(rng.integers(self.ijg_quality[0], self.ijg_quality[1] + 1))
                luma.append(ijg_table(LUMA_BASE, quality))
                chroma.append(ijg_table(CHROMA_BASE, quality))
        return np.stack(luma), np.stack(chroma)

    def sampling(self, rng: np.random.Generator) -> tuple[int, int]:
        factors, weights = zip(*SAMPLINGS)
        return factors[int(rng.choice(len(factors), p=np.array(weights) / sum(weights)))]


def compress(
    rgb: torch.Tensor, luma_tables: np.ndarray, chroma_tables: np.ndarray, factor: tuple[int, int]
) -> CodeTensors:
    """Reference-encode (N, 3, H, W) RGB in [0, 255] (H, W multiples of 16) → CodeTensors on rgb's device."""
    n, _, height, width = rgb.shape
    y_table = torch.as_tensor(luma_tables, dtype=rgb.dtype, device=rgb.device).reshape(n, 64, 1, 1)
    c_table = torch.as_tensor(chroma_tables, dtype=rgb.dtype, device=rgb.device).reshape(n, 64, 1, 1)
    c_table = torch.cat([c_table, c_table], 1)
    fy, fx = factor
    shape = CodeTensors(
        rgb.new_zeros(n, 64, height // 8, width // 8),
        y_table,
        rgb.new_zeros(n, 128, height // (8 * fy), width // (8 * fx)),
        c_table,
        factor,
        height,
        width,
    )
    y_n, c_n = encode_normalized(rgb, shape)
    return CodeTensors(round_half_away(y_n), y_table, round_half_away(c_n), c_table, factor, height, width)
