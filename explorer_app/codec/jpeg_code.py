"""Read a JPEG file into a :class:`JpegCode`: what the file actually stores, nothing decoded.

All maths in the application happens on this object, in the file's own orientation; EXIF
orientation is applied only when an image is shown (see :mod:`explorer_app.codec.orientation`).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from .errors import InvalidJpegError, UnsupportedJpegError
from .markers import FrameInfo, validate_stream

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


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InvalidJpegError(f"{path}: no such file")
    if path.is_dir():
        raise InvalidJpegError(f"{path}: is a folder, not a JPEG file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidJpegError(f"{path}: cannot be read ({error.strerror})") from None


def read_jpeg(path: str | os.PathLike) -> JpegCode:
    """Read ``path`` into a JpegCode, refusing bad or unsupported files with a one-line JpegError."""
    path = Path(path)
    data = _read_bytes(path)
    try:
        frame = validate_stream(data)
        _check_pillow_decodes(data)
        return _code_from_bytes(data, frame, str(path))
    except (InvalidJpegError, UnsupportedJpegError) as error:
        raise type(error)(f"{path}: {error}") from None


def _check_pillow_decodes(data: bytes) -> None:
    """Let libjpeg (through Pillow) decode the whole stream: corrupt entropy data raises here."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidJpegError(f"the file is corrupt ({error})") from None
    except Image.DecompressionBombError as error:
        raise UnsupportedJpegError(f"image too large ({error})") from None


_CORRUPTION_WARNINGS = ("Corrupt JPEG data", "Premature end of JPEG file")
"""libjpeg warnings (printed, not raised) that mean the entropy-coded data is damaged."""


@contextlib.contextmanager
def _captured_c_stderr() -> Iterator[list[str]]:
    """Collect what C code (libjpeg inside jpeglib) writes to file descriptor 2 instead of showing it."""
    lines: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode(errors="replace").splitlines())


def _code_from_bytes(data: bytes, frame: FrameInfo, source: str) -> JpegCode:
    import jpeglib  # imported here: it loads libjpeg, which only reading needs

    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle, _captured_c_stderr() as warnings:
        handle.write(data)  # jpeglib reads from a path
        handle.flush()
        dct = jpeglib.read_dct(handle.name)
        dct.load()
    corruption = [w for w in warnings if w.startswith(_CORRUPTION_WARNINGS)]
    if corruption:
        raise InvalidJpegError(f"the file is corrupt (libjpeg: {corruption[0]})")
    components = [dct.Y] if frame.sampling.__len__() == 1 else [dct.Y, dct.Cb, dct.Cr]
    tables_by_component = [np.asarray(dct.qt[int(i)], dtype=np.int64) for i in dct.quant_tbl_no]
    for array in components:
        if array is None or array.size == 0:
            raise InvalidJpegError("the file is corrupt (no coefficient blocks could be read)")
    if np.any(np.concatenate([t.ravel() for t in tables_by_component]) == 0):
        raise InvalidJpegError("the file is corrupt (a quantization table holds a zero)")
    chroma_factor = (1, 1)
    if len(components) == 3:
        (hy, vy), (hc, vc) = frame.sampling[0], frame.sampling[1]
        chroma_factor = (vy // vc, hy // hc)
    exif, orientation = _read_exif(data)
    code = JpegCode(
        coefficients=tuple(np.ascontiguousarray(c, dtype=np.int16) for c in components),
        tables=tuple(tables_by_component[: len(components)]),
        chroma_factor=chroma_factor,
        height=frame.height,
        width=frame.width,
        orientation=orientation,
        progressive=frame.kind == "progressive",
        sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        exif=exif,
    )
    check_block_counts(code)
    return code


def check_block_counts(code: JpegCode) -> None:
    """Raise InvalidJpegError unless every component has the block grid its size and sampling imply."""
    fy, fx = code.chroma_factor
    expected = [(-(-code.height // 8), -(-code.width // 8))]
    if code.is_color:
        chroma = (-(-code.height // (8 * fy)), -(-code.width // (8 * fx)))
        expected += [chroma, chroma]
    for array, (by, bx) in zip(code.coefficients, expected):
        if array.shape[0] < by or array.shape[1] < bx or array.shape[2:] != (8, 8):
            raise InvalidJpegError(f"the file is corrupt (block grid {array.shape[:2]} for {by}×{bx} expected)")


_EXIF_NAMES = {0x010F: "camera make", 0x0110: "camera model", 0x0132: "date", 0x9003: "date taken"}


def _read_exif(data: bytes) -> tuple[dict[str, str], int]:
    """Return (readable EXIF fields, orientation 1–8) of the stream; missing or odd EXIF gives ({}, 1)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            fields = {name: str(exif[tag]) for tag, name in _EXIF_NAMES.items() if tag in exif}
            sub = exif.get_ifd(0x8769)
            if 0x9003 in sub:
                fields["date taken"] = str(sub[0x9003])
            orientation = int(exif.get(0x0112, 1))
    except Exception:  # noqa: BLE001 - EXIF is optional metadata; a broken block must not refuse the image
        return {}, 1
    return fields, orientation if 1 <= orientation <= 8 else 1


def plain_decode(path: str | os.PathLike) -> np.ndarray:
    """libjpeg's own decode of the file through Pillow, in file orientation.

    Returns uint8 (H, W, 3) for colour or (H, W) for greyscale.
    """
    with Image.open(path) as image:
        image.load()
        return np.asarray(image.convert("RGB") if image.mode not in ("L", "RGB") else image)
