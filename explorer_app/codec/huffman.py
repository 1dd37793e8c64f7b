"""Huffman table segments (DHT): which table slots a segment defines, and the standard tables.

Motion-JPEG frames and some cameras omit DHT; libjpeg and Pillow then use the example tables of the JPEG
standard (Annex K.3) for slots 0 and 1. We write those tables into the rebuilt stream explicitly, so that
every decoder we hand the stream to sees the same tables.
"""

from __future__ import annotations

from .errors import InvalidJpegError

Slot = tuple[int, int]
"""(class, id): class 0 = DC, 1 = AC; id 0–3."""

STANDARD_TABLES: dict[Slot, bytes] = {  # one DHT table each: class/id byte, 16 code counts, the values
    (0, 0): bytes.fromhex("0000010501010101010100000000000000000102030405060708090a0b"),
    (0, 1): bytes.fromhex("0100030101010101010101010000000000000102030405060708090a0b"),
    (1, 0): bytes.fromhex(
        "10"
        "0002010303020403050504040000017d"
        "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a"
        "3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293"
        "9495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7"
        "e8e9eaf1f2f3f4f5f6f7f8f9fa"
    ),
    (1, 1): bytes.fromhex(
        "11"
        "00020102040403040705040400010277"
        "000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a2627"
        "28292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a8283848586878889"
        "8a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5"
        "e6e7e8e9eaf2f3f4f5f6f7f8f9fa"
    ),
}
"""Annex K.3 tables as libjpeg writes them (tests compare them with a file Pillow writes)."""


def defined_slots(body: bytes) -> set[Slot]:
    """The slots a DHT segment body defines; InvalidJpegError when the body is not a whole number of
    well-formed tables."""
    slots, pos = set(), 0
    while pos < len(body):
        if pos + 17 > len(body):
            raise InvalidJpegError("the file is corrupt (a Huffman table segment is cut short)")
        table_class, ident = body[pos] >> 4, body[pos] & 0x0F
        if table_class > 1 or ident > 3:
            raise InvalidJpegError("the file is corrupt (a Huffman table with an invalid class or number)")
        count = sum(body[pos + 1 : pos + 17])
        if count > 256 or pos + 17 + count > len(body):
            raise InvalidJpegError("the file is corrupt (a Huffman table segment's length does not match it)")
        slots.add((table_class, ident))
        pos += 17 + count
    return slots


def standard_dht(slots: set[Slot]) -> bytes:
    """A DHT segment (marker included) defining the standard table of each slot; only slots 0 and 1 have one."""
    body = b"".join(STANDARD_TABLES[slot] for slot in sorted(slots))
    return b"\xff\xc4" + (len(body) + 2).to_bytes(2, "big") + body
