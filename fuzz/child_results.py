"""What the coefficient reader's child leaves behind, as one byte string: the coverage fuzzer's input for
:func:`explorer_app.codec.coefficient_reader.read_results`.

Layout: the child's exit status (one signed byte), a mask of the files it left (1 header.json, 2 blocks.bin;
libjpeg.txt is always there: the parent makes it, for the child's stderr), the number of components and each
one's block grid (rows − 1, cols − 1: one byte each, as the frame header implies them), then libjpeg.txt and
header.json (each a 2-byte big-endian length and its bytes) and blocks.bin (the rest). A short input reads as
zeros and empty files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FILES = ("libjpeg.txt", "header.json", "blocks.bin")
LEFT = FILES[1:]
"""The files the child may or may not leave."""
MAX_COMPONENTS = 4


@dataclass(frozen=True)
class ChildResult:
    """returncode: the child's exit status (negative: killed by that signal); shapes: (rows, cols) of blocks
    per component; files: the contents of those it left, by name (libjpeg.txt: empty when absent)."""

    returncode: int
    shapes: list[tuple[int, int]]
    files: dict[str, bytes]

    def write(self, folder: Path) -> None:
        """Put exactly :attr:`files` into ``folder``, as the child would have left them."""
        for name in FILES:
            path = folder / name
            if name in self.files or name not in LEFT:
                path.write_bytes(self.files.get(name, b""))
            else:
                path.unlink(missing_ok=True)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, count: int) -> bytes:
        part = self.data[self.pos : self.pos + count]
        self.pos += count
        return part.ljust(count, b"\0")

    def byte(self) -> int:
        return self.take(1)[0]

    def sized(self) -> bytes:
        return self.take(int.from_bytes(self.take(2), "big"))


def unpack(data: bytes) -> ChildResult:
    """The child's result that ``data`` describes (any bytes describe one)."""
    reader = _Reader(data)
    returncode = int.from_bytes(reader.take(1), "big", signed=True)
    present = reader.byte()
    count = 1 + reader.byte() % MAX_COMPONENTS
    shapes = [(1 + reader.byte(), 1 + reader.byte()) for _ in range(count)]
    contents = {"libjpeg.txt": reader.sized(), "header.json": reader.sized(), "blocks.bin": data[reader.pos :]}
    files = {name: contents[name] for name in FILES if name not in LEFT or present >> LEFT.index(name) & 1}
    return ChildResult(returncode, shapes, files)


def pack(result: ChildResult) -> bytes:
    """The bytes :func:`unpack` reads as ``result`` (grids of 1–256 blocks a side, texts under 64 KiB)."""
    present = sum(1 << bit for bit, name in enumerate(LEFT) if name in result.files)
    parts = [result.returncode.to_bytes(1, "big", signed=True), bytes((present, len(result.shapes) - 1))]
    parts += [bytes((rows - 1, cols - 1)) for rows, cols in result.shapes]
    for name in FILES[:2]:
        text = result.files.get(name, b"")
        parts += [len(text).to_bytes(2, "big"), text]
    parts.append(result.files.get("blocks.bin", b""))
    return b"".join(parts)
