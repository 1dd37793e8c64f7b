"""The per-coefficient correction: authority beyond z where an edit asks for exact content.

ψ(X_Q, z) reaches only what its control was trained to reach; an imprinted word or a clean glyph that the
file allows lies outside that (docs/decoder.md, "Reach"). The correction is a logit added to the nets'
output per coefficient: Δ = shifted sigmoid(logits(X_Q, z) + c). It is zero everywhere except the blocks an
exact edit wrote, so z = 0 with no correction is the faithful decode bit for bit, and any Δ in
(−DELTA_LIMIT, DELTA_LIMIT) stays reachable: consistency is still by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .code_tensors import CodeTensors


@dataclass(frozen=True)
class Correction:
    """Logit corrections: y (N, 64, by, bx) for luma, c (N, 128, cby, cbx) for Cb then Cr (None for grey)."""

    y: torch.Tensor
    c: torch.Tensor | None

    @staticmethod
    def zeros(code: CodeTensors, count: int = 1) -> Correction:
        """No correction, for ``count`` images of ``code``'s shape, dtype and device."""
        y = code.y_q.new_zeros((count, *code.y_q.shape[1:]))
        c = None if code.c_q is None else code.c_q.new_zeros((count, *code.c_q.shape[1:]))
        return Correction(y, c)

    def clone(self) -> Correction:
        return Correction(self.y.clone(), None if self.c is None else self.c.clone())

    def any(self) -> bool:
        """Whether any coefficient is corrected."""
        return bool(self.y.any()) or (self.c is not None and bool(self.c.any()))


__all__ = ["Correction"]
