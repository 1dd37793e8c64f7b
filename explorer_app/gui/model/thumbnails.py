"""One contrast stretch for a gallery's thumbnails: a dark region (a clock's unlit digits) becomes easy to
judge, and the candidates stay comparable because they share it. Plain arithmetic, no Qt."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

STRETCH_PERCENTILES = (1.0, 99.0)
"""The share (%) of all the thumbnails' values that the stretch maps to 0 and to 255."""

FULL_SPAN = 160
"""Grey levels between those percentiles from which thumbnails are shown as they are."""


def common_stretch(thumbnails: Sequence[np.ndarray]) -> tuple[list[np.ndarray], tuple[int, int] | None]:
    """uint8 (h, w, C) thumbnails → the same, each mapped by the one linear stretch that takes the
    ``STRETCH_PERCENTILES`` of all their values to 0 and 255 (clipped), and the (low, high) grey levels
    it stretched; the thumbnails unchanged and None when they already span ``FULL_SPAN`` levels or more."""
    if not thumbnails:
        return [], None
    values = np.concatenate([t.reshape(-1) for t in thumbnails])
    low, high = (int(v) for v in np.percentile(values, STRETCH_PERCENTILES))
    if high - low >= FULL_SPAN:
        return list(thumbnails), None
    scale = 255.0 / max(high - low, 1)
    stretched = [np.clip((t.astype(np.float32) - low) * scale, 0, 255).round().astype(np.uint8) for t in thumbnails]
    return stretched, (low, high)
