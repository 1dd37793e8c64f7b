"""mozjpeg's default encoder, called exactly: jpeglib's build of mozjpeg 4.0.3 re-encodes the image with the
file's own tables and sampling, and its quantized coefficients are read back.

mozjpeg chooses coefficients by rate as well as by distance (trellis quantization of the AC coefficients,
and of the DC ones along each block row), after "overshoot deringing" of blocks that reach 255; its first
pass gathers statistics over the whole image, so a coefficient depends on more than its own MCU and the
image is encoded in one piece, never strip by strip. Settings: ``jpeg_set_defaults`` of mozjpeg's
JCP_MAX_COMPRESSION profile (what ``cjpeg`` uses: trellis on, DC trellis on, deringing on, islow DCT),
with the file's tables set per component and its sampling factors; the same call gives the same
coefficients every time. mozjpeg 3.0 writes the same coefficients as 4.0.3 (tests/test_encoder_matrix.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import jpeglib
import numpy as np
from jpeglib._cenum import DCTMethod

BUILD = "mozjpeg403"
"""The jpeglib build called."""


def mozjpeg_quantized(
    samples: np.ndarray, tables: list[np.ndarray], chroma_factor: tuple[int, int], blocks: list[tuple[int, int]]
) -> list[np.ndarray]:
    """uint8 (H, W, 3) RGB or (H, W, 1) grey samples, one (8, 8) table per component ([Y] or [Y, Cb, Cr]),
    the chroma subsampling (fy, fx) and each component's (by, bx) → int32 (by, bx, 8, 8) X_Q per component,
    as mozjpeg writes them."""
    colour = len(tables) == 3
    if samples.shape[2] == 3 and not colour:
        from .libjpeg.color import rgb_to_grey

        samples = rgb_to_grey(samples).astype(np.uint8)[..., None]
    if samples.shape[2] == 1 and colour:
        samples = np.repeat(samples, 3, axis=2)
    fy, fx = chroma_factor
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "mozjpeg.jpg")
        with jpeglib.version(BUILD):
            image = jpeglib.from_spatial(np.ascontiguousarray(samples))
            if colour:
                image.samp_factor = np.array([[fy, fx], [1, 1], [1, 1]])  # jpeglib: (v, h) per component
            image.write_spatial(
                path,
                qt=np.stack(tables).astype(np.uint16),
                quant_tbl_no=np.arange(len(tables)),
                dct_method=DCTMethod["JDCT_ISLOW"],
            )
        dct = jpeglib.read_dct(path)
        planes = [dct.Y, dct.Cb, dct.Cr] if colour else [dct.Y]
        return [np.asarray(plane[:by, :bx], dtype=np.int32) for plane, (by, bx) in zip(planes, blocks, strict=True)]
