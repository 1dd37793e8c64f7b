"""Mutations of a JPEG byte string: each takes a seeded generator and the bytes and returns new bytes.

Mutations that need the marker structure find it with a lenient walk of the seed (:func:`spans`), so they
also work on a stream an earlier mutation already damaged, as far as its structure still goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Mutation = Callable[[np.random.Generator, bytes], bytes]


@dataclass(frozen=True)
class Span:
    """One marker segment: [start, end) from its 0xFF to the end of its body; ``data_end`` for SOS is where
    its entropy-coded data ends (== end for other segments)."""

    marker: int
    start: int
    end: int
    data_end: int


def spans(data: bytes) -> list[Span]:
    """The marker segments after SOI, as far as the structure can be followed."""
    found, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] not in (0xD8, 0xD9, 0xFF):
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            break
        data_end = end
        if marker == 0xDA:
            data_end = _scan_end(data, end)
        found.append(Span(marker, pos, end, data_end))
        pos = data_end
    return found


def _scan_end(data: bytes, pos: int) -> int:
    while (pos := data.find(b"\xff", pos)) >= 0 and pos + 1 < len(data):
        if data[pos + 1] != 0x00 and not 0xD0 <= data[pos + 1] <= 0xD7:
            return pos
        pos += 2
    return len(data)


def flip_bits(rng: np.random.Generator, data: bytes) -> bytes:
    """1 to 8 random bits flipped anywhere after SOI."""
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 9))):
        pos = int(rng.integers(2, len(out)))
        out[pos] ^= 1 << int(rng.integers(0, 8))
    return bytes(out)


def byte_run(rng: np.random.Generator, data: bytes) -> bytes:
    """A run of 1 to 64 bytes overwritten with one value (0x00, 0xFF or random) or with random bytes."""
    out = bytearray(data)
    pos = int(rng.integers(2, len(out)))
    count = min(int(rng.integers(1, 65)), len(out) - pos)
    choice = int(rng.integers(0, 4))
    fill = [
        bytes(count),
        b"\xff" * count,
        bytes([int(rng.integers(0, 256))]) * count,
        rng.integers(0, 256, count, dtype=np.uint8).tobytes(),
    ][choice]
    out[pos : pos + count] = fill
    return bytes(out)


def truncate(rng: np.random.Generator, data: bytes) -> bytes:
    """Cut at a random point, half of the time with an EOI marker put back at the end."""
    cut = data[: int(rng.integers(1, len(data)))]
    return cut + b"\xff\xd9" if rng.random() < 0.5 else cut


def corrupt_length(rng: np.random.Generator, data: bytes) -> bytes:
    """A marker segment's length field set to an edge value or a random one."""
    found = spans(data)
    if not found:
        return flip_bits(rng, data)
    span = found[int(rng.integers(0, len(found)))]
    length = span.end - span.start - 2
    value = int(rng.choice([0, 1, 2, 3, length - 1, length + 1, length + 64, 0xFFFF, int(rng.integers(0, 0x10000))]))
    out = bytearray(data)
    out[span.start + 2 : span.start + 4] = (value % 0x10000).to_bytes(2, "big")
    return bytes(out)


def delete_segment(rng: np.random.Generator, data: bytes) -> bytes:
    """One marker segment removed (with its scan data, for SOS)."""
    found = spans(data)
    if not found:
        return truncate(rng, data)
    span = found[int(rng.integers(0, len(found)))]
    return data[: span.start] + data[span.data_end :]


def duplicate_segment(rng: np.random.Generator, data: bytes) -> bytes:
    """One marker segment (with its scan data, for SOS) written twice in a row."""
    found = spans(data)
    if not found:
        return flip_bits(rng, data)
    span = found[int(rng.integers(0, len(found)))]
    return data[: span.data_end] + data[span.start : span.data_end] + data[span.data_end :]


def insert_metadata(rng: np.random.Generator, data: bytes) -> bytes:
    """COM or APPn segments after SOI: empty, small, or many (the jpeglib marker-bookkeeping classes)."""
    marker = int(rng.choice([0xFE, 0xE0, 0xE1, 0xEE, 0xE0 + int(rng.integers(0, 16))]))
    bodies = [b"", b"x" * int(rng.integers(1, 40))]
    count = int(rng.choice([1, 2, 3, 49, 50, 51, 200]))
    segments = b"".join(
        bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body
        for body in (bodies[int(rng.integers(0, 2))] for _ in range(count))
    )
    return data[:2] + segments + data[2:]


def header_field(rng: np.random.Generator, data: bytes) -> bytes:
    """One byte of a SOF, SOS, DQT, DHT or DRI body set to an edge value: sizes, component counts and ids,
    sampling factors, table numbers, spectral selection."""
    found = [s for s in spans(data) if s.marker in (0xC0, 0xC1, 0xC2, 0xDA, 0xDB, 0xC4, 0xDD)]
    if not found:
        return byte_run(rng, data)
    span = found[int(rng.integers(0, len(found)))]
    body_start = span.start + 4
    if span.end <= body_start:
        return byte_run(rng, data)
    pos = int(rng.integers(body_start, min(span.end, body_start + 20)))
    out = bytearray(data)
    out[pos] = int(
        rng.choice(
            [0x00, 0x01, 0x02, 0x03, 0x04, 0x0F, 0x10, 0x11, 0x22, 0x44, 0x7F, 0x80, 0xFF, int(rng.integers(0, 256))]
        )
    )
    return bytes(out)


MUTATIONS: tuple[Mutation, ...] = (
    flip_bits,
    byte_run,
    truncate,
    corrupt_length,
    delete_segment,
    duplicate_segment,
    insert_metadata,
    header_field,
)


def mutate(rng: np.random.Generator, data: bytes) -> tuple[bytes, list[str]]:
    """1 to 3 random mutations applied in turn; (the mutant, the names of the mutations)."""
    names = []
    for _ in range(int(rng.integers(1, 4))):
        mutation = MUTATIONS[int(rng.integers(0, len(MUTATIONS)))]
        data = mutation(rng, data)
        names.append(mutation.__name__)
        if len(data) < 3:
            break
    return data, names
