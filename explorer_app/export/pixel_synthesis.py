"""8-bit RGB pixels that libjpeg converts and downsamples to given integer planes.

libjpeg's colour conversion (:mod:`~explorer_app.verify.libjpeg.color`) maps the 256³ RGB values onto
about a quarter of the YCbCr cube, covering every integer triple well inside the gamut. For each pixel the
27 RGB values around the real inverse of the wanted (Y, Cb, Cr) are tried (125 where none fits); the one
whose Y is exactly the wanted Y and whose Cb, Cr come closest to the wanted ones is kept. Subsampled chroma
only needs each box's biased mean to come out right, so boxes that miss are then mended one pixel at a
time, choosing among each pixel's exact-Y candidates.

Pixels are (P, 3) int RGB; planes (P,) per component; boxes group the pixels of one downsampled sample.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..verify.libjpeg.color import CB_WEIGHTS, CR_WEIGHTS, SCALEBITS, Y_WEIGHTS, rgb_to_ycc

OFFSETS = {
    1: np.array(list(itertools.product((-1, 0, 1), repeat=3))),
    2: np.array(list(itertools.product((-2, -1, 0, 1, 2), repeat=3))),
}
BOX_MENDS = 6
INVERSE = np.linalg.inv(np.array([Y_WEIGHTS, CB_WEIGHTS, CR_WEIGHTS], dtype=np.float64) / (1 << SCALEBITS))
"""libjpeg's colour matrix inverted: (Y, Cb − 128, Cr − 128) → RGB in real arithmetic."""


def candidates(wanted: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray]:
    """RGB candidates (P, n, 3) around the real inverse of ``wanted`` (P, 3) YCbCr, and their libjpeg YCbCr
    (P, n, 3)."""
    centre = np.rint((wanted - [0.0, 128.0, 128.0]) @ INVERSE.T)
    rgb = np.clip(centre[:, None, :] + OFFSETS[reach][None], 0, 255).astype(np.uint8)
    return rgb, np.stack(rgb_to_ycc(rgb), -1)


def nearest_exact_luma(wanted: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For wanted YCbCr (P, 3) (integer Y, real Cb, Cr): candidates (P, n, 3), their YCbCr, and the chroma
    cost (P, n) of each, infinite where the candidate's Y is not the wanted Y."""
    rgb, ycc = candidates(wanted, reach)
    cost = ((ycc[..., 1:] - wanted[:, None, 1:]) ** 2).sum(-1)
    cost[ycc[..., 0] != wanted[:, None, 0]] = np.inf
    return rgb, ycc, cost


def _pick(wanted: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rgb, ycc, cost = nearest_exact_luma(wanted, reach)
    rows, best = np.arange(wanted.shape[0]), np.argmin(cost, 1)
    return rgb[rows, best], ycc[rows, best], np.isfinite(cost[rows, best])


def choose(wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pixel the best exact-Y candidate for wanted YCbCr (P, 3), searched among 27, else among 125:
    (rgb (P, 3) uint8, its libjpeg YCbCr (P, 3), found (P,) bool: whether its Y is the wanted one)."""
    rgb, ycc, found = _pick(wanted, 1)
    if not found.all():
        index = np.nonzero(~found)[0]
        rgb[index], ycc[index], found[index] = _pick(wanted[index], 2)
    return rgb, ycc, found


def box_window(target: np.ndarray, bias: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The sums of ``count`` samples whose biased mean (sum + bias) // count is ``target``: [low, high]."""
    low = target * count - bias
    return low, low + count - 1


def mend_boxes(
    rgb: np.ndarray, ycc: np.ndarray, wanted: np.ndarray, boxes: np.ndarray, targets: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """Mend boxes whose chroma sums miss their windows by replacing one pixel's RGB at a time with another
    exact-Y candidate. rgb, ycc: (P, 3) chosen, updated in place; boxes: (Q, m) pixel indices of each box;
    targets: (Q, 2) wanted downsampled Cb, Cr; bias (Q,). Returns bool (Q,): boxes whose sums are in their
    windows."""
    count = boxes.shape[1]
    low, high = box_window(targets, bias[:, None], count)
    cands, cand_ycc, cost = nearest_exact_luma(wanted[boxes.reshape(-1)], 1)
    cands = cands.reshape(*boxes.shape, -1, 3)
    cand_ycc = cand_ycc.reshape(*boxes.shape, -1, 3)
    usable = np.isfinite(cost.reshape(*boxes.shape, -1))
    for _ in range(BOX_MENDS):
        sums = ycc[boxes][..., 1:].sum(1)  # (Q, 2)
        miss = np.maximum(low - sums, 0) + np.maximum(sums - high, 0)
        bad = np.nonzero(miss.sum(1) > 0)[0]
        if bad.size == 0:
            break
        # new sums if pixel i of the box took candidate j: (B, m, n, 2)
        trial = sums[bad, None, None, :] - ycc[boxes[bad]][:, :, None, 1:] + cand_ycc[bad][..., 1:]
        violation = (np.maximum(low[bad, None, None] - trial, 0) + np.maximum(trial - high[bad, None, None], 0)).sum(-1)
        violation = np.where(usable[bad], violation, np.inf)
        flat = violation.reshape(bad.size, -1).argmin(1)
        pixel, choice = np.divmod(flat, violation.shape[2])
        better = violation.reshape(bad.size, -1)[np.arange(bad.size), flat] < miss[bad].sum(1)
        index = boxes[bad[better], pixel[better]]
        rgb[index] = cands[bad[better], pixel[better], choice[better]]
        ycc[index] = cand_ycc[bad[better], pixel[better], choice[better]]
    sums = ycc[boxes][..., 1:].sum(1)
    return ((sums >= low) & (sums <= high)).all(1)
