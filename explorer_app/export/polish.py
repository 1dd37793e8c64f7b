"""Projected gradient descent on the MCUs the projections left broken, each MCU an image of its own.

An MCU's coefficients depend on its own pixels only, so the broken MCUs are optimized side by side, in
batches of MCUs of one size (those on the right and bottom edges can be partial): their pixels stay in
[0, 255] while the squared excess of every coefficient over its box (shrunk by a margin) is driven to zero.
The gradient is the reference encoder's (it is affine); for another target encoder the loss adds the
target's offset from it, measured at the last rounding. Every 20 steps the pixels are rounded to the
storage grid and judged by the target encoder exactly; an MCU that verifies keeps that rounding and leaves
the batch (so later steps cost only what is left), one that never does ends at the last step's rounding.
Adam's update is written out here: torch.optim's first use imports the compiler stack (3 s per process).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..verify.encoders import REFERENCE, Encoder
from ..verify.png_io import quantize_to_depth, to_samples
from ..verify.reference_encoder import encode_normalized, file_quantized
from ..verify.tiles import Window, mcu_shape, pixel_window
from .stored import guard_for, outside, window_pixels

POLISH_STEPS = 400
CHECK_EVERY = 20
POLISH_BATCH = 1024
"""MCUs optimized together (float64 temporaries of tens of MiB). A constant, not derived from the strip size,
so that the batches, and with them the float rounding of every step, do not depend on the tiling."""
LEARNING_RATE, BETAS, EPSILON = 0.05, (0.9, 0.999), 1e-8


def batch_code(code: CodeTensors, windows: list[Window]) -> CodeTensors:
    """The coefficients under pixel windows of one size (MCU-aligned) as N = len(windows) images."""
    parts = [code.crop(*window) for window in windows]
    c_q = None if code.c_q is None else torch.cat([part.c_q for part in parts])
    return replace(parts[0], y_q=torch.cat([part.y_q for part in parts]), c_q=c_q)


def select(code: CodeTensors, keep: torch.Tensor) -> CodeTensors:
    """The images of a batch ``code`` that ``keep`` picks (bool (N,), or indices, repeats allowed)."""
    return replace(code, y_q=code.y_q[keep], c_q=None if code.c_q is None else code.c_q[keep])


def verifies(normalized: list[torch.Tensor], quantized: list[torch.Tensor], guard: float) -> torch.Tensor:
    """Bool (N,): whether no coefficient of each image lies :func:`~.stored.outside` its box."""
    result = torch.ones(normalized[0].shape[0], dtype=torch.bool)
    for n, q in zip(normalized, quantized):
        result &= ~outside(n, q, guard).flatten(1).any(1)
    return result


def _rounded(pixels: torch.Tensor, bit_depth: int) -> torch.Tensor:
    return torch.from_numpy(quantize_to_depth(pixels.numpy(), bit_depth))


class Adam:
    """Adam on one tensor whose rows (images) can be dropped between steps."""

    def __init__(self, pixels: torch.Tensor) -> None:
        self.first = torch.zeros_like(pixels)
        self.second = torch.zeros_like(pixels)
        self.steps = 0

    def step(self, pixels: torch.Tensor, gradient: torch.Tensor) -> None:
        self.steps += 1
        self.first.mul_(BETAS[0]).add_(gradient, alpha=1 - BETAS[0])
        self.second.mul_(BETAS[1]).addcmul_(gradient, gradient, value=1 - BETAS[1])
        first = self.first / (1 - BETAS[0] ** self.steps)
        second = self.second / (1 - BETAS[1] ** self.steps)
        pixels.sub_(LEARNING_RATE * first / (second.sqrt() + EPSILON))

    def keep(self, rows: torch.Tensor) -> None:
        self.first, self.second = self.first[rows], self.second[rows]


def offsets(candidate: torch.Tensor, code: CodeTensors,
            encoder: Encoder) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The target encoder's normalized coefficients of ``candidate`` and their offset from the reference
    encoder's (zero for the reference encoder itself)."""
    exact = encoder.normalized(candidate, code)
    if encoder is REFERENCE:
        return exact, [torch.zeros_like(n) for n in exact]
    return exact, [e - r for e, r in zip(exact, encode_normalized(candidate, code))]


def polish_batch(stored: torch.Tensor, code: CodeTensors, margin: float, bit_depth: int,
                 encoder: Encoder) -> tuple[torch.Tensor, torch.Tensor]:
    """Polish N images (N, C, h, w) float64 on the storage grid against ``code`` (N images of that size)
    for ``encoder``. Returns (pixels (N, C, h, w) on the storage grid, bool (N,) whether each verifies)."""
    best = stored.clone()
    done = torch.zeros(stored.shape[0], dtype=torch.bool)
    active = torch.arange(stored.shape[0])
    pixels, part, adam = stored.clone(), code, Adam(stored)
    limit = 0.5 - margin
    for step in range(POLISH_STEPS + 1):
        if step % CHECK_EVERY == 0:
            candidate = _rounded(pixels, bit_depth)
            exact, offset = offsets(candidate, part, encoder)
            verified = verifies(exact, file_quantized(part), guard_for(encoder, margin))
            best[active] = candidate
            done[active[verified]] = True
            keep = ~verified
            if not keep.any() or step == POLISH_STEPS:
                break
            active, pixels, part = active[keep], pixels[keep], select(part, keep)
            offset = [o[keep] for o in offset]
            adam.keep(keep)
        pixels.requires_grad_(True)
        normalized = encode_normalized(pixels, part)
        excess = sum((torch.relu((n + o - q).abs() - limit) ** 2).sum()
                     for n, o, q in zip(normalized, offset, file_quantized(part)))
        (gradient,) = torch.autograd.grad(excess, pixels)
        pixels = pixels.detach()
        adam.step(pixels, gradient)
        pixels.clamp_(0.0, 255.0)
    return best, done


def polish(samples: np.ndarray, broken: np.ndarray, code: CodeTensors, margin: float, bit_depth: int,
           encoder: Encoder) -> None:
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
            polished, verified = polish_batch(stored, batch_code(code, batch), margin, bit_depth, encoder)
            for (top, left, bottom, right), pixels, ok in zip(batch, polished, verified):
                samples[top:bottom, left:right] = to_samples(pixels.permute(1, 2, 0).numpy(), bit_depth)
                broken[top // mcu_h, left // mcu_w] = not ok
