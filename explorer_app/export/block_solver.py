"""Integer 8×8 blocks that libjpeg's islow DCT quantizes to given coefficients, near given blocks.

libjpeg codes each component plane (Y, and Cb, Cr after its downsampling) as integer samples, block by
block; so for an 8-bit export the search can run in those integers, per block, with the exact integer DCT
as the judge (:mod:`~explorer_app.verify.libjpeg`). For K blocks side by side:

1. Snap: move every coefficient's quotient into its box, a margin inside (half a step where steps are fine:
   the rounding of the samples moves an orthonormal coefficient by ~0.3, which only a box centre tolerates
   for a step of 1), through the orthonormal inverse DCT (the islow DCT is 8× the orthonormal one up to its
   rounding), and round the samples to integers in [0, 255]; again from there while clipping at 0 or 255
   pushes coefficients out (alternating projections, in integers).
2. Greedy moves: while a block still misses, try changing by ±1 each of the few samples along which the
   squared excess of its quotients over their boxes falls fastest (the DCT basis over the step), and keep
   the move the exact DCT finds best, if it lowers the excess.
3. Restarts from the snapped block with random dither in the rounding, for blocks stuck in step 2; for
   blocks with samples clipped at 0 or 255, which alternating projections approach too slowly, half of them
   from the block a linear programme finds (the nearest in L1 with every coefficient a margin inside its
   box and the samples in [0, 255]).

Blocks are (K, 64) int samples in row-major order; quantized (K, 64) the file's X_Q; table (64,) M.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from ..ops.dct import dct_matrix
from ..ops.quantization import box_excess, round_half_away_array
from ..verify.interrupt import Check, never
from ..verify.libjpeg.fdct import forward_dct
from ..verify.libjpeg.quantize import quotient

SNAP_NOISE = 0.6
"""Distance (orthonormal units, about twice the rounding noise) a snapped coefficient keeps from its box's
edge, where its box allows (at most its centre)."""
SNAPS = 6
GREEDY_MOVES = 48
CANDIDATES = 6
RESTARTS = 12
LINEAR_STARTS = 64
"""At most this many blocks per call get a start from the linear programme (10-20 ms each): those with a
sample clipped at 0 or 255, for which it is meant."""


def basis() -> np.ndarray:
    """(64, 64) orthonormal 2-D DCT: coefficient k (row-major (v, u)) of sample j (row-major (y, x))."""
    matrix = dct_matrix(8).numpy()
    return np.kron(matrix, matrix)


def quotients(blocks: np.ndarray, table: np.ndarray) -> np.ndarray:
    """libjpeg's quotients (K, 64) of integer blocks (K, 64)."""
    return quotient(forward_dct(blocks.reshape(-1, 8, 8)), table.reshape(8, 8)).reshape(-1, 64)


def misses(quotient_values: np.ndarray, quantized: np.ndarray) -> np.ndarray:
    """Bool (K,): whether some quotient rounds (half away from zero) to another value than X_Q."""
    return (round_half_away_array(quotient_values) != quantized).any(1)


def snap(blocks: np.ndarray, quantized: np.ndarray, table: np.ndarray, dither: np.ndarray | None) -> np.ndarray:
    """Step 1: blocks (K, 64) moved so each coefficient lies inside its box, rounded (with ``dither``)."""
    current = quotients(blocks, table)
    margin = np.minimum(0.5, SNAP_NOISE / table)
    target = np.clip(current, quantized - 0.5 + margin, quantized + 0.5 - margin)
    moved = blocks + (target - current) * table @ basis()
    if dither is not None:
        moved = moved + dither
    return np.clip(np.rint(moved), 0, 255).astype(np.int32)


def greedy(blocks: np.ndarray, quantized: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Step 2 on blocks (K, 64): the few single-sample moves the excess's gradient ranks first are judged by
    the exact DCT, and the best that lowers the excess is kept; returns the improved blocks."""
    steps = basis() / table[:, None]  # (64 k, 64 j): quotient change per unit of sample j
    blocks = blocks.copy()
    rows = np.arange(blocks.shape[0])
    for _ in range(GREEDY_MOVES):
        current = quotients(blocks, table)
        active = rows[misses(current, quantized)]
        if active.size == 0:
            break
        offset = current[active] - quantized[active]
        gradient = (np.sign(offset) * np.maximum(np.abs(offset) - 0.5, 0.0)) @ steps  # (A, 64 j)
        direction = np.where(gradient > 0, -1, 1)
        blocked = ((direction > 0) & (blocks[active] >= 255)) | ((direction < 0) & (blocks[active] <= 0))
        order = np.argsort(np.where(blocked, 0.0, -np.abs(gradient)), 1)[:, :CANDIDATES]  # (A, C)
        candidates = np.repeat(blocks[active][:, None], CANDIDATES, 1)  # (A, C, 64)
        np.add.at(
            candidates,
            (np.arange(active.size)[:, None], np.arange(CANDIDATES)[None], order),
            np.take_along_axis(direction, order, 1),
        )
        scores = box_excess(
            quotients(candidates.reshape(-1, 64), table).reshape(active.size, CANDIDATES, 64),
            quantized[active, None],
            0.35,
        )
        best = np.argmin(scores, 1)
        better = scores[np.arange(active.size), best] < box_excess(offset + quantized[active], quantized[active], 0.35)
        if not better.any():
            break
        blocks[active[better]] = candidates[np.arange(active.size), best][better]
    return blocks


def inside_start(block: np.ndarray, quantized: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Real samples (64,) in [0, 255] nearest to ``block`` (L1) whose orthonormal DCT lies inside the boxes,
    a margin inside (the snap's, halved until feasible); ``block`` itself when none is found."""
    identity = sparse.identity(64, format="csr")
    forward = sparse.csr_matrix(basis() / table[:, None])  # quotients of samples − 128
    rows = sparse.vstack(
        [
            sparse.hstack([forward, 0 * identity]),
            sparse.hstack([-forward, 0 * identity]),
            sparse.hstack([identity, -identity]),
            sparse.hstack([-identity, -identity]),
        ]
    )
    centre = forward @ np.full(64, 128.0)
    margin = np.minimum(0.5, SNAP_NOISE / table)
    for shrink in (1.0, 0.5, 0.25, 0.0):
        limit = 0.5 - shrink * margin * 0.99
        bounds = np.r_[quantized + limit + centre, limit - quantized - centre, block, -block]
        result = linprog(
            np.r_[np.zeros(64), np.ones(64)],
            A_ub=rows,
            b_ub=bounds,
            bounds=[(0.0, 255.0)] * 64 + [(0.0, None)] * 64,
            method="highs",
        )
        if result.status == 0:
            return result.x[:64]
    return block.astype(np.float64)


def solve_blocks(
    blocks: np.ndarray,
    quantized: np.ndarray,
    table: np.ndarray,
    rng: np.random.Generator,
    interrupt: Check = never,
) -> tuple[np.ndarray, np.ndarray]:
    """Integer blocks (K, 64) in [0, 255] near ``blocks`` that libjpeg quantizes to ``quantized``, where
    found: returns (blocks, bool (K,) found). Blocks that already reproduce are kept as they are. ``interrupt``:
    called before every restart and linear programme (:mod:`~explorer_app.verify.interrupt`)."""
    table = table.astype(np.float64)
    result = blocks.astype(np.int32).copy()
    starts = blocks.astype(np.float64)
    todo = np.nonzero(misses(quotients(result, table), quantized))[0]
    for attempt in range(RESTARTS + 1):
        if todo.size == 0:
            break
        interrupt()
        if attempt == RESTARTS // 2:
            for k in todo[((starts[todo] <= 0) | (starts[todo] >= 255)).any(1)][:LINEAR_STARTS]:
                interrupt()
                starts[k] = inside_start(starts[k], quantized[k], table)
        dither = None if attempt in (0, RESTARTS // 2) else rng.uniform(-0.5, 0.5, (todo.size, 64))
        tried = snap(starts[todo], quantized[todo], table, dither)
        for _ in range(SNAPS - 1):
            left = misses(quotients(tried, table), quantized[todo])
            if not left.any():
                break
            tried[left] = snap(tried[left].astype(np.float64), quantized[todo][left], table, None)
        left = misses(quotients(tried, table), quantized[todo])
        tried[left] = greedy(tried[left], quantized[todo][left], table)
        solved = ~misses(quotients(tried, table), quantized[todo])
        result[todo[solved]] = tried[solved]
        todo = todo[~solved]
    found = np.ones(blocks.shape[0], bool)
    found[todo] = False
    return result, found
