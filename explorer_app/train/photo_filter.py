"""Decode candidate images and tell photographs from drawings, logos, icons and cartoons.

The classifier is a handful of hand-set rules on cheap image statistics, each chosen because it
separates camera pictures from rendered graphics on the Debian and scikit-image material:

- size: the short side must stay >= `min_short` pixels after the smallest (2x) downscale,
  so icons, thumbnails and tiny help images go.
- transparency: cut-outs on a transparent background (icons, stickers, clip-art) go.
- clipping: pixels that are near black or near white say little about the picture; text pages,
  line art and logos on white are mostly clipped. The next rules look at unclipped pixels only,
  so that photos with a black background or a burnt-out sky are judged by their content.
- dominant colours: drawings and screenshots paint large areas in a few exact colours; in a
  photo the 8 most frequent exact RGB values cover a small share of the pixels (a larger share
  is allowed for greyscale, which has only 256 values to begin with).
- flat area: sensor noise and texture make exactly flat 3x3 neighbourhoods rare in photos;
  rendered graphics and vector art are mostly flat.
- smooth render: vector art with gradients is not exactly flat but still has no noise: the
  Immerkaer noise estimate is tiny and most neighbourhoods vary by <= 2 levels. Heavily defocused
  macro shots look the same and are dropped too; they teach a decoder little.

Statistics are measured on a working copy whose long side is at most `WORK_SIDE` pixels (about
the size the pack stores). Greyscale photos are allowed: no rule asks for colour.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

WORK_SIDE = 1024
TOP_COLOURS = 8
# Laplacian-like kernel of Immerkaer's fast noise estimate (Computer Vision and Image Understanding, 1996).
_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


@dataclass(frozen=True)
class Thresholds:
    """Rule limits; an image is a photo when every statistic is inside its limit."""

    min_short: int = 144  # px, short side after a 2x downscale (a 128 crop plus room to move)
    max_transparent: float = 0.01  # fraction of pixels with alpha < 250
    max_clipped: float = 0.6  # fraction of near-black or near-white pixels
    max_top_colour_share: float = 0.16  # share of unclipped pixels in the 8 most frequent colours
    max_top_grey_share: float = 0.7  # the same for greyscale images (only 256 values exist)
    max_flat: float = 0.5  # fraction of unclipped pixels in an exactly flat 3x3 neighbourhood
    min_noise: float = 0.5  # grey levels; below this AND above max_smooth the image is a render
    max_smooth: float = 0.6  # fraction of unclipped pixels whose 3x3 neighbourhood spans <= 2 levels


DEFAULT_LIMITS = Thresholds()


@dataclass(frozen=True)
class ImageStats:
    """Statistics of one image: sizes in pixels of the original, fractions in [0, 1]."""

    width: int
    height: int
    grey: bool
    transparent: float
    clipped: float
    top_colour_share: float
    flat: float
    smooth: float
    noise: float  # Immerkaer noise sigma of the working copy, grey levels


@dataclass(frozen=True)
class Verdict:
    """Classifier decision: `reason` names the first rule that failed, or "photo"."""

    keep: bool
    reason: str


def decode_image(data: bytes) -> tuple[np.ndarray, np.ndarray | None]:
    """Decode encoded bytes to RGB (H, W, 3) uint8 and alpha (H, W) uint8 or None.

    EXIF orientation is applied; palette, grey and 16-bit images are converted to 8-bit RGB.
    """
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        if image.mode.startswith("I"):
            image = Image.fromarray((np.asarray(image, np.float32) / 257.0).astype(np.uint8))
        rgba = np.asarray(image.convert("RGBA"))
    alpha = rgba[..., 3].copy() if has_alpha else None
    return np.ascontiguousarray(rgba[..., :3]), alpha


def area_resize(rgb: np.ndarray, long_side: int) -> np.ndarray:
    """Area-average (H, W, 3) uint8 down so its long side is `long_side` px; never upscales."""
    height, width = rgb.shape[:2]
    scale = long_side / max(height, width)
    if scale >= 1.0:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def is_grey(rgb: np.ndarray) -> bool:
    """True when (H, W, 3) uint8 has (almost) equal channels everywhere."""
    spread = rgb.max(axis=2).astype(np.int16) - rgb.min(axis=2)
    return bool(np.mean(spread > 2) < 0.01)


def clipped_mask(rgb: np.ndarray) -> np.ndarray:
    """(H, W) bool: near-black (all channels <= 12) or near-white (all channels >= 243) pixels."""
    return (rgb.max(axis=2) <= 12) | (rgb.min(axis=2) >= 243)


def top_colour_share(rgb: np.ndarray, mask: np.ndarray, top: int = TOP_COLOURS) -> float:
    """Share of the masked pixels of (H, W, 3) uint8 covered by their `top` most frequent colours."""
    pixels = rgb[mask].astype(np.int32)
    if len(pixels) == 0:
        return 1.0
    packed = (pixels[:, 0] << 16) | (pixels[:, 1] << 8) | pixels[:, 2]
    counts = np.unique(packed, return_counts=True)[1]
    return float(np.sort(counts)[-top:].sum() / len(packed))


def local_spread(rgb: np.ndarray) -> np.ndarray:
    """(H, W) uint8: max over channels of (max - min) in each pixel's 3x3 neighbourhood."""
    kernel = np.ones((3, 3), np.uint8)
    return (cv2.dilate(rgb, kernel) - cv2.erode(rgb, kernel)).max(axis=2)


def noise_sigma(rgb: np.ndarray) -> float:
    """Immerkaer's noise standard deviation of (H, W, 3) uint8, in grey levels."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    response = np.abs(cv2.filter2D(grey, -1, _NOISE_KERNEL))[1:-1, 1:-1]
    return float(np.sqrt(np.pi / 2) * response.mean() / 6) if response.size else 0.0


def masked_fraction(condition: np.ndarray, mask: np.ndarray) -> float:
    """Fraction of the `mask` pixels where `condition` holds; both (H, W) bool; 1.0 if mask is empty."""
    total = int(mask.sum())
    return float((condition & mask).sum() / total) if total else 1.0


def measure(rgb: np.ndarray, alpha: np.ndarray | None) -> ImageStats:
    """Statistics of a decoded image: rgb (H, W, 3) uint8, alpha (H, W) uint8 or None."""
    work = area_resize(rgb, WORK_SIDE)
    clipped = clipped_mask(work)
    kept = ~clipped
    spread = local_spread(work)
    return ImageStats(
        width=rgb.shape[1],
        height=rgb.shape[0],
        grey=is_grey(work),
        transparent=0.0 if alpha is None else float(np.mean(alpha < 250)),
        clipped=float(clipped.mean()),
        top_colour_share=top_colour_share(work, kept),
        flat=masked_fraction(spread == 0, kept),
        smooth=masked_fraction(spread <= 2, kept),
        noise=noise_sigma(work),
    )


def classify(stats: ImageStats, limits: Thresholds = DEFAULT_LIMITS) -> Verdict:
    """Apply the rules in order; the first one that fails gives the reason for dropping."""
    short = min(stats.width, stats.height) // 2
    rules = (
        (short >= limits.min_short, f"tiny ({stats.width}x{stats.height})"),
        (
            stats.transparent <= limits.max_transparent,
            f"cut-out ({stats.transparent:.0%} transparent)",
        ),
        (stats.clipped <= limits.max_clipped, f"mostly black/white ({stats.clipped:.0%} clipped)"),
        (
            stats.top_colour_share <= (limits.max_top_grey_share if stats.grey else limits.max_top_colour_share),
            f"few colours (top {TOP_COLOURS} cover {stats.top_colour_share:.0%})",
        ),
        (stats.flat <= limits.max_flat, f"flat ({stats.flat:.0%} of pixels)"),
        (
            stats.noise >= limits.min_noise or stats.smooth <= limits.max_smooth,
            f"smooth render (noise {stats.noise:.2f}, {stats.smooth:.0%} smooth)",
        ),
    )
    for passed, reason in rules:
        if not passed:
            return Verdict(False, reason)
    return Verdict(True, "photo")
