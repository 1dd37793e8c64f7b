"""PNG reading and writing at 8 or 16 bits per channel, RGB or grey.

In memory, images are float64 numpy arrays (H, W, C) on the [0, 255] scale, C = 3 or 1; 16-bit files
map v ↦ v / 257 so that 8-bit values are exactly representable at both depths.
"""
from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from ..atomic import atomic_write_bytes


class ImageReadError(ValueError):
    """The image file cannot be read; the message is one line for the user."""


def quantize_to_depth(image: np.ndarray, bit_depth: int) -> np.ndarray:
    """Clip to [0, 255] and round to the grid a PNG of ``bit_depth`` (8 or 16) can store."""
    scale = 257.0 if bit_depth == 16 else 1.0
    return np.round(np.clip(image, 0.0, 255.0) * scale) / scale


def encode_png(image: np.ndarray, bit_depth: int) -> bytes:
    """PNG bytes of ``image`` (H, W, C) on the [0, 255] scale at 8 or 16 bits per channel."""
    if bit_depth not in (8, 16):
        raise ValueError(f"bit depth must be 8 or 16, not {bit_depth}")
    scale, dtype = (257.0, np.uint16) if bit_depth == 16 else (1.0, np.uint8)
    pixels = np.round(np.clip(image, 0.0, 255.0) * scale).astype(dtype)
    if pixels.shape[2] == 3:
        pixels = pixels[:, :, ::-1]  # OpenCV stores BGR
    ok, buffer = cv2.imencode(".png", np.ascontiguousarray(pixels))
    if not ok:
        raise OSError("PNG encoding failed")
    return buffer.tobytes()


def write_png(path: str | os.PathLike, image: np.ndarray, bit_depth: int) -> None:
    """Atomically write ``image`` (H, W, C) as a PNG of ``bit_depth`` bits per channel."""
    atomic_write_bytes(path, encode_png(image, bit_depth))


def read_png(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read an image file as (float64 (H, W, C) on [0, 255], bit depth). Alpha is dropped."""
    path = Path(path)
    if not path.exists():
        raise ImageReadError(f"{path}: no such file")
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        raise ImageReadError(f"{path}: the file is empty")
    pixels = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if pixels is None:
        raise ImageReadError(f"{path}: not a readable image file")
    bit_depth = 16 if pixels.dtype == np.uint16 else 8
    if pixels.dtype not in (np.uint8, np.uint16):
        raise ImageReadError(f"{path}: unsupported sample type {pixels.dtype}")
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    elif pixels.shape[2] == 4:
        pixels = pixels[:, :, 2::-1]
    elif pixels.shape[2] == 3:
        pixels = pixels[:, :, ::-1]
    image = pixels.astype(np.float64) / (257.0 if bit_depth == 16 else 1.0)
    return np.ascontiguousarray(image), bit_depth
