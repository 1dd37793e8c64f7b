"""Split a JPEG byte stream into its marker segments, SOI to EOI, checking the structure on the way.

Nothing here interprets a segment: :mod:`.frame`, :mod:`.huffman` and :mod:`.rebuild` do. The walk is
strict where libjpeg would only warn (stray bytes between segments mean a damaged file) and bounded (a
file of millions of tiny segments is refused instead of filling memory with them).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidJpegError

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
MAX_SEGMENTS = 20_000
"""More marker segments than any real file holds (cameras write tens); beyond it the file is refused."""
_RESTARTS = range(0xD0, 0xD8)


@dataclass(frozen=True)
class Segment:
    """One marker segment: ``body`` is what follows the length field; for SOS, ``scan`` is the
    entropy-coded data after the header, restart markers and stuffed bytes included, verbatim."""

    marker: int
    body: memoryview
    scan: memoryview | None = None


def split_segments(data: bytes) -> list[Segment]:
    """The segments between SOI and EOI, in file order; bytes after EOI are ignored.

    Raises InvalidJpegError for empty or non-JPEG data, truncation, stray bytes, bad lengths.
    """
    if len(data) == 0:
        raise InvalidJpegError("the file is empty")
    if data[:2] != b"\xff\xd8":
        raise InvalidJpegError("not a JPEG file (no SOI marker at the start)")
    view, segments, pos = memoryview(data), [], 2
    while True:
        marker, pos = _next_marker(data, pos)
        if marker == EOI:
            return segments
        if marker == SOI or marker == 0x00 or marker == 0x01 or marker in _RESTARTS:
            raise InvalidJpegError(f"the file is corrupt (marker 0xFF{marker:02X} out of place)")
        if pos + 2 > len(data):
            raise InvalidJpegError("the file is truncated inside a marker segment")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > len(data):
            raise InvalidJpegError("the file is truncated or corrupt (a marker segment runs past its end)")
        body, pos = view[pos + 2 : pos + length], pos + length
        scan = None
        if marker == SOS:
            end = _scan_end(data, pos)
            scan, pos = view[pos:end], end
        segments.append(Segment(marker, body, scan))
        if len(segments) > MAX_SEGMENTS:
            raise InvalidJpegError(f"the file is corrupt (more than {MAX_SEGMENTS} marker segments)")


def _next_marker(data: bytes, pos: int) -> tuple[int, int]:
    """(marker code, position after it) of the marker that must start at ``pos`` (fill bytes allowed)."""
    if pos >= len(data):
        raise InvalidJpegError("the file is truncated (it ends before the EOI marker)")
    if data[pos] != 0xFF:
        raise InvalidJpegError("the file is corrupt (stray bytes where a marker should be)")
    while pos < len(data) and data[pos] == 0xFF:
        pos += 1
    if pos >= len(data):
        raise InvalidJpegError("the file is truncated (it ends before the EOI marker)")
    return data[pos], pos + 1


def _scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at ``pos`` ends: at the 0xFF of the next marker that is
    neither a stuffed zero nor a restart marker."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0:
            raise InvalidJpegError("the file is truncated (it ends inside the image data)")
        code = found + 1
        while code < len(data) and data[code] == 0xFF:
            code += 1
        if code >= len(data):
            raise InvalidJpegError("the file is truncated (it ends inside the image data)")
        if data[code] != 0x00 and data[code] not in _RESTARTS:
            return found
        pos = code + 1
