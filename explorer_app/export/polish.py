"""Projected gradient descent on the MCUs the projections left broken, each MCU an image of its own.

An MCU's coefficients depend on its own pixels only, so the broken MCUs are optimized side by side, in
batches of MCUs of one size (those on the right and bottom edges can be partial): their pixels stay in
[0, 255] while the squared excess of every normalized coefficient over its box (shrunk by a margin) is
driven to zero. Every 20 steps the pixels are rounded to the storage grid and each MCU keeps the first
rounding under which it verifies (clear of the ties of round-half-away while the margin is not zero); one
that never does ends at the last step's rounding.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..verify.png_io import quantize_to_depth, to_samples
from ..verify.reference_encoder import encode_normalized, file_quantized
from ..verify.tiles import Window, mcu_shape, pixel_window
from .stored import outside, tie_guard, window_pixels

POLISH_STEPS = 400
POLISH_BATCH = 1024
"""MCUs optimized together (float64 temporaries of tens of MiB). A constant, not derived from the strip size,
so that the batches, and with them the float rounding of every step, do not depend on the tiling."""


def batch_code(code: CodeTensors, windows: list[Window]) -> CodeTensors:
    """The coefficients under pixel windows of one size (MCU-aligned) as N = len(windows) images."""
    parts = [code.crop(*window) for window in windows]
    c_q = None if code.c_q is None else torch.cat([part.c_q for part in parts])
    return replace(parts[0], y_q=torch.cat([part.y_q for part in parts]), c_q=c_q)


def verifies(normalized: list[torch.Tensor], quantized: list[torch.Tensor], guard: float) -> torch.Tensor:
    """Bool (N,): whether no coefficient of each image lies :func:`~.stored.outside` its box."""
    result = torch.ones(normalized[0].shape[0], dtype=torch.bool)
    for n, q in zip(normalized, quantized):
        result &= ~outside(n, q, guard).flatten(1).any(1)
    return result


def _rounded(pixels: torch.Tensor, bit_depth: int) -> torch.Tensor:
    return torch.from_numpy(quantize_to_depth(pixels.numpy(), bit_depth))


def polish_batch(stored: torch.Tensor, code: CodeTensors, margin: float,
                 bit_depth: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Polish N images (N, C, h, w) float64 on the storage grid against ``code`` (N images of that size).
    Returns (pixels (N, C, h, w) on the storage grid, bool (N,) whether each verifies)."""
    quantized = file_quantized(code)
    best = stored.clone()
    done = torch.zeros(stored.shape[0], dtype=torch.bool)
    pixels = stored.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([pixels], lr=0.05)
    for step in range(POLISH_STEPS + 1):
        if step % 20 == 0:
            candidate = _rounded(pixels.detach(), bit_depth)
            verified = verifies(encode_normalized(candidate, code), quantized, tie_guard(margin)) & ~done
            best[verified] = candidate[verified]
            done |= verified
            if done.all() or step == POLISH_STEPS:
                break
        normalized = encode_normalized(pixels, code)
        excess = sum((torch.relu((n - q).abs() - (0.5 - margin)) ** 2).sum() for n, q in zip(normalized, quantized))
        optimizer.zero_grad()
        excess.backward()
        optimizer.step()
        with torch.no_grad():
            pixels.clamp_(0.0, 255.0)
    best[~done] = candidate[~done]
    return best, done


def polish(samples: np.ndarray, broken: np.ndarray, code: CodeTensors, margin: float, bit_depth: int) -> None:
    """Polish every MCU marked in ``broken`` (bool (MCU rows, cols)) of ``samples`` (H, W, C) with the box
    shrunk by ``margin``; store them again and mark in ``broken`` those that still do not verify."""
    mcu_h, mcu_w = mcu_shape(code)
    by_size: dict[tuple[int, int], list[Window]] = {}
    for row, col in np.argwhere(broken):
        top, left, bottom, right = pixel_window((row, col, row + 1, col + 1), code)
        by_size.setdefault((bottom - top, right - left), []).append((top, left, bottom, right))
    for windows in by_size.values():
        for start in range(0, len(windows), POLISH_BATCH):
            batch = windows[start: start + POLISH_BATCH]
            stored = torch.cat([window_pixels(samples, window, bit_depth) for window in batch])
            polished, verified = polish_batch(stored, batch_code(code, batch), margin, bit_depth)
            for (top, left, bottom, right), pixels, ok in zip(batch, polished, verified):
                samples[top:bottom, left:right] = to_samples(pixels.permute(1, 2, 0).numpy(), bit_depth)
                broken[top // mcu_h, left // mcu_w] = not ok
