"""The frame (SOF) and scan (SOS) headers: parsed, checked for sense, and refused when we do not decode them.

The colour space is decided the way libjpeg decides it (a JFIF marker means YCbCr; else an Adobe marker's
transform; else component ids 'R','G','B' mean RGB), so that a file is never read as YCbCr when every
libjpeg-based viewer shows it as RGB.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidJpegError, UnsupportedJpegError

SOF_KINDS = {0xC0: "baseline", 0xC1: "extended sequential", 0xC2: "progressive"}
SOF_REFUSED = {
    0xC3: "lossless JPEG is not supported",
    0xC5: "hierarchical JPEG is not supported",
    0xC6: "hierarchical JPEG is not supported",
    0xC7: "hierarchical lossless JPEG is not supported",
    0xC9: "arithmetic-coded JPEG is not supported",
    0xCA: "arithmetic-coded progressive JPEG is not supported",
    0xCB: "arithmetic-coded lossless JPEG is not supported",
    0xCC: "arithmetic-coded JPEG is not supported",
    0xCD: "arithmetic-coded hierarchical JPEG is not supported",
    0xCE: "arithmetic-coded hierarchical JPEG is not supported",
    0xCF: "arithmetic-coded hierarchical JPEG is not supported",
    0xDC: "JPEG with a DNL marker (height given after the image data) is not supported",
    0xDE: "hierarchical JPEG is not supported",
    0xDF: "hierarchical JPEG is not supported",
}
_RGB_IDS = (ord("R"), ord("G"), ord("B"))


@dataclass(frozen=True)
class Component:
    """One frame component: its id, (horizontal, vertical) sampling factors and quantization table slot."""

    ident: int
    h: int
    v: int
    table: int


@dataclass(frozen=True)
class FrameInfo:
    """What the SOF segment says. ``sampling``: per component (horizontal, vertical), in file order."""

    kind: str
    precision: int
    height: int
    width: int
    components: tuple[Component, ...]

    @property
    def sampling(self) -> tuple[tuple[int, int], ...]:
        return tuple((c.h, c.v) for c in self.components)

    @property
    def pixels(self) -> int:
        return self.height * self.width

    def component_blocks(self) -> list[tuple[int, int]]:
        """(rows, cols) of 8×8 blocks per component, as libjpeg reads them (not padded to whole MCUs)."""
        h_max, v_max = max(c.h for c in self.components), max(c.v for c in self.components)
        return [(-(-self.height * c.v // (8 * v_max)), -(-self.width * c.h // (8 * h_max))) for c in self.components]

    @property
    def blocks(self) -> int:
        return sum(rows * cols for rows, cols in self.component_blocks())


@dataclass(frozen=True)
class ScanHeader:
    """One SOS header: (component id, DC table, AC table) per component, and the spectral selection."""

    components: tuple[tuple[int, int, int], ...]
    start: int
    end: int


def parse_sof(marker: int, body: bytes) -> FrameInfo:
    """The frame header of a supported SOF marker; InvalidJpegError when its body does not add up."""
    if len(body) < 6:
        raise InvalidJpegError("the file is corrupt (short frame header)")
    count = body[5]
    if len(body) != 6 + 3 * count:
        raise InvalidJpegError("the file is corrupt (frame header length does not match its components)")
    components = tuple(
        Component(body[6 + 3 * i], body[7 + 3 * i] >> 4, body[7 + 3 * i] & 0x0F, body[8 + 3 * i]) for i in range(count)
    )
    if any(not (1 <= c.h <= 4 and 1 <= c.v <= 4) for c in components):
        raise InvalidJpegError("the file is corrupt (a sampling factor outside 1–4)")
    if any(c.table > 3 for c in components):
        raise InvalidJpegError("the file is corrupt (a quantization table number above 3)")
    if len({c.ident for c in components}) != count:
        raise InvalidJpegError("the file is corrupt (two components share one id)")
    height, width = int.from_bytes(body[1:3], "big"), int.from_bytes(body[3:5], "big")
    return FrameInfo(SOF_KINDS[marker], body[0], height, width, components)


def parse_sos(body: bytes, frame: FrameInfo) -> ScanHeader:
    """The scan header; InvalidJpegError when it is malformed or names a component the frame lacks."""
    if len(body) < 1 or len(body) != 4 + 2 * body[0] or not 1 <= body[0] <= 4:
        raise InvalidJpegError("the file is corrupt (malformed scan header)")
    count = body[0]
    ids = {c.ident for c in frame.components}
    entries = tuple((body[1 + 2 * i], body[2 + 2 * i] >> 4, body[2 + 2 * i] & 0x0F) for i in range(count))
    if any(ident not in ids for ident, _, _ in entries) or len({e[0] for e in entries}) != count:
        raise InvalidJpegError("the file is corrupt (a scan names a component the frame does not have)")
    if any(dc > 3 or ac > 3 for _, dc, ac in entries):
        raise InvalidJpegError("the file is corrupt (a scan names a Huffman table above 3)")
    return ScanHeader(entries, body[1 + 2 * count], body[2 + 2 * count])


def check_supported(frame: FrameInfo, jfif: bool, adobe_transform: int | None) -> None:
    """Refuse, with a one-line UnsupportedJpegError, the valid files we do not decode."""
    if frame.precision != 8:
        raise UnsupportedJpegError(f"{frame.precision}-bit JPEG is not supported (only 8-bit samples)")
    if frame.height == 0 or frame.width == 0:
        raise UnsupportedJpegError("JPEG with height or width 0 (DNL marker) is not supported")
    count = len(frame.components)
    if count == 4:
        raise UnsupportedJpegError("CMYK/YCCK JPEG (4 components) is not supported")
    if count not in (1, 3):
        raise UnsupportedJpegError(f"JPEG with {count} components is not supported")
    if count == 3 and _is_rgb(frame, jfif, adobe_transform):
        raise UnsupportedJpegError(
            "RGB-coded JPEG (no colour transform: Adobe transform 0, or component ids "
            "R, G, B) is not supported, only YCbCr"
        )
    if count == 3:
        _check_chroma_sampling(frame)


def _is_rgb(frame: FrameInfo, jfif: bool, adobe_transform: int | None) -> bool:
    """libjpeg's rule (jdapimin.c, default_decompress_parms) for a 3-component file."""
    if jfif:
        return False
    if adobe_transform is not None:
        return adobe_transform == 0
    return tuple(c.ident for c in frame.components) == _RGB_IDS


def _check_chroma_sampling(frame: FrameInfo) -> None:
    luma, *chroma = frame.components
    for c in chroma:
        if luma.h % c.h or luma.v % c.v or luma.h // c.h > 2 or luma.v // c.v > 2:
            raise UnsupportedJpegError(
                f"chroma sampling {frame.sampling} is not supported (4:4:4, 4:2:2, 4:4:0 and 4:2:0 are)"
            )
    if (chroma[0].h, chroma[0].v) != (chroma[1].h, chroma[1].v):
        raise UnsupportedJpegError("Cb and Cr with different sampling factors are not supported")
    if luma.h * luma.v + 2 * chroma[0].h * chroma[0].v > 10:
        raise UnsupportedJpegError(
            f"sampling factors {frame.sampling} put more than 10 blocks in one MCU (the JPEG standard's limit)"
        )
