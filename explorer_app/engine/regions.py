"""Regions of the image a tool acts on: pixel masks built from shapes, and their block-grid footprint.

A Region is a boolean (H, W) mask in the JPEG file's own orientation and pixel grid. The control signal
z lives on the 8×8 luma block grid, so every region also has a block mask (by, bx), optionally dilated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import binary_dilation

Point = tuple[float, float]
"""(x, y) in pixels, x to the right, y down."""


@dataclass(frozen=True, eq=False)
class Region:
    """mask: bool (H, W), True inside; kind: how it was drawn (for the history)."""

    mask: np.ndarray
    kind: str = "mask"

    @property
    def shape(self) -> tuple[int, int]:
        return self.mask.shape

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    def bounds(self) -> tuple[int, int, int, int]:
        """(y0, y1, x0, x1) half-open pixel bounding box; raises ValueError for an empty region."""
        rows, cols = np.nonzero(self.mask.any(1))[0], np.nonzero(self.mask.any(0))[0]
        if rows.size == 0:
            raise ValueError("the region is empty")
        return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1

    def block_mask(self, dilation: int = 0) -> np.ndarray:
        """bool (by, bx): luma blocks the region touches, dilated by ``dilation`` blocks (square)."""
        h, w = self.mask.shape
        by, bx = -(-h // 8), -(-w // 8)
        padded = np.zeros((by * 8, bx * 8), bool)
        padded[:h, :w] = self.mask
        blocks = np.asarray(padded.reshape(by, 8, bx, 8).any(axis=(1, 3)))
        if dilation > 0:
            blocks = binary_dilation(blocks, np.ones((2 * dilation + 1,) * 2, bool))
        return blocks

    def block_aligned(self) -> Region:
        """The union of the whole 8×8 blocks the region touches, as a pixel region."""
        h, w = self.mask.shape
        full = np.repeat(np.repeat(self.block_mask(), 8, 0), 8, 1)[:h, :w]
        return Region(full, f"{self.kind}, block-aligned")

    def inverted(self) -> Region:
        return Region(~self.mask, f"not ({self.kind})")

    def union(self, other: Region) -> Region:
        return Region(self.mask | other.mask, f"{self.kind} + {other.kind}")

    def describe(self) -> dict[str, object]:
        """JSON-able summary for histories and reports."""
        return {"kind": self.kind, "area_px": self.area, "bounds_xywh": list(box_xywh(self.mask))}


def box_xywh(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the pixels set in ``mask``: the one way a region's box is stated (the
    history's ``bounds_xywh``, the Region panel); raises ValueError when no pixel is set."""
    y0, y1, x0, x1 = Region(mask).bounds()
    return x0, y0, x1 - x0, y1 - y0


def _canvas(shape: tuple[int, int]) -> np.ndarray:
    return np.zeros(shape, np.uint8)


def rectangle(shape: tuple[int, int], x: int, y: int, width: int, height: int) -> Region:
    """Axis-aligned box of ``width``×``height`` px at (x, y) in an image of ``shape`` = (H, W)."""
    mask = np.zeros(shape, bool)
    mask[max(0, y) : max(0, y + height), max(0, x) : max(0, x + width)] = True
    return Region(mask, "rectangle")


def polygon(shape: tuple[int, int], points: Sequence[Point]) -> Region:
    """Filled polygon through ``points`` (at least 3)."""
    if len(points) < 3:
        raise ValueError("a polygon needs at least 3 points")
    canvas = _canvas(shape)
    cv2.fillPoly(canvas, [np.round(np.asarray(points, np.float64)).astype(np.int32)], 1)
    return Region(canvas.astype(bool), "polygon")


def freehand(shape: tuple[int, int], path: Sequence[Point]) -> Region:
    """A lasso: the closed area a free-hand path encloses (the path is closed by a straight line)."""
    return Region(polygon(shape, path).mask, "free-hand")


def brush(shape: tuple[int, int], path: Sequence[Point], radius: float) -> Region:
    """Pixels within ``radius`` px of a stroke along ``path`` (one point paints a disc)."""
    canvas = _canvas(shape)
    points = np.round(np.asarray(path, np.float64)).astype(np.int32).reshape(-1, 1, 2)
    thickness = max(1, round(2 * radius))
    if len(points) == 1:
        cv2.circle(canvas, tuple(int(v) for v in points[0, 0]), round(radius), 1, -1)
    else:
        cv2.polylines(canvas, [points], False, 1, thickness)
    return Region(canvas.astype(bool), "brush")


def whole_image(shape: tuple[int, int]) -> Region:
    return Region(np.ones(shape, bool), "whole image")
