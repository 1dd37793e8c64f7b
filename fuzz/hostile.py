"""The hand-made hostile classes of input, built by code: each writes one input into a folder. They cover
what random mutation rarely reaches: markers and sizes chosen to exhaust memory or time, and paths that are
no regular file.

Bytes-only classes are JPEG streams edited at the marker level; others are not regular files at all (a FIFO,
/dev/zero, a folder). ``huge`` classes allocate hundreds of MB to build and minutes to decode: long runs only.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .mutations import spans
from .seeds import seed_jpegs


@dataclass(frozen=True)
class HostileClass:
    """name: what the input is; build: writes it as ``folder/name`` and returns its path; seconds: how long a
    command may take on it before it counts as a hang; huge: only in long runs."""

    name: str
    build: Callable[[Path], Path]
    seconds: float = 10.0
    huge: bool = False


def _photo() -> bytes:
    return seed_jpegs()[0].data


def _segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body


def _without(data: bytes, marker: int) -> bytes:
    """``data`` with every segment of ``marker`` removed."""
    for span in reversed(spans(data)):
        if span.marker == marker:
            data = data[: span.start] + data[span.data_end :]
    return data


def _patched_sof(data: bytes, offset: int, value: bytes) -> bytes:
    """``value`` written at ``offset`` bytes into the SOF body."""
    sof = next(s for s in spans(data) if s.marker in (0xC0, 0xC1, 0xC2))
    out = bytearray(data)
    out[sof.start + 4 + offset : sof.start + 4 + offset + len(value)] = value
    return bytes(out)


def _rgb_ids(data: bytes) -> bytes:
    """Component ids 1, 2, 3 → 'R', 'G', 'B' in SOF and every SOS, and the JFIF segment removed."""
    out = bytearray(_without(data, 0xE0))
    for span in spans(bytes(out)):
        body = span.start + 4
        if span.marker in (0xC0, 0xC2):
            for i in range(3):
                out[body + 6 + 3 * i] = b"RGB"[out[body + 6 + 3 * i] - 1]
        elif span.marker == 0xDA:
            for i in range(out[body]):
                out[body + 1 + 2 * i] = b"RGB"[out[body + 1 + 2 * i] - 1]
    return bytes(out)


def _dht_length_off(data: bytes) -> bytes:
    dht = next(s for s in spans(data) if s.marker == 0xC4)
    out = bytearray(data)
    out[dht.start + 2 : dht.start + 4] = (dht.end - dht.start - 2 + 7).to_bytes(2, "big")
    return bytes(out)


def _sixteen_bit_tables(data: bytes) -> bytes:
    """Every quantization table rewritten with 16-bit entries, four times coarser (up to 1020): valid JPEG,
    as libjpeg writes below quality 5 without forcing baseline tables."""
    out, pos = b"", 0
    for span in spans(data):
        if span.marker == 0xDB:
            body, tables = data[span.start + 4 : span.end], b""
            for start in range(0, len(body), 65):
                entries = body[start + 1 : start + 65]
                tables += bytes([0x10 | body[start] & 0x0F]) + b"".join((4 * v).to_bytes(2, "big") for v in entries)
            out += data[pos : span.start] + _segment(0xDB, tables)
            pos = span.end
    return out + data[pos:]


def _encoded(pixels: np.ndarray, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def _cmyk() -> bytes:
    buffer = io.BytesIO()
    Image.new("CMYK", (16, 16), (10, 20, 30, 40)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _tall() -> bytes:
    rng = np.random.default_rng(0)
    column = np.cumsum(rng.normal(0, 2, (65500, 1, 3)), 0)
    pixels = np.clip(128 + column + rng.normal(0, 6, (65500, 8, 3)), 0, 255).astype(np.uint8)
    return _encoded(pixels, quality=75)


def _exif_garbage() -> bytes:
    return (
        _photo()[:2] + _segment(0xE1, b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff" + bytes(range(40))) + _photo()[2:]
    )


def _scans_repeated(count: int) -> bytes:
    data = seed_jpegs()[2].data  # progressive
    last = [s for s in spans(data) if s.marker == 0xDA][-1]
    return data[: last.data_end] + data[last.start : last.data_end] * count + data[last.data_end :]


def _bytes_case(name: str, make: Callable[[], bytes], seconds: float = 10.0, huge: bool = False) -> HostileClass:
    def build(folder: Path) -> Path:
        path = folder / f"{name}.jpg"
        path.write_bytes(make())
        return path

    return HostileClass(name, build, seconds, huge)


def _fifo(folder: Path) -> Path:
    path = folder / "fifo.jpg"
    os.mkfifo(path)
    return path


def _dev_zero(folder: Path) -> Path:
    path = folder / "zero.jpg"
    path.symlink_to("/dev/zero")
    return path


def _folder(folder: Path) -> Path:
    path = folder / "folder.jpg"
    path.mkdir()
    return path


HOSTILE: tuple[HostileClass, ...] = (
    _bytes_case(
        "com-then-empty-com", lambda: _photo()[:2] + _segment(0xFE, b"0123456789") + _segment(0xFE, b"") + _photo()[2:]
    ),
    _bytes_case("empty-app1", lambda: _photo()[:2] + _segment(0xE1, b"") + _photo()[2:]),
    _bytes_case("sixty-com", lambda: _photo()[:2] + _segment(0xFE, b"ab") * 60 + _photo()[2:]),
    _bytes_case("no-dht", lambda: _without(_photo(), 0xC4)),
    _bytes_case("dht-length-off", lambda: _dht_length_off(_photo())),
    _bytes_case("rgb-component-ids", lambda: _rgb_ids(_photo())),
    _bytes_case(
        "adobe-transform-0",
        lambda: _photo()[:2] + _segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x00") + _without(_photo(), 0xE0)[2:],
    ),
    _bytes_case("quality-1", lambda: _encoded(np.asarray(Image.open(io.BytesIO(_photo()))), quality=1)),
    _bytes_case("corrupt-exif", _exif_garbage),
    _bytes_case("sixteen-bit-tables", lambda: _sixteen_bit_tables(_photo())),
    _bytes_case(
        "sof-10900-body-16",
        lambda: _patched_sof(_encoded(np.zeros((16, 16, 3), np.uint8)), 1, (10900).to_bytes(2, "big") * 2),
    ),
    _bytes_case(
        "sof-4000-body-16",
        lambda: _patched_sof(_encoded(np.zeros((16, 16, 3), np.uint8)), 1, (4000).to_bytes(2, "big") * 2),
    ),
    _bytes_case("sof-65535", lambda: _patched_sof(_photo(), 1, b"\xff\xff\xff\xff")),
    _bytes_case("sof-zero-height", lambda: _patched_sof(_photo(), 1, b"\x00\x00")),
    _bytes_case("twelve-bit", lambda: _patched_sof(_photo(), 0, b"\x0c")),
    _bytes_case("cmyk", lambda: _cmyk()),
    _bytes_case("six-hundred-scans", lambda: _scans_repeated(600)),
    _bytes_case("truncated", lambda: _photo()[: len(_photo()) * 2 // 3]),
    _bytes_case("empty", lambda: b""),
    _bytes_case("text", lambda: b"holiday photos\n"),
    HostileClass("fifo", _fifo),
    HostileClass("dev-zero", _dev_zero),
    HostileClass("folder", _folder),
    _bytes_case("tall-8x65500", _tall),
    _bytes_case(
        "black-100mp", lambda: _encoded(np.zeros((10000, 10000, 3), np.uint8), quality=90), seconds=600.0, huge=True
    ),
)
