"""Last resort of the 8-bit repair: small moves of one pixel's RGB, judged by libjpeg's exact pipeline.

Where the wanted planes of :mod:`.integer_repair` fall outside libjpeg's colour gamut (bright or deep
colours with 0 or 255 in a channel), and in MCUs cut by the image's edge, Y and chroma cannot be mended one
after the other. Here the whole MCU moves at once, one pixel by one of a few small RGB steps (see
:data:`STEPS`): the reference
encoder's Jacobian (the linear part of libjpeg's pipeline, up to its integer rounding) ranks the moves by
how fast they lower the excess of the coefficients over their boxes, the few best are tried with the exact
emulation, and the best is kept if it lowers the excess over the true boxes (ties broken by the excess over
boxes shrunk to ±0.4, which keeps coefficients clear of their edges).
"""

from __future__ import annotations

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..ops.quantization import box_excess, round_half_away_array
from ..verify.encoders import LIBJPEG
from ..verify.interrupt import Check, never
from ..verify.reachability import affine_map
from ..verify.reference_encoder import file_quantized
from .polish import select

MOVES = 96
CANDIDATES = 8
KICKS = 20
KICKED_MCUS = 16
"""Random kicks are given only while at most this many MCUs are stuck: beyond that the file is too fine for
8-bit samples, and kicks would spend minutes to say so."""
LIMIT = 0.4
STEPS = np.array(
    [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [2, 0, 0],
        [0, 2, 0],
        [0, 0, 2],
        [3, 0, 0],
        [0, 3, 0],
        [0, 0, 3],
        [1, 1, 1],
        [2, 2, 2],
        [3, 3, 3],
        [1, 1, 0],
        [0, 1, 1],
        [1, 0, 1],
        [1, -1, 0],
        [0, 1, -1],
        [1, 0, -1],
    ]
)
STEPS = np.concatenate([STEPS, -STEPS])
"""The RGB steps a pixel may take (grey images: ±1 to ±3): single channels, grey (luma without chroma),
pairs, and chroma shifts; two or three levels where libjpeg's integer rounding swallows one."""


def quotients(pixels: np.ndarray, code: CodeTensors) -> np.ndarray:
    """libjpeg's quotients (B, m) of pixels (B, h, w, C) uint8, in :func:`~.reachability.affine_map` order."""
    tensor = torch.from_numpy(pixels.astype(np.float64)).permute(0, 3, 1, 2)
    return torch.cat([n.flatten(1) for n in LIBJPEG.normalized(tensor, code)], 1).numpy()


def targets(code: CodeTensors) -> np.ndarray:
    return torch.cat([q.flatten(1) for q in file_quantized(code)], 1).numpy()


def score(values: np.ndarray, quantized: np.ndarray) -> np.ndarray:
    """Excess over the true boxes first, over the shrunk ones to break ties (the ranking of moves follows
    this score's gradient)."""
    return 1e6 * box_excess(values, quantized, 0.5) + box_excess(values, quantized, LIMIT)


def reproduces(values: np.ndarray, quantized: np.ndarray) -> np.ndarray:
    return (round_half_away_array(values) == quantized).all(-1)


def descend(
    flat: np.ndarray,
    current: np.ndarray,
    quantized: np.ndarray,
    code: CodeTensors,
    shape: tuple[int, int, int],
    steps: np.ndarray,
    along: np.ndarray,
    interrupt: Check = never,
) -> None:
    """Greedy moves until every MCU reproduces or none improves: flat (B, pixels, C) int samples and current
    (B, m) their quotients, both updated in place."""
    height, width, channels = shape
    rows = np.arange(flat.shape[0])
    stuck = np.zeros(flat.shape[0], bool)
    for _ in range(MOVES):
        interrupt()
        active = rows[~reproduces(current, quantized) & ~stuck]
        if active.size == 0:
            break
        offset = current[active] - quantized[active]
        pull = np.sign(offset) * (1e6 * np.maximum(np.abs(offset) - 0.5, 0.0) + np.maximum(np.abs(offset) - LIMIT, 0.0))
        rate = (pull @ along.reshape(along.shape[0], -1)).reshape(active.size, *along.shape[1:])  # (A, pixels, steps)
        moved = flat[active][:, :, None, :] + steps[None, None]  # (A, pixels, steps, C)
        rate[((moved < 0) | (moved > 255)).any(-1)] = np.inf
        order = np.argsort(rate.reshape(active.size, -1), 1)[:, :CANDIDATES]
        pixel, step = np.divmod(order, steps.shape[0])
        trial = np.repeat(flat[active][:, None], CANDIDATES, 1)  # (A, K, pixels, C)
        a_index, k_index = np.arange(active.size)[:, None], np.arange(CANDIDATES)[None]
        trial[a_index, k_index, pixel] += steps[step]
        repeated = select(code, torch.from_numpy(active).repeat_interleave(CANDIDATES))
        values = quotients(trial.reshape(-1, height, width, channels).astype(np.uint8), repeated)
        values = values.reshape(active.size, CANDIDATES, -1)
        scores = score(values, quantized[active, None])
        best = np.argmin(scores, 1)
        better = scores[np.arange(active.size), best] < score(current[active], quantized[active])
        stuck[active[~better]] = True
        chosen = active[better]
        flat[chosen] = trial[np.arange(active.size), best][better]
        current[chosen] = values[np.arange(active.size), best][better]


def greedy_rgb(
    pixels: np.ndarray, code: CodeTensors, rng: np.random.Generator, interrupt: Check = never
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy moves on MCUs, pixels (B, h, w, C) uint8 against ``code`` (B images of that size), with up to
    :data:`KICKS` random kicks (±1 on a tenth of the samples) out of a local minimum for at most
    :data:`KICKED_MCUS` stuck MCUs; ``interrupt`` is called before every move
    (:mod:`~explorer_app.verify.interrupt`). Returns (pixels, bool (B,) whether libjpeg reproduces each)."""
    count, height, width, channels = pixels.shape
    steps = STEPS if channels == 3 else np.array([[1], [2], [3], [-1], [-2], [-3]])
    jacobian = affine_map(select(code, torch.tensor([0])), channels)[0].reshape(-1, height * width, channels)
    along = np.einsum("mpc,sc->mps", jacobian, steps)  # (m, pixels, steps)
    flat = pixels.reshape(count, height * width, channels).astype(np.int32)
    quantized = targets(code)
    current = quotients(pixels, code)
    for kick in range(KICKS + 1):
        left = np.nonzero(~reproduces(current, quantized))[0]
        if left.size == 0 or (kick and left.size > KICKED_MCUS):
            break
        if kick:
            noise = rng.integers(-1, 2, flat[left].shape) * (rng.random(flat[left].shape[:2]) < 0.1)[..., None]
            flat[left] = np.clip(flat[left] + noise, 0, 255)
            current[left] = quotients(
                flat[left].reshape(-1, height, width, channels).astype(np.uint8), select(code, torch.from_numpy(left))
            )
        part_flat, part_current = flat[left], current[left]
        descend(
            part_flat,
            part_current,
            quantized[left],
            select(code, torch.from_numpy(left)),
            (height, width, channels),
            steps,
            along,
            interrupt,
        )
        flat[left], current[left] = part_flat, part_current
    return flat.reshape(pixels.shape).astype(np.uint8), reproduces(current, quantized)
