"""Block windows: the part of the block grid a computation runs on, and cropping/pasting through it.

A window is a half-open range of luma blocks whose start is aligned to the MCU (the chroma factor), so
the chroma grid crops at whole chroma blocks. Cropped CodeTensors keep the file's true size at the
bottom/right edges, so a crop that reaches an edge is computed exactly as the whole image is there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors


@dataclass(frozen=True)
class BlockWindow:
    """Luma block rows [y0, y1) and columns [x0, x1) of a grid of (grid_h, grid_w) blocks."""

    y0: int
    y1: int
    x0: int
    x1: int
    grid_h: int
    grid_w: int
    factor: tuple[int, int] = (1, 1)

    @property
    def blocks(self) -> tuple[slice, slice]:
        """Slices into (…, by, bx) luma-grid tensors."""
        return slice(self.y0, self.y1), slice(self.x0, self.x1)

    @property
    def chroma_blocks(self) -> tuple[slice, slice]:
        """Slices into (…, cby, cbx) chroma-grid tensors (the last chroma block may overhang the luma grid)."""
        fy, fx = self.factor
        y1 = -(-self.y1 // fy) if self.y1 == self.grid_h else self.y1 // fy
        x1 = -(-self.x1 // fx) if self.x1 == self.grid_w else self.x1 // fx
        return slice(self.y0 // fy, y1), slice(self.x0 // fx, x1)

    @property
    def pixel_origin(self) -> tuple[int, int]:
        """(y, x) of the window's top-left pixel in the whole image."""
        return 8 * self.y0, 8 * self.x0

    def pixels(self, height: int, width: int) -> tuple[slice, slice]:
        """Pixel slices of the window in an image of ``height``×``width`` (cut at the true size)."""
        return slice(8 * self.y0, min(8 * self.y1, height)), slice(8 * self.x0, min(8 * self.x1, width))

    def grown(self, blocks: int) -> BlockWindow:
        """The window widened by ``blocks`` on every side, MCU-aligned, clipped to the grid."""
        return aligned_window(
            self.y0 - blocks,
            self.y1 + blocks,
            self.x0 - blocks,
            self.x1 + blocks,
            (self.grid_h, self.grid_w),
            self.factor,
        )

    def relative(self, inner: BlockWindow) -> tuple[slice, slice]:
        """Slices of ``inner`` (a window inside this one) into tensors cropped to this window."""
        return slice(inner.y0 - self.y0, inner.y1 - self.y0), slice(inner.x0 - self.x0, inner.x1 - self.x0)

    def relative_chroma(self, inner: BlockWindow) -> tuple[slice, slice]:
        (oy, ox), (iy, ix) = self.chroma_blocks, inner.chroma_blocks
        return slice(iy.start - oy.start, iy.stop - oy.start), slice(ix.start - ox.start, ix.stop - ox.start)

    def describe(self) -> list[int]:
        return [self.y0, self.y1, self.x0, self.x1]


def aligned_window(y0: int, y1: int, x0: int, x1: int, grid: tuple[int, int], factor: tuple[int, int]) -> BlockWindow:
    """Clip [y0, y1)×[x0, x1) to the grid and align the start down (and the end up) to the MCU."""
    fy, fx = factor
    grid_h, grid_w = grid
    y0, x0 = max(0, y0) // fy * fy, max(0, x0) // fx * fx
    y1, x1 = min(grid_h, -(-y1 // fy) * fy), min(grid_w, -(-x1 // fx) * fx)
    return BlockWindow(y0, y1, x0, x1, grid_h, grid_w, factor)


def window_of_mask(blocks: np.ndarray, factor: tuple[int, int]) -> BlockWindow:
    """The MCU-aligned bounding window of a non-empty bool (by, bx) block mask."""
    rows, cols = np.nonzero(blocks.any(1))[0], np.nonzero(blocks.any(0))[0]
    if rows.size == 0:
        raise ValueError("the region covers no block")
    return aligned_window(int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1, blocks.shape, factor)


def crop_code(code: CodeTensors, window: BlockWindow) -> CodeTensors:
    """The window's part of ``code``; its height/width are the window's pixels inside the true image."""
    rows, cols = window.pixels(code.height, code.width)
    return code.crop(rows.start, cols.start, rows.stop, cols.stop)


def expand_code(code: CodeTensors, n: int) -> CodeTensors:
    """The same code repeated as a batch of ``n`` (views, no copies)."""
    return code.map(lambda t: t.expand(n, *t.shape[1:]))


def block_tensor(blocks: np.ndarray, window: BlockWindow, like: torch.Tensor) -> torch.Tensor:
    """bool (1, 1, h_blocks, w_blocks) of the window's part of a (by, bx) block mask, on ``like``'s device."""
    rows, cols = window.blocks
    return torch.from_numpy(np.ascontiguousarray(blocks[rows, cols])).to(like.device)[None, None]


def chroma_blocks_of(luma_blocks: torch.Tensor, factor: tuple[int, int], chroma: torch.Tensor) -> torch.Tensor:
    """bool (1, 1, cby, cbx): the chroma blocks of a window that cover any of its ``luma_blocks`` (bool
    (1, 1, hb, wb)), for a chroma map shaped like ``chroma`` (N, C, cby, cbx) on the same MCU-aligned window."""
    fy, fx = factor
    cby, cbx = chroma.shape[2:]
    padded = torch.zeros((1, 1, cby * fy, cbx * fx), dtype=torch.bool, device=luma_blocks.device)
    rows, cols = min(cby * fy, luma_blocks.shape[2]), min(cbx * fx, luma_blocks.shape[3])
    padded[:, :, :rows, :cols] = luma_blocks[:, :, :rows, :cols]
    return padded.reshape(1, 1, cby, fy, cbx, fx).any(5).any(3)
