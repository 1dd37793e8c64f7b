"""Read a JPEG file into a :class:`JpegCode`: what the file actually stores, nothing decoded.

All maths in the application happens on this object, in the file's own orientation; EXIF
orientation is applied only when an image is shown (see :mod:`explorer_app.codec.orientation`).
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .coefficient_reader import read_coefficients
from .errors import InvalidJpegError, UnsupportedJpegError
from .exif import read_exif
from .limits import MAX_FILE_BYTES, check_limits
from .rebuild import CleanStream, rebuild_stream
from .source import UnreadableFileError, read_regular_file

SUBSAMPLING_NAMES = {(1, 1): "4:4:4", (1, 2): "4:2:2", (2, 1): "4:4:0", (2, 2): "4:2:0"}


@dataclass(frozen=True, eq=False)
class JpegCode:
    """The quantized content of one JPEG file.

    coefficients: one int16 array (by, bx, 8, 8) of quantized DCT coefficients X_Q per component
        (Y, or Y, Cb, Cr), blocks in raster order, coefficients in natural (row-major) order.
    tables: one int64 (8, 8) quantization table M per component (the component→table map applied).
    chroma_factor: (vertical, horizontal) subsampling of the chroma planes, each 1 or 2; (1, 1) for grey.
    height, width: true image size in pixels (blocks are padded past it).
    orientation: EXIF orientation 1–8 (1 = as stored).
    """

    coefficients: tuple[np.ndarray, ...]
    tables: tuple[np.ndarray, ...]
    chroma_factor: tuple[int, int]
    height: int
    width: int
    orientation: int = 1
    progressive: bool = False
    sha256: str = ""
    source: str = ""
    exif: dict[str, str] = field(default_factory=dict)

    @property
    def is_color(self) -> bool:
        return len(self.coefficients) == 3

    @property
    def subsampling(self) -> str:
        """Human name of the chroma sampling ("4:2:0", ...), or "grey"."""
        return SUBSAMPLING_NAMES[self.chroma_factor] if self.is_color else "grey"

    @property
    def mcu_size(self) -> tuple[int, int]:
        """(rows, cols) of one MCU in pixels: 8 × the chroma factor."""
        return 8 * self.chroma_factor[0], 8 * self.chroma_factor[1]


def read_jpeg(path: str | os.PathLike) -> JpegCode:
    """Read ``path`` into a JpegCode, refusing bad or unsupported files with a one-line JpegError.

    Only a regular file is read, at most its size; the stream is validated and rebuilt (:mod:`.rebuild`),
    checked against the size limits (:mod:`.limits`) and only then read by libjpeg, in a child process.
    """
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except UnreadableFileError as error:
        raise InvalidJpegError(str(error)) from None
    try:
        stream = rebuild_stream(data)
        check_limits(stream)
        components, tables = read_coefficients(stream)
        return _code(stream, components, tables, hashlib.sha256(data).hexdigest(), str(path))
    except (InvalidJpegError, UnsupportedJpegError) as error:
        raise type(error)(f"{path}: {error}") from None


def _code(
    stream: CleanStream, components: list[np.ndarray], tables: list[np.ndarray], sha256: str, source: str
) -> JpegCode:
    if any(np.any(table == 0) for table in tables):
        raise InvalidJpegError("the file is corrupt (a quantization table holds a zero)")
    frame = stream.frame
    chroma_factor = (1, 1)
    if len(components) == 3:
        luma, chroma = frame.components[0], frame.components[1]
        chroma_factor = (luma.v // chroma.v, luma.h // chroma.h)
    exif, orientation = read_exif(stream.exif)
    return JpegCode(
        coefficients=tuple(components),
        tables=tuple(tables),
        chroma_factor=chroma_factor,
        height=frame.height,
        width=frame.width,
        orientation=orientation,
        progressive=frame.kind == "progressive",
        sha256=sha256,
        source=source,
        exif=exif,
    )


def plain_decode(path: str | os.PathLike) -> np.ndarray:
    """libjpeg's own decode of the file through Pillow, in file orientation.

    The file is read and rebuilt as :func:`read_jpeg` does, so Pillow sees the same validated stream; call it
    on files :func:`read_jpeg` accepted. Returns uint8 (H, W, 3) for colour or (H, W) for greyscale.
    """
    try:
        stream = rebuild_stream(read_regular_file(path, MAX_FILE_BYTES))
        check_limits(stream)
    except UnreadableFileError as error:
        raise InvalidJpegError(str(error)) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(stream.data)) as image:
            image.load()
            return np.asarray(image.convert("RGB") if image.mode not in ("L", "RGB") else image)
