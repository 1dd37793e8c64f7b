"""Orthonormal block DCT-II / IDCT on image planes, as one matrix product per block.

Coefficient layout: a block of size B×B gives B² channels in natural order (channel = u·B + v, u the
vertical frequency). Planes are (N, 1, H, W) with H and W multiples of B; coefficient maps are
(N, B², H/B, W/B). Works in any floating dtype and on any device.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch


@lru_cache(maxsize=None)
def _dct_matrix_cpu(size: int) -> torch.Tensor:
    """(size, size) float64 orthonormal DCT-II matrix D, rows = frequencies, so X = D x Dᵀ."""
    n = torch.arange(size, dtype=torch.float64)
    k = n[:, None]
    matrix = torch.cos(math.pi * (2 * n[None, :] + 1) * k / (2 * size)) * math.sqrt(2.0 / size)
    matrix[0] /= math.sqrt(2.0)
    return matrix


@lru_cache(maxsize=None)
def _dct_matrix_on(size: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    return _dct_matrix_cpu(size).to(dtype=dtype, device=device)


def dct_matrix(size: int, dtype: torch.dtype = torch.float64, device: torch.device | str = "cpu") -> torch.Tensor:
    """The DCT matrix on ``device`` in ``dtype``, cached: no host-to-device copy per call."""
    return _dct_matrix_on(size, dtype, torch.device(device))


@lru_cache(maxsize=None)
def _kron_cpu(size: int) -> torch.Tensor:
    matrix = _dct_matrix_cpu(size)
    return torch.kron(matrix, matrix)  # (size², size²): vec(D X Dᵀ) = (D ⊗ D) vec(X) in row-major order


@lru_cache(maxsize=None)
def _kron_on(size: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    return _kron_cpu(size).to(dtype=dtype, device=device)


def _kron(size: int, like: torch.Tensor) -> torch.Tensor:
    return _kron_on(size, like.dtype, like.device)


def blockify(plane: torch.Tensor, size: int) -> torch.Tensor:
    """(N, 1, H, W) → (N, H/size, W/size, size²) pixel blocks in row-major order."""
    n, _, h, w = plane.shape
    blocks = plane.reshape(n, h // size, size, w // size, size).permute(0, 1, 3, 2, 4)
    return blocks.reshape(n, h // size, w // size, size * size)


def unblockify(blocks: torch.Tensor, size: int) -> torch.Tensor:
    """(N, H/size, W/size, size²) → (N, 1, H, W): the inverse of :func:`blockify`."""
    n, by, bx, _ = blocks.shape
    plane = blocks.reshape(n, by, bx, size, size).permute(0, 1, 3, 2, 4)
    return plane.reshape(n, 1, by * size, bx * size)


def block_dct(plane: torch.Tensor, size: int = 8) -> torch.Tensor:
    """Orthonormal DCT of each size×size block: (N, 1, H, W) pixels → (N, size², H/size, W/size)."""
    coefficients = blockify(plane, size) @ _kron(size, plane).T
    return coefficients.permute(0, 3, 1, 2)


def block_idct(coefficients: torch.Tensor, size: int = 8) -> torch.Tensor:
    """Inverse of :func:`block_dct`: (N, size², by, bx) → (N, 1, by·size, bx·size) pixels."""
    blocks = coefficients.permute(0, 2, 3, 1) @ _kron(size, coefficients)
    return unblockify(blocks, size)


def embed_low_frequencies(coefficients: torch.Tensor, rows: int, cols: int, target: int = 16) -> torch.Tensor:
    """Re-express (N, rows·cols, by, bx) DCT blocks of rows×cols as the low-frequency corner of
    target×target blocks, zero above (paper 4.2, where chroma 8×8 blocks become 16×16 blocks).

    The scale target/√(rows·cols) keeps pixel values: an embedded constant block stays the same
    constant. Returns (N, target², by, bx).
    """
    n, _, by, bx = coefficients.shape
    out = coefficients.new_zeros(n, target, target, by, bx)
    out[:, :rows, :cols] = coefficients.reshape(n, rows, cols, by, bx) * (target / math.sqrt(rows * cols))
    return out.reshape(n, target * target, by, bx)


def block_dct_rect(plane: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """Separable orthonormal DCT of rows×cols blocks: (N, 1, H, W) → (N, rows·cols, H/rows, W/cols)."""
    n, _, h, w = plane.shape
    blocks = plane.reshape(n, h // rows, rows, w // cols, cols).permute(0, 1, 3, 2, 4)
    d_rows = dct_matrix(rows, plane.dtype, plane.device)
    d_cols = dct_matrix(cols, plane.dtype, plane.device)
    coefficients = d_rows @ blocks @ d_cols.T
    return coefficients.reshape(n, h // rows, w // cols, rows * cols).permute(0, 3, 1, 2)
