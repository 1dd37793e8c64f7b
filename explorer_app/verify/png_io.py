"""PNG reading and writing at 8 or 16 bits per channel, RGB or grey.

In memory, images are float64 numpy arrays (H, W, C) on the [0, 255] scale, C = 3 or 1; 16-bit files
map v ↦ v / 257 so that 8-bit values are exactly representable at both depths. Large images travel as
their samples (uint8 / uint16, a quarter / an eighth of the float64 size) and are scaled part by part.
"""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path

import cv2
import numpy as np

from .native_stderr import call_capturing


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


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of a PNG file, refusing anything else in one line: a missing path, a folder, a pipe or
    device (read only regular files, never more than their size), an empty file, another format."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ImageReadError(f"{path}: no such file") from None
    except OSError as error:
        raise ImageReadError(f"{path}: cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ImageReadError(f"{path}: not a regular file (a folder, pipe or device)")
    try:
        with path.open("rb") as stream:
            data = stream.read(info.st_size)
    except OSError as error:
        raise ImageReadError(f"{path}: cannot be read ({error.strerror})") from None
    if not data:
        raise ImageReadError(f"{path}: the file is empty")
    if not data.startswith(PNG_SIGNATURE):
        raise ImageReadError(
            f"{path}: not a readable PNG file (verify judges a lossless PNG, not a JPEG or another format)"
        )
    return data


def png_size(data: bytes, name: str) -> tuple[int, int]:
    """(height, width) that a PNG's header declares, read without decoding it."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageReadError(f"{name}: not a readable PNG file (no header)")
    width, height = struct.unpack(">II", data[16:24])
    return height, width


def decode_png(data: bytes, name: str) -> tuple[np.ndarray, int]:
    """PNG bytes → (samples (H, W, C) uint8 or uint16, bit depth 8 or 16). Alpha is dropped; the samples
    may be a channel-reversed view of the decoded buffer (no copy). What libpng says goes into the one-line
    ImageReadError, never onto stderr (its warnings on a file it reads are dropped); OpenCV's own log lines
    are not written at all."""
    _check_chunk_lengths(data, name)
    buffer = np.frombuffer(data, dtype=np.uint8)
    pixels, said = call_capturing(lambda: _imdecode_quietly(buffer), "libpng ")
    if pixels is None:
        errors = [line.removeprefix("error: ") for line in said if line.startswith("error: ")]
        raise ImageReadError(f"{name}: not a readable PNG file" + (f" ({'; '.join(errors)})" if errors else ""))
    if pixels.dtype not in (np.uint8, np.uint16):
        raise ImageReadError(f"{name}: unsupported sample type {pixels.dtype}")
    bit_depth = 16 if pixels.dtype == np.uint16 else 8
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    elif pixels.shape[2] == 4:
        pixels = pixels[:, :, 2::-1]
    elif pixels.shape[2] == 3:
        pixels = pixels[:, :, ::-1]
    return pixels, bit_depth


def _check_chunk_lengths(data: bytes, name: str) -> None:
    """Refuse a PNG with a chunk whose declared length runs past the end of the file, before decoding it:
    OpenCV 5 allocates a chunk's declared length before reading it (2 GiB for a 2.6-kB file)."""
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        if pos + 12 + length > len(data):
            raise ImageReadError(f"{name}: not a readable PNG file (a chunk runs past the end of the file)")
        if kind == b"IEND":
            return
        pos += 12 + length


def _imdecode_quietly(buffer: np.ndarray) -> np.ndarray | None:
    """``cv2.imdecode`` with OpenCV's logger silenced: OpenCV 5 reports some malformed PNGs on stderr itself
    ("[ERROR:0@0.07] global grfmt_png.cpp:296 readHeader IHDR chunk shall be first…"), and refusing them is
    ours to say. Called under :func:`call_capturing`'s lock, so two decodes never interleave the level."""
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        return cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
    finally:
        cv2.utils.logging.setLogLevel(level)


def read_png(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read a PNG as (float64 (H, W, C) on [0, 255], bit depth). Alpha is dropped."""
    samples, bit_depth = read_png_samples(path)
    return np.ascontiguousarray(from_samples(samples, bit_depth)), bit_depth


def read_png_samples(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read a PNG as (samples (H, W, C) uint8 or uint16, bit depth 8 or 16); see :func:`decode_png`."""
    return decode_png(read_png_bytes(path), str(path))
