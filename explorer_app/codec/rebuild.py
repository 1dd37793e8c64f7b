"""Rebuild a JPEG file as the minimal stream that decodes to the same coefficients.

Decoder libraries only ever see this stream: SOI, DQT, SOF, DHT, DRI, each SOS with its entropy-coded data,
EOI. Everything else is read here and dropped: APPn and COM segments (jpeglib's marker bookkeeping corrupts
memory on an empty COM segment or on 50 of them), bytes after EOI. Component ids are renumbered 1, 2, 3 (the
ids libjpeg reads as YCbCr, the colour space we decided on), and when a scan uses a Huffman table the file
never defines, the standard table is written in, as libjpeg would imply it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import InvalidJpegError, UnsupportedJpegError
from .frame import SOF_KINDS, SOF_REFUSED, FrameInfo, ScanHeader, check_supported, parse_sof, parse_sos
from .huffman import STANDARD_TABLES, Slot, defined_slots, standard_dht
from .markers import SOS, Segment, split_segments

DHT, DQT, DRI, COM = 0xC4, 0xDB, 0xDD, 0xFE
APP0, APP1, APP14 = 0xE0, 0xE1, 0xEE
MAX_SCANS = 500
"""More scans than any encoder writes (progressive files have about 10); libjpeg-turbo's own fuzzers stop
at the same figure. Each scan costs a pass over its blocks, so this bounds the decoding time."""


@dataclass(frozen=True)
class CleanStream:
    """data: the rebuilt stream; frame: its frame header (ids as in the original file); scan_bytes:
    entropy-coded bytes over all scans; exif: the body of the first EXIF APP1 segment, if any."""

    data: bytes
    frame: FrameInfo
    scan_bytes: int
    exif: bytes | None = None


@dataclass
class _Walk:
    """What rebuilding has seen so far."""

    parts: list[bytes] = field(default_factory=lambda: [b"\xff\xd8"])
    frame: FrameInfo | None = None
    huffman: set[Slot] = field(default_factory=set)
    quantization: set[int] = field(default_factory=set)
    scans: int = 0
    scan_bytes: int = 0
    jfif: bool = False
    adobe_transform: int | None = None
    exif: bytes | None = None


def rebuild_stream(data: bytes) -> CleanStream:
    """Validate ``data`` and rebuild it; InvalidJpegError or UnsupportedJpegError (one line) when refused."""
    walk = _Walk()
    for segment in split_segments(data):
        _take(walk, segment)
    if walk.frame is None or walk.scans == 0:
        raise InvalidJpegError("the file is corrupt (no frame header or no image data)")
    check_supported(walk.frame, walk.jfif, walk.adobe_transform)
    walk.parts.append(b"\xff\xd9")
    return CleanStream(b"".join(walk.parts), walk.frame, walk.scan_bytes, walk.exif)


def _take(walk: _Walk, segment: Segment) -> None:
    marker, body = segment.marker, bytes(segment.body)
    if marker in SOF_REFUSED:
        raise UnsupportedJpegError(SOF_REFUSED[marker])
    if marker in SOF_KINDS:
        if walk.frame is not None:
            raise InvalidJpegError("the file is corrupt (two frame headers)")
        walk.frame = parse_sof(marker, body)
        walk.parts.append(_segment(marker, _renumbered_sof(body)))
    elif marker == DQT:
        walk.quantization |= _quantization_slots(body)
        walk.parts.append(_segment(marker, body))
    elif marker == DHT:
        walk.huffman |= defined_slots(body)
        walk.parts.append(_segment(marker, body))
    elif marker == DRI:
        if len(body) != 2:
            raise InvalidJpegError("the file is corrupt (malformed restart interval)")
        walk.parts.append(_segment(marker, body))
    elif marker == SOS:
        _take_scan(walk, body, segment.scan)
    elif APP0 <= marker <= APP0 + 15 or marker == COM:
        _read_metadata(walk, marker, body)
    else:
        raise InvalidJpegError(f"the file is corrupt (unknown marker 0xFF{marker:02X})")


def _take_scan(walk: _Walk, body: bytes, scan: memoryview) -> None:
    frame = walk.frame
    if frame is None:
        raise InvalidJpegError("the file is corrupt (scan data before the frame header)")
    header = parse_sos(body, frame)
    if walk.scans == 0 and not {c.table for c in frame.components} <= walk.quantization:
        raise InvalidJpegError("the file is corrupt (a component's quantization table is never defined)")
    missing = _huffman_slots(header) - walk.huffman
    if missing - set(STANDARD_TABLES):
        raise InvalidJpegError("the file is corrupt (a scan uses a Huffman table the file never defines)")
    if missing:
        walk.parts.append(standard_dht(missing))
        walk.huffman |= missing
    walk.scans += 1
    if walk.scans > MAX_SCANS:
        raise UnsupportedJpegError(f"JPEG with more than {MAX_SCANS} scans is not supported")
    walk.scan_bytes += len(scan)
    walk.parts += [_segment(SOS, _renumbered_sos(body, frame)), scan]


def _read_metadata(walk: _Walk, marker: int, body: bytes) -> None:
    """Keep what we need from an APPn or COM segment; the segment itself is dropped."""
    if marker == APP0 and body.startswith(b"JFIF\x00"):
        walk.jfif = True
    elif marker == APP14 and body.startswith(b"Adobe") and len(body) >= 12:
        walk.adobe_transform = body[11]
    elif marker == APP1 and body.startswith(b"Exif\x00\x00") and walk.exif is None:
        walk.exif = body


def _huffman_slots(header: ScanHeader) -> set[Slot]:
    """The Huffman table slots a scan decodes with: DC tables when it codes DC, AC tables when it codes AC."""
    slots = {(0, dc) for _, dc, _ in header.components} if header.start == 0 else set()
    return slots | ({(1, ac) for _, _, ac in header.components} if header.end > 0 else set())


def _quantization_slots(body: bytes) -> set[int]:
    slots, pos = set(), 0
    while pos < len(body):
        precision, slot = body[pos] >> 4, body[pos] & 0x0F
        size = 1 + 64 * (precision + 1)
        if precision > 1 or slot > 3 or pos + size > len(body):
            raise InvalidJpegError("the file is corrupt (malformed quantization table segment)")
        slots.add(slot)
        pos += size
    return slots


def _renumbered_sof(body: bytes) -> bytes:
    renumbered = bytearray(body)
    for i in range(body[5]):
        renumbered[6 + 3 * i] = i + 1
    return bytes(renumbered)


def _renumbered_sos(body: bytes, frame: FrameInfo) -> bytes:
    number = {c.ident: i + 1 for i, c in enumerate(frame.components)}
    renumbered = bytearray(body)
    for i in range(body[0]):
        renumbered[1 + 2 * i] = number[body[1 + 2 * i]]
    return bytes(renumbered)


def _segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body
