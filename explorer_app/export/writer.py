"""Which encoder an export is repaired for when the file's writer is named (docs/verification.md, "Repaired
for the encoder that wrote the file").

A file does not say which libjpeg-family pipeline wrote it (the same headers and tables from IJG 6b to 9f
and libjpeg-turbo, and a DCT's rounding does not survive quantization), so the writer comes from whoever
knows it. A named writer that is one of the local 8-bit pipelines gets an 8-bit attempt of its own; the
others are today's targets already (libjpeg's integer encoder, the reference encoder) or cannot be one
(mozjpeg), and the export says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..verify.encoders import ALTERNATIVES, LIBJPEG, REFERENCE, Encoder

NAMEABLE = (*ALTERNATIVES, LIBJPEG)
"""The encoders a user can name as a file's writer: every one that writes files (not the reference encoder),
the other pipelines first, in the verifier's order, then libjpeg's integer encoder (the export's default
target anyway)."""


@dataclass(frozen=True)
class WriterTarget:
    """encoder: the pipeline to make an 8-bit attempt for first, or None (today's path alone); note: why a
    named writer gets no attempt of its own ("" when it gets one, or when none was named)."""

    encoder: Encoder | None
    note: str = ""


def writer_target(writer: Encoder | None, bit_depth: int | None) -> WriterTarget:
    """The attempt a named ``writer`` (None: not known) gets for an export at ``bit_depth`` (8, 16, or None
    when the export chooses)."""
    if writer is None or writer is LIBJPEG:
        return WriterTarget(None)
    if writer is REFERENCE:
        return WriterTarget(None, "the reference encoder writes no files: nothing to repair for but today's targets")
    if writer.prepare is not None:
        return WriterTarget(
            None,
            f"{writer.name} is no repair target (trellis quantization is a rate search over the whole image, "
            "not a box per coefficient): repaired for libjpeg's or the reference encoder instead",
        )
    if bit_depth == 16:
        return WriterTarget(None, f"{writer.name} takes 8-bit samples: a 16-bit export is repaired for the reference")
    return WriterTarget(writer)
