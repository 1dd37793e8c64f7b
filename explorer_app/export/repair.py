"""Make a decoded image survive storage: after clipping to [0, 255], rounding to the PNG's bit depth and
cropping to the true size, every coefficient must still re-quantize to the file's X_Q.

Alternating projections: re-encode (reference encoder), project the normalized coefficients into the
box shrunk by a margin (paper eq. 2), render back, round again; the margin grows when a round fails.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..decoder.render import coefficients_to_plane
from ..ops.color import ycbcr_to_rgb
from ..ops.resample import consistent_upsample
from ..ops.quantization import clamp_to_box, round_half_away
from ..verify.png_io import quantize_to_depth
from ..verify.reference_encoder import encode_normalized, file_quantized

MARGINS = {16: (0.005, 0.01, 0.02, 0.05), 8: (0.02, 0.05, 0.1, 0.2, 0.3, 0.4)}
"""Box shrinkage (in quantization steps) tried in turn per bit depth: 16-bit rounding moves a coefficient
by thousandths of a step, 8-bit rounding by up to tenths."""
ROUNDS_PER_MARGIN = 30


@dataclass(frozen=True)
class RepairResult:
    """image: float64 (H, W, C) on the storage grid of the bit depth; rounds: projections used;
    consistent: whether the reference encoder gives back every coefficient."""

    image: np.ndarray
    rounds: int
    consistent: bool


def _to_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None]


def _to_array(image: torch.Tensor) -> np.ndarray:
    return image[0].permute(1, 2, 0).numpy()


def fold_padding(plane: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Least-squares inverse of edge replication: (N, C, Hc, Wc) canvas → (N, C, height, width) where the
    last kept row and column take the mean of every canvas pixel that replicates them."""
    plane = plane[:, :, :, :width].clone() if plane.shape[3] == width else torch.cat(
        [plane[:, :, :, : width - 1], plane[:, :, :, width - 1:].mean(3, keepdim=True)], 3)
    if plane.shape[2] == height:
        return plane
    return torch.cat([plane[:, :, : height - 1], plane[:, :, height - 1:].mean(2, keepdim=True)], 2)


def render_folded(normalized: list[torch.Tensor], code: CodeTensors) -> torch.Tensor:
    """Pixels (N, C, H, W) whose re-encoding best matches ``normalized`` ([Y, CbCr] maps): each plane is
    rendered on its own canvas and folded back onto the true size (see :func:`fold_padding`)."""
    y = fold_padding(coefficients_to_plane(normalized[0], code.y_table), code.height, code.width)
    if code.c_q is None:
        return y
    tables = code.c_table
    chroma = torch.cat([coefficients_to_plane(normalized[1][:, :64], tables[:, :64]),
                        coefficients_to_plane(normalized[1][:, 64:], tables[:, 64:])], 1)
    chroma = fold_padding(consistent_upsample(chroma, code.chroma_factor), code.height, code.width)
    return ycbcr_to_rgb(torch.cat([y, chroma], 1))


def _violations(normalized: list[torch.Tensor], quantized: list[torch.Tensor]) -> int:
    return int(sum((round_half_away(n) != q).sum() for n, q in zip(normalized, quantized)))


def repair_for_storage(image: np.ndarray, code: CodeTensors, bit_depth: int) -> RepairResult:
    """Return the stored form of ``image`` (H, W, C, float, [0, 255]) whose coefficients match ``code``
    (float64 tensors, N = 1) when that is reachable at ``bit_depth``; else the best attempt."""
    quantized = file_quantized(code)
    stored = quantize_to_depth(image, bit_depth)
    rounds = 0
    for margin in MARGINS[bit_depth]:
        for _ in range(ROUNDS_PER_MARGIN):
            normalized = encode_normalized(_to_tensor(stored), code)
            if _violations(normalized, quantized) == 0:
                return RepairResult(stored, rounds, True)
            projected = [clamp_to_box(n, q, margin) for n, q in zip(normalized, quantized)]
            rendered = render_folded(projected, code)
            stored = quantize_to_depth(_to_array(rendered), bit_depth)
            rounds += 1
    consistent = _violations(encode_normalized(_to_tensor(stored), code), quantized) == 0
    return RepairResult(stored, rounds, consistent)
