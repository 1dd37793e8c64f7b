"""Figures that grain cannot fool: JPEG block edges, grain where the true photo is flat, and how far apart
two decodes of one file lie, in textured and in flat areas.

Planes are (H, W) luma arrays on the [0, 255] scale (uint8 or float). A no-reference score such as NIQE
rewards grain (it reads noise as detail); these figures compare an output with its ground truth instead.
"""

from __future__ import annotations

import cv2
import numpy as np

BLOCK = 8
LOCAL_WINDOW = 9
"""px, side of the window of the local standard deviation that tells flat from textured areas."""
FLAT_QUANTILE = 0.25
TEXTURED_QUANTILE = 0.75
"""Flat = the quarter of pixels whose truth varies least locally; textured = the quarter that varies most."""
HIGH_PASS_SIGMA = 1.0
"""px, σ of the Gaussian subtracted to leave the fine (grain) component."""


def _plane(image: np.ndarray) -> np.ndarray:
    return np.asarray(image, dtype=np.float64)


def blockiness(luma: np.ndarray) -> float:
    """Mean |step| between neighbouring pixels across 8-px block edges ÷ mean |step| inside blocks.

    Both directions pooled. A photo is ≈ 1.0; a libjpeg decode at QF 10 is ≈ 2.4–3.8.
    """
    plane = _plane(luma)
    across = np.abs(np.diff(plane, axis=1))  # column j: the step from pixel j to j + 1
    down = np.abs(np.diff(plane, axis=0))
    edge_x = (np.arange(across.shape[1]) % BLOCK) == BLOCK - 1
    edge_y = (np.arange(down.shape[0]) % BLOCK) == BLOCK - 1
    edges = np.concatenate([across[:, edge_x].ravel(), down[edge_y].ravel()])
    inside = np.concatenate([across[:, ~edge_x].ravel(), down[~edge_y].ravel()])
    return float(edges.mean() / max(inside.mean(), 1e-6))


def local_deviation(luma: np.ndarray, window: int = LOCAL_WINDOW) -> np.ndarray:
    """(H, W) standard deviation of ``luma`` in a ``window``×``window`` box around every pixel."""
    plane = _plane(luma)
    mean = cv2.blur(plane, (window, window), borderType=cv2.BORDER_REFLECT)
    square = cv2.blur(plane * plane, (window, window), borderType=cv2.BORDER_REFLECT)
    return np.sqrt(np.clip(square - mean * mean, 0.0, None))


def texture_masks(truth_luma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean (H, W) masks (flat, textured) from the truth's local deviation quantiles."""
    deviation = local_deviation(truth_luma)
    low, high = np.quantile(deviation, [FLAT_QUANTILE, TEXTURED_QUANTILE])
    return deviation <= low, deviation >= high


def high_pass(luma: np.ndarray, sigma: float = HIGH_PASS_SIGMA) -> np.ndarray:
    """(H, W) ``luma`` minus its Gaussian blur: the fine component where grain lives."""
    plane = _plane(luma)
    return plane - cv2.GaussianBlur(plane, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)


def flat_grain(luma: np.ndarray, flat: np.ndarray) -> float:
    """Standard deviation (grey levels) of the high-pass component of ``luma`` inside the ``flat`` mask."""
    return float(high_pass(luma)[flat].std())


def seed_spread(decodes: list[np.ndarray], flat: np.ndarray, textured: np.ndarray) -> dict[str, float]:
    """How far decodes (each (H, W) luma) of one file lie apart, in grey levels.

    "mean_abs_difference": mean |a − b| over all pixels and pairs; "textured_abs_difference" and
    "flat_abs_difference": the same inside the masks; "textured_std" and "flat_std": the per-pixel
    standard deviation across decodes, averaged inside each mask.
    """
    planes = np.stack([_plane(d) for d in decodes])
    pairs = [(i, j) for i in range(len(planes)) for j in range(i + 1, len(planes))]
    differences = np.stack([np.abs(planes[i] - planes[j]) for i, j in pairs])
    deviation = planes.std(axis=0, ddof=1)
    return {
        "mean_abs_difference": float(differences.mean()),
        "textured_abs_difference": float(differences[:, textured].mean()),
        "flat_abs_difference": float(differences[:, flat].mean()),
        "textured_std": float(deviation[textured].mean()),
        "flat_std": float(deviation[flat].mean()),
    }
