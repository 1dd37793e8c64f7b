"""A PNG's samples in memory during the repair: rounding a decoder output to them strip by strip, reading a
window of them back as float64 pixels, and mapping which MCUs the target encoder re-encodes to the file's
coefficients.

Windows and MCU spans are those of :mod:`~explorer_app.verify.tiles`; an MCU's coefficients depend on its
own pixels only, so any MCU-aligned window re-encodes, as an image of its own, to the whole image's figures.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..ops.quantization import round_half_away
from ..verify.encoders import Encoder
from ..verify.interrupt import Check, never
from ..verify.png_io import from_samples, sample_type, to_samples
from ..verify.reference_encoder import file_quantized
from ..verify.tiles import STRIP_PIXELS, Window, mcu_grid, mcu_span, pixel_window, strips


def window_pixels(samples: np.ndarray, window: Window, bit_depth: int) -> torch.Tensor:
    """The pixels of a window of ``samples`` (H, W, C) as float64 (1, C, h, w) on [0, 255]."""
    top, left, bottom, right = window
    pixels = np.ascontiguousarray(from_samples(samples[top:bottom, left:right], bit_depth))
    return torch.from_numpy(pixels).permute(2, 0, 1)[None]


def guard_for(encoder: Encoder, margin: float) -> float:
    """The tie guard of a repair round with ``margin``: the encoder's while a margin is in force (a float
    encoder decides exact ties by its own rounding error, which an independent encoder may decide the other
    way), none in the last, margin-free round, whose purpose is saturated blocks that need a coefficient
    exactly on the edge."""
    return encoder.tie_guard if margin > 0.0 else 0.0


def outside(normalized: torch.Tensor, quantized: torch.Tensor, guard: float) -> torch.Tensor:
    """Bool, same shape: True where a normalized coefficient does not re-quantize to X_Q or, with
    ``guard`` > 0, lies within ``guard`` of its box's edge."""
    if guard == 0.0:
        return round_half_away(normalized) != quantized
    return (normalized - quantized).abs() >= 0.5 - guard


def broken_mcus(
    normalized: list[torch.Tensor], quantized: list[torch.Tensor], code: CodeTensors, guard: float
) -> np.ndarray:
    """Bool (rows, cols) map of the MCUs of ``code`` (N = 1) holding a coefficient :func:`outside` its box."""
    fy, fx = code.chroma_factor
    rows, cols = mcu_grid(code)
    maps = [outside(n, q, guard).any(1)[0].numpy() for n, q in zip(normalized, quantized, strict=True)]
    broken = np.zeros((rows, cols), dtype=bool)
    for dy in range(fy):
        for dx in range(fx):
            part = maps[0][dy::fy, dx::fx]
            broken[: part.shape[0], : part.shape[1]] |= part
    if len(maps) > 1:
        broken |= maps[1][:rows, :cols]
    return broken


def batch_code(code: CodeTensors, windows: list[Window]) -> CodeTensors:
    """The coefficients under pixel windows of one size (MCU-aligned) as N = len(windows) images."""
    parts = [code.crop(*window) for window in windows]
    c_q = None if code.c_q is None else torch.cat([part.chroma()[0] for part in parts])
    return replace(parts[0], y_q=torch.cat([part.y_q for part in parts]), c_q=c_q)


def batches(windows: list[Window], pixels: int) -> list[list[int]]:
    """Indices into ``windows`` in batches of one window size and at most about ``pixels`` pixels each (at
    least one window), in the order the windows come."""
    by_size: dict[tuple[int, int], list[int]] = {}
    for index, (top, left, bottom, right) in enumerate(windows):
        by_size.setdefault((bottom - top, right - left), []).append(index)
    result = []
    for (height, width), indices in by_size.items():
        size = max(1, pixels // (height * width))
        result += [indices[start : start + size] for start in range(0, len(indices), size)]
    return result


def check_windows(
    samples: np.ndarray,
    broken: np.ndarray,
    windows: list[Window],
    code: CodeTensors,
    bit_depth: int,
    encoder: Encoder,
    guard: float,
    strip_pixels: int = STRIP_PIXELS,
    interrupt: Check = never,
) -> None:
    """:func:`check` for many MCU-aligned windows, re-encoded in batches of one size (many small groups of
    broken MCUs cost one encoder call per batch, not one each)."""
    for batch in batches(windows, strip_pixels):
        interrupt()
        chosen = [windows[index] for index in batch]
        pixels = torch.cat([window_pixels(samples, window, bit_depth) for window in chosen])
        part = batch_code(code, chosen)
        normalized = encoder.normalized(pixels, part)
        for index, window in enumerate(chosen):
            top, left, bottom, right = mcu_span(window, code)
            one = [n[index : index + 1] for n in normalized]
            quantized = [q[index : index + 1] for q in file_quantized(part)]
            broken[top:bottom, left:right] = broken_mcus(one, quantized, code.crop(*window), guard)


def check(
    samples: np.ndarray,
    broken: np.ndarray,
    window: Window,
    code: CodeTensors,
    bit_depth: int,
    encoder: Encoder,
    guard: float,
) -> None:
    """Re-encode a window of ``samples`` with ``encoder`` and update its MCUs in ``broken``."""
    part = code.crop(*window)
    top, left, bottom, right = mcu_span(window, code)
    normalized = encoder.normalized(window_pixels(samples, window, bit_depth), part)
    broken[top:bottom, left:right] = broken_mcus(normalized, file_quantized(part), part, guard)


def store(
    image: torch.Tensor,
    code: CodeTensors,
    bit_depth: int,
    encoder: Encoder,
    strip_pixels: int = STRIP_PIXELS,
    interrupt: Check = never,
) -> tuple[np.ndarray, np.ndarray]:
    """Round a decoder output (1, C, H, W) on [0, 255], any float dtype and device, to PNG samples
    (H, W, C) strip by strip; returns them and the bool (MCU rows, cols) map of the MCUs the rounding broke
    for ``encoder``. ``interrupt``: called before every strip (:mod:`~explorer_app.verify.interrupt`)."""
    channels, height, width = image.shape[1:]
    samples = np.empty((height, width, channels), sample_type(bit_depth))
    broken = np.zeros(mcu_grid(code), dtype=bool)
    for window in strips(code, strip_pixels):
        interrupt()
        top, _, bottom, _ = window
        part = image[0, :, top:bottom].detach().to("cpu", torch.float64).permute(1, 2, 0).numpy()
        samples[top:bottom] = to_samples(part, bit_depth)
        check(samples, broken, window, code, bit_depth, encoder, encoder.tie_guard)
    return samples, broken


def estimated_breaks(
    image: torch.Tensor, code: CodeTensors, bit_depth: int, encoder: Encoder, every: int, interrupt: Check = never
) -> int:
    """How many MCUs :func:`store` would find broken, estimated from every ``every``-th MCU row only (the
    first included), rounded as ``store`` rounds them and judged by ``encoder``: the broken MCUs of those rows
    times the rows per screened row, rounded up. A count of rows, not a clock: the same file and image always
    get the same estimate."""
    rows, cols = mcu_grid(code)
    screened = range(0, rows, every)
    broken = 0
    for row in screened:
        interrupt()
        window = pixel_window((row, 0, row + 1, cols), code)
        top, _, bottom, _ = window
        part = image[0, :, top:bottom].detach().to("cpu", torch.float64).permute(1, 2, 0).numpy()
        stored = to_samples(part, bit_depth)
        one = code.crop(*window)
        normalized = encoder.normalized(window_pixels(stored, (0, 0, bottom - top, code.width), bit_depth), one)
        broken += int(broken_mcus(normalized, file_quantized(one), one, encoder.tie_guard).sum())
    return -(-broken * rows // len(screened))
