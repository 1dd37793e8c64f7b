"""MCU-aligned parts of an image and of its file's coefficient grids.

The reference encoder is local to the MCU: the coefficients of one MCU (fy·8 × fx·8 pixels) depend on that
MCU's pixels only, and edge replication only reaches past the image's own right and bottom edges. A part
whose top-left corner lies on the MCU grid therefore re-encodes, as an image of its own, to exactly the
coefficients the whole image gives there: verification and repair can run strip by strip in bounded memory.

A window is (top, left, bottom, right) in pixels, bottom and right exclusive; an MCU span is the same in MCUs.
"""

from __future__ import annotations

from ..decoder.code_tensors import CodeTensors

Window = tuple[int, int, int, int]
STRIP_PIXELS = 1 << 18
"""Pixels per strip (about, whole MCU rows, at least one): float64 temporaries of a few MiB each."""


def mcu_shape(code: CodeTensors) -> tuple[int, int]:
    """(height, width) of one MCU in pixels: 8 × 8 times the chroma subsampling factors."""
    fy, fx = code.chroma_factor
    return 8 * fy, 8 * fx


def mcu_grid(code: CodeTensors) -> tuple[int, int]:
    """(rows, cols) of MCUs covering the image, the last ones partial where the size is not a multiple."""
    mcu_h, mcu_w = mcu_shape(code)
    return -(-code.height // mcu_h), -(-code.width // mcu_w)


def mcu_span(window: Window, code: CodeTensors) -> Window:
    """The MCUs a pixel window (MCU-aligned top-left) covers: (top, left, bottom, right) in MCUs."""
    top, left, bottom, right = window
    mcu_h, mcu_w = mcu_shape(code)
    return top // mcu_h, left // mcu_w, -(-bottom // mcu_h), -(-right // mcu_w)


def pixel_window(span: Window, code: CodeTensors) -> Window:
    """The pixel window of an MCU span, clipped to the MCU grid and to the image."""
    top, left, bottom, right = span
    rows, cols = mcu_grid(code)
    mcu_h, mcu_w = mcu_shape(code)
    return (
        max(0, top) * mcu_h,
        max(0, left) * mcu_w,
        min(code.height, min(rows, bottom) * mcu_h),
        min(code.width, min(cols, right) * mcu_w),
    )


def strips(code: CodeTensors, strip_pixels: int = STRIP_PIXELS) -> list[Window]:
    """Full-width windows of whole MCU rows, about ``strip_pixels`` each, covering the image top to bottom."""
    mcu_h, _ = mcu_shape(code)
    rows = max(1, strip_pixels // (code.width * mcu_h)) * mcu_h
    return [(top, 0, min(code.height, top + rows), code.width) for top in range(0, code.height, rows)]
