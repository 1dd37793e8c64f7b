"""Make a decoded image survive storage: after clipping to [0, 255], rounding to the PNG's bit depth and
cropping to the true size, every coefficient must still re-quantize to the file's X_Q.

First alternating projections on the whole image: re-encode (reference encoder), project the normalized
coefficients into the box shrunk by a margin (paper eq. 2), render back, round again. What they leave
(pixels clipped at 0 or 255, partial edge blocks) is then polished by projected gradient descent on
small MCU-aligned windows, with a margin that grows when a round of polishing falls short.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy import ndimage

from ..decoder.code_tensors import CodeTensors
from ..decoder.render import coefficients_to_plane
from ..ops.color import ycbcr_to_rgb
from ..ops.resample import consistent_upsample
from ..ops.quantization import clamp_to_box, round_half_away
from ..verify.png_io import quantize_to_depth
from ..verify.reference_encoder import encode_normalized, file_quantized
from ..verify.tiles import window_code

MARGINS = {16: (0.005, 0.01, 0.02, 0.05, 0.0), 8: (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.0)}
"""Box shrinkage (in quantization steps) tried in turn per bit depth: 16-bit rounding moves a coefficient
by thousandths of a step, 8-bit rounding by up to tenths. The last try, no margin, is for saturated blocks
whose coefficient sits exactly on the box edge: only pixels at exactly 0 or 255 reach it."""
PROJECTION_ROUNDS = 8
"""Whole-image alternating projections before the remaining violations are polished window by window."""
POLISH_STEPS = 400


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


def _block_violations(normalized: list[torch.Tensor], quantized: list[torch.Tensor]) -> list[torch.Tensor]:
    """Per component map (by, bx) of blocks holding a coefficient outside its box."""
    return [(round_half_away(n) != q).any(1)[0] for n, q in zip(normalized, quantized)]


def violating_windows(normalized: list[torch.Tensor], quantized: list[torch.Tensor], code: CodeTensors
                      ) -> list[tuple[int, int, int, int]]:
    """Pixel windows (top, left, bottom, right), aligned to the MCU grid and one MCU wider than each
    connected group of violating MCUs, clipped to the image."""
    fy, fx = code.chroma_factor
    maps = _block_violations(normalized, quantized)
    rows, cols = -(-code.height // (8 * fy)), -(-code.width // (8 * fx))
    mcu = np.zeros((rows, cols), dtype=bool)
    y_bad = maps[0].numpy()
    for dy in range(fy):
        for dx in range(fx):
            part = y_bad[dy::fy, dx::fx]
            mcu[: part.shape[0], : part.shape[1]] |= part
    if len(maps) > 1:
        mcu |= maps[1].numpy()[:rows, :cols]
    labels, count = ndimage.label(ndimage.binary_dilation(mcu, np.ones((3, 3), dtype=bool)))
    windows = []
    for rows_slice, cols_slice in ndimage.find_objects(labels)[:count]:
        windows.append((rows_slice.start * 8 * fy, cols_slice.start * 8 * fx,
                        min(code.height, rows_slice.stop * 8 * fy), min(code.width, cols_slice.stop * 8 * fx)))
    return windows


def polish_window(stored: torch.Tensor, code: CodeTensors, margin: float, bit_depth: int) -> torch.Tensor:
    """Projected gradient descent on one window: pixels (1, C, h, w) stay in [0, 255] while the squared
    excess of every normalized coefficient over its box (shrunk by ``margin``) is driven to zero."""
    quantized = file_quantized(code)
    pixels = stored.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([pixels], lr=0.05)
    for step in range(POLISH_STEPS):
        normalized = encode_normalized(pixels, code)
        excess = sum((torch.relu((n - q).abs() - (0.5 - margin)) ** 2).sum() for n, q in zip(normalized, quantized))
        if step % 20 == 0:
            candidate = _quantize_tensor(pixels.detach(), bit_depth)
            if _violations(encode_normalized(candidate, code), quantized) == 0:
                return candidate
        optimizer.zero_grad()
        excess.backward()
        optimizer.step()
        with torch.no_grad():
            pixels.clamp_(0.0, 255.0)
    return _quantize_tensor(pixels.detach(), bit_depth)


def _quantize_tensor(image: torch.Tensor, bit_depth: int) -> torch.Tensor:
    return _to_tensor(quantize_to_depth(_to_array(image), bit_depth))


def repair_for_storage(image: np.ndarray, code: CodeTensors, bit_depth: int) -> RepairResult:
    """Return the stored form of ``image`` (H, W, C, float, [0, 255]) whose coefficients match ``code``
    (float64 tensors, N = 1) when that is reachable at ``bit_depth``; else the best attempt.

    First whole-image alternating projections (cheap, fix nearly everything), then projected gradient
    descent on MCU-aligned windows around what is left (clipped shadows and highlights, image edges).
    """
    quantized = file_quantized(code)
    stored = _to_tensor(quantize_to_depth(image, bit_depth))
    rounds = 0
    first_margin = MARGINS[bit_depth][0]
    for _ in range(PROJECTION_ROUNDS):
        normalized = encode_normalized(stored, code)
        if _violations(normalized, quantized) == 0:
            return RepairResult(_to_array(stored), rounds, True)
        projected = [clamp_to_box(n, q, first_margin) for n, q in zip(normalized, quantized)]
        stored = _quantize_tensor(render_folded(projected, code), bit_depth)
        rounds += 1
    for margin in MARGINS[bit_depth]:
        normalized = encode_normalized(stored, code)
        if _violations(normalized, quantized) == 0:
            break
        stored = stored.clone()
        for top, left, bottom, right in violating_windows(normalized, quantized, code):
            part = stored[:, :, top:bottom, left:right]
            stored[:, :, top:bottom, left:right] = polish_window(
                part, window_code(code, (top, left, bottom, right)), margin, bit_depth)
            rounds += 1
    consistent = _violations(encode_normalized(stored, code), quantized) == 0
    return RepairResult(_to_array(stored), rounds, consistent)
