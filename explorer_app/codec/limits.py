"""Size limits checked on the declared sizes of a stream, before anything is allocated for it.

One memory budget covers the heaviest thing the application does with a file (decode it with the network and
export a verified PNG); a file whose declared size needs more is refused at once, saying so. The cost model
is measured, not guessed: ``tests/test_hostile_memory.py`` decodes and exports real files in a subprocess
and checks their peak memory against it.
"""
from __future__ import annotations

from .errors import InvalidJpegError, UnsupportedJpegError
from .frame import FrameInfo
from .rebuild import CleanStream

MAX_FILE_BYTES = 256 * 2**20
"""Largest file read: four times a 120-megapixel JPEG at quality 100."""
MAX_PIXELS = 120_000_000
"""Largest image (width × height) opened at all, whatever the memory model says."""
MEMORY_BUDGET = 4 * 2**30
"""Peak resident memory allowed for decoding and exporting one file."""
BASE_BYTES = 900 * 2**20
"""The process before the file: Python, torch, a decoder's weights, the verifier's libraries."""
BYTES_PER_PIXEL = 33.0
"""Per pixel of the image: the decoded image (float32 RGB), the PNG samples and their read-back."""
BYTES_PER_COEFFICIENT = 30.0
"""Per stored coefficient: int16 X_Q, float32 tensors and Δ, float64 copies in the export's verifier."""


def peak_bytes(frame: FrameInfo) -> int:
    """Estimated peak memory of decoding and exporting a file with this frame header."""
    return int(BASE_BYTES + BYTES_PER_PIXEL * frame.pixels + BYTES_PER_COEFFICIENT * 64 * frame.blocks)


def check_limits(stream: CleanStream) -> None:
    """Refuse a stream too large for the budget, or whose data is too short to code its declared size."""
    frame = stream.frame
    if frame.pixels > MAX_PIXELS:
        raise UnsupportedJpegError(f"image of {frame.width}×{frame.height} pixels is too large "
                                   f"(limit {MAX_PIXELS // 1_000_000} megapixels)")
    needed = peak_bytes(frame)
    if needed > MEMORY_BUDGET:
        raise UnsupportedJpegError(
            f"image of {frame.width}×{frame.height} pixels ({frame.pixels / 1e6:.0f} MP) would need about "
            f"{needed / 2**30:.1f} GiB to decode and export, over the {MEMORY_BUDGET / 2**30:.0f} GiB memory budget")
    if stream.scan_bytes * 8 < frame.blocks:  # every block costs at least one bit (its DC code) in some scan
        raise InvalidJpegError(f"the file is truncated or corrupt ({stream.scan_bytes} bytes of image data "
                               f"cannot code {frame.blocks} blocks of {frame.width}×{frame.height} pixels)")
