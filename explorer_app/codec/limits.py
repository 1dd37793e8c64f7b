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
MEMORY_BUDGET = 4 * 2**30
"""Peak resident memory allowed for decoding and exporting one file (``decode``, ``digits``)."""
BASE_BYTES = 640 * 2**20
"""The process before the file (Python, torch, a decoder's weights, the verifier's libraries) and what does
not grow with it (the export's polishing batches)."""
BYTES_PER_PIXEL = 38.0
"""Per pixel: the decoded image (float32), the PNG samples and their read-back, rendering temporaries."""
BYTES_PER_COEFFICIENT = 20.0
"""Per stored coefficient: int16 X_Q, float32 tensors and Δ, the export's float64 copies.

Measured peak RSS of ``decode --size lite --device cpu`` (2-core CPU, November 2026), MiB, against this
model: 4 MP 4:2:0 683 (899), 16 MP 4:2:0 1472 (1678), 36 MP 4:2:0 2567 (2975), 16 MP grey 1015 (1525),
12 MP 4:2:2 1272 (1533), 9 MP 4:4:4 1227 (1481), and 712 (806) for a 2.6-MP 4:2:0 photo of fine texture
whose export polishes many MCUs. The largest images within the budget: about 53 MP in 4:2:0, 46 MP in
4:2:2, 37 MP in 4:4:4, 62 MP grey; a 100-MP 4:2:0 file would need about 7.0 GiB. The
export's share (float64 coefficient copies, samples read back) and the decoder output it consumes (18 bytes
per pixel) dominate: shrinking them is what would let a 100-MP file in."""


def peak_bytes(frame: FrameInfo) -> int:
    """Estimated peak memory of decoding and exporting a file with this frame header."""
    return int(BASE_BYTES + BYTES_PER_PIXEL * frame.pixels + BYTES_PER_COEFFICIENT * 64 * frame.blocks)


def check_limits(stream: CleanStream) -> None:
    """Refuse a stream too large for the budget, or whose data is too short to code its declared size."""
    frame = stream.frame
    needed = peak_bytes(frame)
    if needed > MEMORY_BUDGET:
        raise UnsupportedJpegError(
            f"image of {frame.width}×{frame.height} pixels ({frame.pixels / 1e6:.0f} MP) is too large: decoding "
            f"and exporting it would need about {needed / 2**30:.1f} GiB, over the "
            f"{MEMORY_BUDGET / 2**30:.0f} GiB memory budget"
        )
    if stream.scan_bytes * 8 < frame.blocks:  # every block costs at least one bit (its DC code) in some scan
        raise InvalidJpegError(
            f"the file is truncated or corrupt ({stream.scan_bytes} bytes of image data "
            f"cannot code {frame.blocks} blocks of {frame.width}×{frame.height} pixels)"
        )
