"""From (possibly corrected) normalized coefficients X_Q + Δ to pixels: the fixed half of the decoder.

Planes are level-shifted back to [0, 255]; chroma is upsampled with
:func:`~explorer_app.ops.resample.consistent_upsample` so that the reference encoder's box averaging
gives back exactly the decoded chroma plane.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..ops.color import ycbcr_to_rgb
from ..ops.dct import block_idct
from ..ops.resample import consistent_upsample


def coefficients_to_plane(normalized: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """(N, 64, by, bx) normalized coefficients ⊙ M → (N, 1, 8·by, 8·bx) pixels in [0, 255] (unclipped)."""
    return block_idct(normalized * table) + 128.0


def pad_to(plane: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Edge-replicate (N, C, h, w) up to (N, C, height, width) (never crops)."""
    pad_h, pad_w = max(0, height - plane.shape[2]), max(0, width - plane.shape[3])
    if pad_h == 0 and pad_w == 0:
        return plane
    return F.pad(plane, (0, pad_w, 0, pad_h), mode="replicate")


def render_planes(
    y_normalized: torch.Tensor,
    y_table: torch.Tensor,
    c_normalized: torch.Tensor | None,
    c_table: torch.Tensor | None,
    chroma_factor: tuple[int, int],
) -> torch.Tensor:
    """YCbCr (or Y) image on the padded canvas: (N, 3 or 1, Hc, Wc), Hc ≥ 8·by covering every block."""
    y_plane = coefficients_to_plane(y_normalized, y_table)
    if c_normalized is None:
        return y_plane
    cb = coefficients_to_plane(c_normalized[:, :64], c_table[:, :64])
    cr = coefficients_to_plane(c_normalized[:, 64:], c_table[:, 64:])
    chroma = consistent_upsample(torch.cat([cb, cr], 1), chroma_factor)
    height, width = max(y_plane.shape[2], chroma.shape[2]), max(y_plane.shape[3], chroma.shape[3])
    return torch.cat([pad_to(y_plane, height, width), pad_to(chroma, height, width)], 1)


def render_image(
    y_normalized: torch.Tensor,
    y_table: torch.Tensor,
    c_normalized: torch.Tensor | None,
    c_table: torch.Tensor | None,
    chroma_factor: tuple[int, int],
    height: int,
    width: int,
) -> torch.Tensor:
    """RGB (N, 3, height, width) or grey (N, 1, height, width) image in [0, 255], unclipped."""
    planes = render_planes(y_normalized, y_table, c_normalized, c_table, chroma_factor)
    planes = planes[:, :, :height, :width]
    return ycbcr_to_rgb(planes) if planes.shape[1] == 3 else planes
