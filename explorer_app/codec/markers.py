"""Validate a JPEG byte stream before any decoder library is trusted with it.

jpeglib does not raise on a truncated file (it returns zero blocks), so the stream's marker structure
is walked here: SOF type, precision, size, components and sampling, and the final EOI marker.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidJpegError, UnsupportedJpegError

MAX_PIXELS = 120_000_000
"""Largest image (width × height) we open: beyond this the decoder would exhaust a desktop's memory."""

_SOF_KINDS = {
    0xC0: "baseline",
    0xC1: "extended sequential",
    0xC2: "progressive",
}
_SOF_REFUSED = {
    0xC3: "lossless JPEG is not supported",
    0xC5: "hierarchical JPEG is not supported",
    0xC6: "hierarchical JPEG is not supported",
    0xC7: "hierarchical lossless JPEG is not supported",
    0xC9: "arithmetic-coded JPEG is not supported",
    0xCA: "arithmetic-coded progressive JPEG is not supported",
    0xCB: "arithmetic-coded lossless JPEG is not supported",
    0xCD: "arithmetic-coded hierarchical JPEG is not supported",
    0xCE: "arithmetic-coded hierarchical JPEG is not supported",
    0xCF: "arithmetic-coded hierarchical JPEG is not supported",
}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length field


@dataclass(frozen=True)
class FrameInfo:
    """What the SOF segment of a valid, supported stream says.

    sampling: per component (horizontal, vertical) factors, in file order.
    """

    kind: str
    precision: int
    height: int
    width: int
    sampling: tuple[tuple[int, int], ...]
    adobe_transform: int | None


def validate_stream(data: bytes) -> FrameInfo:
    """Check that ``data`` is a complete, supported JPEG stream and return its frame header.

    Raises InvalidJpegError for empty, non-JPEG, corrupt or truncated data and UnsupportedJpegError
    for valid JPEG kinds we do not decode. The check is structural: headers are parsed, entropy-coded
    data is skipped to the next marker, and the stream must end with EOI.
    """
    if len(data) == 0:
        raise InvalidJpegError("the file is empty")
    if data[:2] != b"\xff\xd8":
        raise InvalidJpegError("not a JPEG file (no SOI marker at the start)")
    pos, frame, adobe, seen_scan = 2, None, None, False
    n = len(data)
    while True:
        while pos < n and data[pos] != 0xFF:  # entropy-coded data runs up to the next marker
            pos += 1
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            raise InvalidJpegError("the file is truncated (it ends before the EOI marker)")
        marker = data[pos]
        pos += 1
        if marker == 0x00 or marker in _STANDALONE:
            continue  # stuffed byte or restart marker inside scan data
        if marker == 0xD9:
            break
        if marker == 0xD8:
            raise InvalidJpegError("the file is corrupt (a second SOI marker)")
        if pos + 2 > n:
            raise InvalidJpegError("the file is truncated inside a marker segment")
        length = int.from_bytes(data[pos:pos + 2], "big")
        if length < 2 or pos + length > n:
            raise InvalidJpegError("the file is truncated or corrupt (a marker segment runs past its end)")
        body = data[pos + 2:pos + length]
        if marker in _SOF_REFUSED:
            raise UnsupportedJpegError(_SOF_REFUSED[marker])
        if marker == 0xCC:
            raise UnsupportedJpegError("arithmetic-coded JPEG is not supported")
        if marker in _SOF_KINDS:
            frame = _parse_sof(_SOF_KINDS[marker], body)
        elif marker == 0xEE and body[:5] == b"Adobe" and len(body) >= 12:
            adobe = body[11]
        elif marker == 0xDA:
            if frame is None:
                raise InvalidJpegError("the file is corrupt (scan data before the frame header)")
            seen_scan = True
        pos += length
    if frame is None or not seen_scan:
        raise InvalidJpegError("the file is corrupt (no frame header or no image data)")
    _check_supported(frame, adobe)
    return FrameInfo(frame.kind, frame.precision, frame.height, frame.width, frame.sampling, adobe)


def _parse_sof(kind: str, body: bytes) -> FrameInfo:
    if len(body) < 6:
        raise InvalidJpegError("the file is corrupt (short frame header)")
    precision = body[0]
    height = int.from_bytes(body[1:3], "big")
    width = int.from_bytes(body[3:5], "big")
    count = body[5]
    if len(body) < 6 + 3 * count:
        raise InvalidJpegError("the file is corrupt (short frame header)")
    sampling = tuple((body[7 + 3 * i] >> 4, body[7 + 3 * i] & 0x0F) for i in range(count))
    return FrameInfo(kind, precision, height, width, sampling, None)


def _check_supported(frame: FrameInfo, adobe: int | None) -> None:
    if frame.precision != 8:
        raise UnsupportedJpegError(f"{frame.precision}-bit JPEG is not supported (only 8-bit samples)")
    if frame.height == 0 or frame.width == 0:
        raise UnsupportedJpegError("JPEG with height or width 0 (DNL marker) is not supported")
    if frame.height * frame.width > MAX_PIXELS:
        raise UnsupportedJpegError(
            f"image of {frame.width}×{frame.height} pixels is too large "
            f"(limit {MAX_PIXELS // 1_000_000} megapixels)")
    count = len(frame.sampling)
    if count == 4:
        raise UnsupportedJpegError("CMYK/YCCK JPEG (4 components) is not supported")
    if count not in (1, 3):
        raise UnsupportedJpegError(f"JPEG with {count} components is not supported")
    if count == 3 and adobe == 0:
        raise UnsupportedJpegError("RGB-coded JPEG (Adobe transform 0) is not supported, only YCbCr")
    if count == 3:
        (hy, vy), *chroma = frame.sampling
        for h, v in chroma:
            if h == 0 or v == 0 or hy % h or vy % v or hy // h > 2 or vy // v > 2:
                raise UnsupportedJpegError(
                    f"chroma sampling {frame.sampling} is not supported (4:4:4, 4:2:2, 4:4:0 and 4:2:0 are)")
        if any((h, v) != chroma[0] for h, v in chroma):
            raise UnsupportedJpegError("Cb and Cr with different sampling factors are not supported")
