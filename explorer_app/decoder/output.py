"""What a decode gives: the Δ maps and the image they render to."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class DecoderOutput:
    """One decode of N images.

    delta_y: (N, 64, by, bx) luma Δ; delta_c: (N, 128, cby, cbx) Cb then Cr Δ, or None for grey;
    image: (N, C, H, W) float, C = 3 (RGB) or 1 (grey), in [0, 255] but unclipped.
    """

    delta_y: torch.Tensor
    delta_c: torch.Tensor | None
    image: torch.Tensor
