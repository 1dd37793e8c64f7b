"""Maps drawn over the image (where the file is coarse, colour ramps) and display images. Plain numpy, no Qt."""

from __future__ import annotations

import numpy as np

from ...codec import JpegCode, to_display


def coarseness_map(code: JpegCode) -> np.ndarray:
    """Per luma block (by, bx) in [0, 1]: the share of the block's quantization step budget spent on
    coefficients the file stored as zero. 1 = every AC coefficient dropped with coarse steps (flat block,
    most room to explore), 0 = all detail kept."""
    by, bx = -(-code.height // 8), -(-code.width // 8)
    blocks = code.coefficients[0][:by, :bx].reshape(by, bx, 64)[:, :, 1:]
    steps = code.tables[0].reshape(64)[1:].astype(np.float64)
    return ((blocks == 0) * steps).sum(axis=2) / steps.sum()


HEAT_ALPHA = 150
HEAT_STOPS = ((0.0, (40, 90, 220, 0.0)), (0.5, (250, 220, 40, 0.5 * HEAT_ALPHA)), (1.0, (230, 30, 30, HEAT_ALPHA)))
"""The maps' colour ramp: (position, (R, G, B, alpha)): clear (0) → yellow (½) → red (1)."""


def stretch(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``values`` mapped linearly so that this map's 2nd percentile is 0 and its 98th is 1 (clipped), and
    those two percentiles (what the legend writes at the ramp's ends): the overlays show where a file is
    coarser or more ambiguous than elsewhere in the same file."""
    low, high = (float(v) for v in np.percentile(values, [2, 98]))
    return np.clip((values - low) / max(high - low, 1e-9), 0.0, 1.0), low, high


def heat_rgba(values: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 4) colour ramp (HEAT_STOPS) for values in [0, 1]."""
    v = np.clip(values, 0.0, 1.0)
    positions = [position for position, _ in HEAT_STOPS]
    channels = [np.interp(v, positions, [color[k] for _, color in HEAT_STOPS]) for k in range(4)]
    return np.round(np.stack(channels, axis=-1)).astype(np.uint8)


def display_image(image: np.ndarray, orientation: int) -> np.ndarray:
    """A decoded float image (H, W, C) in [0, 255], file orientation → uint8 display image (grey as 2-D)."""
    pixels = np.clip(np.round(image), 0, 255).astype(np.uint8)
    return to_display(pixels[:, :, 0] if pixels.ndim == 3 and pixels.shape[2] == 1 else pixels, orientation)
