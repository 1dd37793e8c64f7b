"""PNG reading and writing at 8 or 16 bits per channel, RGB or grey.

In memory, images are float64 numpy arrays (H, W, C) on the [0, 255] scale, C = 3 or 1; 16-bit files
map v ↦ v / 257 so that 8-bit values are exactly representable at both depths. Large images travel as
their samples (uint8 / uint16, a quarter / an eighth of the float64 size) and are scaled part by part.
"""
from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from ..atomic import atomic_write_bytes


class ImageReadError(ValueError):
    """The image file cannot be read; the message is one line for the user."""


def sample_type(bit_depth: int) -> type[np.unsignedinteger]:
    """The sample type of a PNG of ``bit_depth``: uint8 (8) or uint16 (16); other depths are refused."""
    if bit_depth not in (8, 16):
        raise ValueError(f"bit depth must be 8 or 16, not {bit_depth}")
    return np.uint16 if bit_depth == 16 else np.uint8


def _scale(bit_depth: int) -> float:
    return 257.0 if sample_type(bit_depth) is np.uint16 else 1.0


def to_samples(image: np.ndarray, bit_depth: int) -> np.ndarray:
    """The samples a PNG of ``bit_depth`` stores for ``image`` (any shape, [0, 255] scale): clipped to
    [0, 255], scaled (16 bits: by 257) and rounded half to even, as uint8 or uint16."""
    return np.round(np.clip(image, 0.0, 255.0) * _scale(bit_depth)).astype(sample_type(bit_depth))


def from_samples(samples: np.ndarray, bit_depth: int) -> np.ndarray:
    """PNG samples of ``bit_depth`` back on the [0, 255] scale as float64 (same shape)."""
    return samples.astype(np.float64) / _scale(bit_depth)


def quantize_to_depth(image: np.ndarray, bit_depth: int) -> np.ndarray:
    """Clip to [0, 255] and round to the grid a PNG of ``bit_depth`` (8 or 16) can store (float64)."""
    return from_samples(to_samples(image, bit_depth), bit_depth)


def encode_png(samples: np.ndarray) -> bytes:
    """PNG bytes of ``samples`` (H, W, C) uint8 or uint16 (8 or 16 bits per channel), RGB or grey."""
    if samples.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"PNG samples must be uint8 or uint16, not {samples.dtype}")
    if samples.shape[2] == 3:
        samples = samples[:, :, ::-1]  # OpenCV stores BGR
    ok, buffer = cv2.imencode(".png", np.ascontiguousarray(samples))
    if not ok:
        raise OSError("PNG encoding failed")
    return buffer.tobytes()


def write_png(path: str | os.PathLike, image: np.ndarray, bit_depth: int) -> None:
    """Atomically write ``image`` (H, W, C) on the [0, 255] scale as a PNG of ``bit_depth`` bits per channel."""
    atomic_write_bytes(path, encode_png(to_samples(image, bit_depth)))


def read_png(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read an image file as (float64 (H, W, C) on [0, 255], bit depth). Alpha is dropped."""
    samples, bit_depth = read_png_samples(path)
    return np.ascontiguousarray(from_samples(samples, bit_depth)), bit_depth


def read_png_samples(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read an image file as (samples (H, W, C) uint8 or uint16, bit depth 8 or 16). Alpha is dropped; the
    samples may be a channel-reversed view of the decoded buffer (no copy)."""
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
    return pixels, bit_depth
