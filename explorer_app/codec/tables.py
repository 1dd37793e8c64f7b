"""Quantization tables: the JPEG standard's example tables, IJG quality scaling, the paper's scaling,
and an estimate of the IJG quality a file was written with.

All tables are (8, 8) integer arrays in natural (row-major) order, entries in [1, 255].
"""

from __future__ import annotations

import numpy as np

LUMA_BASE = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    dtype=np.int64,
)
"""Annex K table K.1 of the JPEG standard (luminance)."""

CHROMA_BASE = np.array(
    [
        [17, 18, 24, 47, 99, 99, 99, 99],
        [18, 21, 26, 66, 99, 99, 99, 99],
        [24, 26, 56, 99, 99, 99, 99, 99],
        [47, 66, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
    ],
    dtype=np.int64,
)
"""Annex K table K.2 of the JPEG standard (chrominance)."""


def ijg_table(base: np.ndarray, quality: int) -> np.ndarray:
    """Scale ``base`` the way libjpeg's ``jpeg_set_quality`` does for ``quality`` in [1, 100]."""
    quality = int(np.clip(quality, 1, 100))
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return np.clip((base * scale + 50) // 100, 1, 255).astype(np.int64)


def paper_table(base: np.ndarray, quality: float) -> np.ndarray:
    """The paper's training tables (section 3.3): M = 50·Q_baseline/QF, rounded, clipped to [1, 255]."""
    return np.clip(np.round(50.0 * base / quality), 1, 255).astype(np.int64)


def estimate_ijg_quality(table: np.ndarray, base: np.ndarray = LUMA_BASE) -> tuple[int, float]:
    """Return the IJG quality whose scaled ``base`` is closest to ``table`` and the mean abs error.

    An error of 0 means the file was written with libjpeg's standard tables at that quality.
    """
    errors = [float(np.abs(ijg_table(base, q) - table).mean()) for q in range(1, 101)]
    best = int(np.argmin(errors))
    return best + 1, errors[best]
