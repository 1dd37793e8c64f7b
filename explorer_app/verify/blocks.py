"""Per-block findings of one encoder on one component, gathered strip by strip over the whole image.

For every 8×8 block: whether it misses (a coefficient re-quantizes differently), how many coefficients do,
how far the worst lies outside its box, the largest |X_Q| difference, the block's margin (the smallest
½ − |X_D ⊘ M − X_Q| of its coefficients) and its single-sample tolerance (see :class:`~.report.Room`).
Maps are (by, bx) over the component's block grid: a few bytes per block, 3 MiB a component at 12 MP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..ops.dct import dct_matrix
from ..ops.quantization import round_half_away
from .report import BlockMiss, ComponentAgreement, Room


def basis_peaks() -> torch.Tensor:
    """(64,) the largest magnitude each orthonormal 8×8 DCT basis function takes over the block's pixels."""
    peaks = dct_matrix(8).abs().amax(1)
    return torch.outer(peaks, peaks).reshape(64)


@dataclass
class ComponentFindings:
    """Accumulated maps of one component (see the module's docstring). ``scale``: (fy, fx) pixels per
    sample of this component's plane, to place its blocks in the image and express tolerances in
    full-resolution samples."""

    name: str
    scale: tuple[int, int]
    height: int
    width: int
    misses: np.ndarray
    coefficients: np.ndarray
    excess: np.ndarray
    difference: np.ndarray
    margin: np.ndarray
    tolerance: np.ndarray

    @staticmethod
    def empty(name: str, grid: tuple[int, int], scale: tuple[int, int], height: int, width: int) -> ComponentFindings:
        return ComponentFindings(
            name,
            scale,
            height,
            width,
            np.zeros(grid, bool),
            np.zeros(grid, np.int8),
            np.zeros(grid, np.float32),
            np.zeros(grid, np.int32),
            np.zeros(grid, np.float32),
            np.zeros(grid, np.float32),
        )

    def add(self, normalized: torch.Tensor, quantized: torch.Tensor, table: torch.Tensor, row: int) -> None:
        """Record a strip: normalized and quantized (1, 64, by, bx) from block row ``row`` on; table (64,)."""
        distance = (normalized - quantized)[0].abs()
        difference = (round_half_away(normalized) - quantized)[0].abs()
        margins = (0.5 - distance).clamp(min=0.0)
        gain = (table / basis_peaks().to(table)).reshape(64, 1, 1) * float(np.prod(self.scale))
        rows = slice(row, row + distance.shape[1])
        self.misses[rows] = (difference > 0).any(0).numpy()
        self.coefficients[rows] = (difference > 0).sum(0).numpy()
        self.excess[rows] = (distance - 0.5).amax(0).clamp(min=0.0).numpy()
        self.difference[rows] = difference.amax(0).numpy()
        self.margin[rows] = margins.amin(0).numpy()
        self.tolerance[rows] = (margins * gain).amin(0).numpy()

    def agreement(self, differences: torch.Tensor) -> ComponentAgreement:
        """Figures of a strip from its |X_Q| differences (any shape)."""
        return ComponentAgreement(
            self.name,
            differences.numel(),
            int((differences == 0).sum()),
            int((differences <= 1).sum()),
            int(differences.max()) if differences.numel() else 0,
        )

    def block_window(self, row: int, col: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the image pixels a block covers."""
        fy, fx = self.scale
        x, y = 8 * fx * col, 8 * fy * row
        return x, y, min(8 * fx, self.width - x), min(8 * fy, self.height - y)

    def missed(self) -> list[BlockMiss]:
        """Every missed block, worst (largest excess) first."""
        rows, cols = np.nonzero(self.misses)
        order = np.argsort(-self.excess[rows, cols], kind="stable")
        return [
            BlockMiss(
                self.name,
                int(r),
                int(c),
                *self.block_window(int(r), int(c)),
                int(self.coefficients[r, c]),
                round(float(self.excess[r, c]), 6),
                int(self.difference[r, c]),
            )
            for r, c in zip(rows[order], cols[order])
        ]

    def room(self) -> Room:
        roomiest = np.unravel_index(int(np.argmax(self.margin)), self.margin.shape)
        x, y, _, _ = self.block_window(int(roomiest[0]), int(roomiest[1]))
        return Room(
            self.name,
            round(float(self.margin.min()), 4),
            round(float(np.median(self.margin)), 4),
            round(float(self.margin.max()), 4),
            (x, y),
            round(float(self.tolerance.min()), 2),
            round(float(np.median(self.tolerance)), 2),
            round(float(self.tolerance.max()), 2),
        )
