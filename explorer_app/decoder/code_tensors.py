"""A JpegCode as batched torch tensors, the form the networks and the renderer consume."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from ..codec.jpeg_code import JpegCode


@dataclass(frozen=True)
class CodeTensors:
    """Quantized coefficients and tables of N images of one size and sampling.

    y_q: (N, 64, by, bx) luma X_Q (integers in a float tensor); y_table: (N, 64, 1, 1) luma M.
    c_q: (N, 128, cby, cbx) Cb then Cr X_Q, or None for greyscale; c_table: (N, 128, 1, 1) or None.
    chroma_factor: (fy, fx) chroma subsampling; height, width: pixels kept after rendering.
    """

    y_q: torch.Tensor
    y_table: torch.Tensor
    c_q: torch.Tensor | None
    c_table: torch.Tensor | None
    chroma_factor: tuple[int, int]
    height: int
    width: int

    @property
    def is_color(self) -> bool:
        return self.c_q is not None

    @property
    def z_shape(self) -> tuple[int, int, int, int]:
        """Shape of the control signal z: (N, 64, by, bx), one 64-vector per luma block."""
        n, _, by, bx = self.y_q.shape
        return n, 64, by, bx

    def crop(self, top: int, left: int, bottom: int, right: int) -> CodeTensors:
        """The part covering pixels [top, bottom) × [left, right), as an image of its own: top and left on
        the MCU grid; bottom and right on it or at the image's edge (the last blocks are kept partial)."""
        fy, fx = self.chroma_factor
        height, width = bottom - top, right - left
        y_q = self.y_q[:, :, top // 8 : top // 8 + -(-height // 8), left // 8 : left // 8 + -(-width // 8)]
        c_q = None
        if self.c_q is not None:
            cy, cx = top // (8 * fy), left // (8 * fx)
            c_q = self.c_q[:, :, cy : cy + -(-height // (8 * fy)), cx : cx + -(-width // (8 * fx))]
        return replace(self, y_q=y_q, c_q=c_q, height=height, width=width)

    def to(self, device: torch.device | str, dtype: torch.dtype = torch.float32) -> CodeTensors:
        move = lambda t: None if t is None else t.to(device=device, dtype=dtype)  # noqa: E731
        return replace(
            self, y_q=move(self.y_q), y_table=move(self.y_table), c_q=move(self.c_q), c_table=move(self.c_table)
        )

    @staticmethod
    def from_code(code: JpegCode, dtype: torch.dtype = torch.float32) -> CodeTensors:
        """Tensors of one file (N = 1); blocks beyond the image kept, so the grids match the file's."""

        def coefficient_map(array: np.ndarray) -> torch.Tensor:
            by, bx = array.shape[:2]
            return torch.from_numpy(array.reshape(by, bx, 64).astype(np.float32)).permute(2, 0, 1)[None]

        def table(array: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(array.astype(np.float32)).reshape(1, 64, 1, 1)

        fy, fx = code.chroma_factor
        by, bx = -(-code.height // 8), -(-code.width // 8)
        y_q = coefficient_map(code.coefficients[0])[:, :, :by, :bx]
        c_q = c_table = None
        if code.is_color:
            cby, cbx = -(-code.height // (8 * fy)), -(-code.width // (8 * fx))
            c_q = torch.cat([coefficient_map(c)[:, :, :cby, :cbx] for c in code.coefficients[1:]], 1)
            c_table = torch.cat([table(t) for t in code.tables[1:]], 1)
        return CodeTensors(
            y_q.to(dtype),
            table(code.tables[0]).to(dtype),
            None if c_q is None else c_q.to(dtype),
            None if c_table is None else c_table.to(dtype),
            code.chroma_factor,
            code.height,
            code.width,
        )
