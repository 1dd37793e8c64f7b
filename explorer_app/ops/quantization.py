"""The quantization box: consistency checks, projection (paper eq. 2) and re-quantization.

Coefficient maps are (N, 64, by, bx); tables broadcast as (N or 1, 64, 1, 1); X_Q are integers stored
in a float tensor. "Normalized" coefficients are X_D ⊘ M; the box of X_Q is [X_Q − ½, X_Q + ½].
"""

from __future__ import annotations

import numpy as np
import torch


def table_channels(table: torch.Tensor) -> torch.Tensor:
    """(8, 8) or (N, 8, 8) table → (N or 1, 64, 1, 1) for broadcasting against coefficient maps."""
    return table.reshape(-1, 64, 1, 1)


def round_half_away(normalized: torch.Tensor) -> torch.Tensor:
    """Round to the nearest integer, halves away from zero, as libjpeg's quantizer does."""
    return torch.sign(normalized) * torch.floor(normalized.abs() + 0.5)


def round_half_away_array(values: np.ndarray) -> np.ndarray:
    """:func:`round_half_away` on a NumPy array (the exact searches of the export and the encoders' emulations
    work in NumPy)."""
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def box_excess(values: np.ndarray, quantized: np.ndarray, limit: float = 0.5) -> np.ndarray:
    """(K, ...) the squared excess of |values − X_Q| over ``limit`` (½: the box itself; less: a box shrunk by
    a margin), summed over the last axis; 0 where every value lies inside."""
    return (np.maximum(np.abs(values - quantized) - limit, 0.0) ** 2).sum(-1)


EDGE_INSET = 1e-9
"""How far inside its box :func:`kept_or_edge` puts a quotient that rounds elsewhere."""


def kept_or_edge(quotients: np.ndarray, quantized: np.ndarray) -> np.ndarray:
    """Each quotient where it rounds (half away from zero) to ``quantized``, else the edge of the box on its
    side, :data:`EDGE_INSET` inside: how an encoder whose own rounding (float arithmetic, trellis quantization)
    put a coefficient across an edge is described by quotients that round like it."""
    inside = np.clip(quotients, quantized - 0.5 + EDGE_INSET, quantized + 0.5 - EDGE_INSET)
    return np.where(round_half_away_array(quotients) == quantized, quotients, inside)


def requantize(coefficients: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """JPEG quantization: round(X_D ⊘ M)."""
    return round_half_away(coefficients / table_channels(table))


def clamp_to_box(normalized: torch.Tensor, quantized: torch.Tensor, margin: float = 0.0) -> torch.Tensor:
    """Normalized coefficients clipped into [X_Q − ½ + margin, X_Q + ½ − margin]."""
    limit = 0.5 - margin
    return torch.clamp(normalized - quantized, -limit, limit) + quantized


def project_to_box(
    coefficients: torch.Tensor, quantized: torch.Tensor, table: torch.Tensor, margin: float = 0.0
) -> torch.Tensor:
    """Paper eq. 2: (clip(X_D ⊘ M − X_Q, −½ + margin, ½ − margin) + X_Q) ⊙ M.

    The nearest (per coefficient) DCT map whose re-quantization gives ``quantized``; ``margin`` (in
    quantization steps) keeps it strictly inside the box so later rounding cannot push it out.
    """
    m = table_channels(table)
    return clamp_to_box(coefficients / m, quantized, margin) * m


def box_violation(coefficients: torch.Tensor, quantized: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Boolean map, True where ``coefficients`` re-quantize to something other than ``quantized``."""
    return requantize(coefficients, table) != quantized
