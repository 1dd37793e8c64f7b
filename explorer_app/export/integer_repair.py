"""The 8-bit repair in libjpeg's own integers, for the MCUs projections leave broken.

libjpeg's coefficients of an MCU are a function of three integer planes: Y at full resolution and Cb, Cr
after its downsampling. So the MCU is mended in two exact steps: integer blocks of each plane that its
islow DCT quantizes to the file's coefficients, near the MCU's current ones (:mod:`.block_solver`); then
8-bit RGB pixels that libjpeg converts to exactly that Y and downsamples to exactly that Cb and Cr
(:mod:`.pixel_synthesis`). Where a wanted triple lies outside libjpeg's gamut the nearest pixel is taken and
the two steps run again from the planes those pixels really give; MCUs still broken then take single RGB
moves judged by the exact pipeline (:mod:`.rgb_greedy`). The whole MCU is judged by the libjpeg emulation
and stored once it verifies. MCUs cut by the image's right or bottom edge (whose planes hold replicated
samples the integer steps would treat as free) take the RGB moves only.
"""

from __future__ import annotations

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..verify.encoders import LIBJPEG, code_tables
from ..verify.interrupt import Check, never
from ..verify.libjpeg.color import rgb_to_ycc
from ..verify.libjpeg.sampling import bias, downsample
from ..verify.proofs import Optima, Unreachable, mcu_proof
from ..verify.reference_encoder import file_quantized
from ..verify.tiles import Window, mcu_shape, pixel_window
from .block_solver import solve_blocks
from .pixel_synthesis import choose, mend_boxes
from .polish import POLISH_BATCH, select, verifies
from .rgb_greedy import greedy_rgb, quotients, targets
from .stored import batch_code

SEED = 0
"""The block solver's restarts draw their dither from this seed: an export is reproducible."""
ROUNDS = 8
"""Block solving and pixel synthesis alternate at most this many times per MCU, and stop after a round
that mends none: on a photo the first round mends nearly every MCU and a later one rarely adds any, while
on a damaged file every further round is spent in vain, so a small count bounds the waste."""
FAR_MISS = 0.25
"""Steps: an MCU the integer rounds leave missed by more than this is examined before any RGB move. A genuine
saturated block is missed by hundredths of a step and the search mends it; a damaged one (a flipped bit the
coefficient ranges do not rule out) by one or more, and every RGB move on it would be spent in vain: one
linear programme settles it first."""
EXAMINED_MCUS = 2
"""At most this many MCUs, the worst missed first, are examined by linear programming in one repair (a
programme costs far more than an RGB move): one proof beyond libjpeg's reach settles an attempt, and a
saturated MCU's proof (within it) does not stop the search, so more proofs would only cost time."""


def to_blocks(planes: np.ndarray) -> np.ndarray:
    """(B, 8·r, 8·c) → (B·r·c, 64), blocks in raster order within each MCU."""
    count, height, width = planes.shape
    return planes.reshape(count, height // 8, 8, width // 8, 8).transpose(0, 1, 3, 2, 4).reshape(-1, 64)


def from_blocks(blocks: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    count, height, width = shape
    return blocks.reshape(count, height // 8, width // 8, 8, 8).transpose(0, 1, 3, 2, 4).reshape(shape)


def quantized_blocks(code: CodeTensors) -> list[np.ndarray]:
    """The file's X_Q of a batch ``code`` as (B·r·c, 64) per component, in :func:`to_blocks` order."""
    maps = [file_quantized(code)[0]] + ([] if code.c_q is None else [code.c_q[:, :64], code.c_q[:, 64:]])
    return [m.permute(0, 2, 3, 1).reshape(-1, 64).numpy() for m in maps]


def synthesize(planes: list[np.ndarray], solved: list[np.ndarray], factor: tuple[int, int]) -> np.ndarray:
    """RGB (B, h, w, 3) uint8 whose libjpeg planes are as near as it finds to ``solved`` ([Y (B, h, w), Cb,
    Cr downsampled]), starting from pixels whose full-resolution planes are ``planes``."""
    count, height, width = planes[0].shape
    fy, fx = factor
    chroma = []
    for full, new in zip(planes[1:], solved[1:], strict=True):
        change = new - downsample(full, factor)
        chroma.append(full + change.repeat(fy, 1).repeat(fx, 2))
    wanted = np.stack([solved[0], *chroma], -1).reshape(-1, 3).astype(np.float64)
    pixels, ycc, _ = choose(wanted)
    shape = (count, height, width, 3)
    if factor == (1, 1):
        return pixels.reshape(shape)
    index = np.arange(count * height * width).reshape(count, height // fy, fy, width // fx, fx)
    boxes = index.transpose(0, 1, 3, 2, 4).reshape(-1, fy * fx)
    targets = np.stack([solved[1].reshape(-1), solved[2].reshape(-1)], -1)
    box_bias = np.broadcast_to(bias(factor, width // fx), (count, height // fy, width // fx)).reshape(-1)
    mend_boxes(pixels, ycc, wanted, boxes, targets, box_bias)
    return pixels.reshape(shape)


def mend_once(pixels: np.ndarray, code: CodeTensors, rng: np.random.Generator, interrupt: Check = never) -> np.ndarray:
    """One round of both steps on whole MCUs: pixels (B, h, w, C) uint8 against ``code`` (B images of that
    size) → new pixels, the nearest to the solved planes that libjpeg can make."""
    colour = code.c_q is not None
    planes = rgb_to_ycc(pixels) if colour else [pixels[..., 0].astype(np.int32)]
    reduced = planes[:1] + [downsample(p, code.chroma_factor) for p in planes[1:]]
    solved = [
        from_blocks(solve_blocks(to_blocks(plane), quantized, table.reshape(64), rng, interrupt)[0], plane.shape)
        for plane, quantized, table in zip(reduced, quantized_blocks(code), code_tables(code), strict=True)
    ]
    if not colour:
        return solved[0][..., None].astype(np.uint8)
    interrupt()
    return synthesize(planes, solved, code.chroma_factor)


def reproduced(pixels: np.ndarray, code: CodeTensors) -> np.ndarray:
    """Bool (B,): whether libjpeg gives each of the pixels (B, h, w, C) uint8 the coefficients of ``code``."""
    candidate = torch.from_numpy(pixels.astype(np.float64)).permute(0, 3, 1, 2)
    return verifies(LIBJPEG.normalized(candidate, code), file_quantized(code), 0.0).numpy()


def mend_batch(
    pixels: np.ndarray, code: CodeTensors, rng: np.random.Generator, rounds: int, interrupt: Check = never
) -> tuple[np.ndarray, np.ndarray]:
    """Mend a batch of whole MCUs, pixels (B, h, w, C) uint8, against ``code`` (B images of that size), in
    up to ``rounds`` rounds of both integer steps. Returns (pixels, bool (B,) whether libjpeg reproduces
    each)."""
    pixels = pixels.copy()
    done = np.zeros(pixels.shape[0], bool)
    for _ in range(rounds):
        todo = np.nonzero(~done)[0]
        if todo.size == 0:
            break
        part = select(code, torch.from_numpy(~done))
        mended = mend_once(pixels[todo], part, rng, interrupt)
        ok = reproduced(mended, part)
        pixels[todo] = mended
        done[todo[ok]] = True
        if not ok.any():  # a round that mends none: the rest stall too (photos and mutants alike)
            break
    return pixels, done


def missed_by(pixels: np.ndarray, code: CodeTensors) -> np.ndarray:
    """(B,) how far (steps) libjpeg's worst quotient of each of pixels (B, h, w, C) uint8 lies outside its
    box (≤ 0: inside every box)."""
    return (np.abs(quotients(pixels, code) - targets(code)) - 0.5).max(-1)


def examine_far(
    pixels: np.ndarray,
    ok: np.ndarray,
    code: CodeTensors,
    count: int,
    channels: int,
    optima: Optima,
    interrupt: Check = never,
) -> tuple[dict[int, Unreachable], int]:
    """Linear programming on the (at most ``count``) worst-missed MCUs of a batch, pixels (B, h, w, C)
    uint8 against ``code`` (B images), not reproduced (``ok`` False) and missed by more than
    :data:`FAR_MISS`. Returns (index in the batch → proof, for those out of the reference encoder's reach;
    how many were examined). Optima are remembered in ``optima``."""
    missed = missed_by(pixels, code)
    far = [int(i) for i in np.argsort(-missed, kind="stable") if not ok[i] and missed[i] > FAR_MISS][:count]
    proofs = {}
    for index in far:
        proofs[index] = mcu_proof(select(code, torch.tensor([index])), channels, optima, interrupt)
    return {index: proof for index, proof in proofs.items() if proof is not None}, len(far)


def integer_repair(
    samples: np.ndarray,
    broken: np.ndarray,
    code: CodeTensors,
    optima: Optima,
    trial: bool = False,
    interrupt: Check = never,
) -> dict[tuple[int, int], Unreachable]:
    """Mend every MCU marked in ``broken`` (bool (MCU rows, cols)) of 8-bit ``samples`` (H, W, C): whole
    MCUs with both integer steps, then RGB moves for those still missed, MCUs cut by the image's edge with
    RGB moves only; store those libjpeg then reproduces and unmark them.

    A whole MCU still missed by more than :data:`FAR_MISS` after the integer rounds is examined by linear
    programming (at most :data:`EXAMINED_MCUS` in all, optima remembered in ``optima``): when no 8-bit
    image reaches it under libjpeg it takes no more rounds and no moves. Returns the proofs found, (MCU row,
    col) → proof (out of the reference encoder's reach, some beyond libjpeg's too); with ``trial``, at the
    first beyond libjpeg's.
    ``interrupt`` is called between every two bounded pieces of work (:mod:`~explorer_app.verify.interrupt`).
    """
    mcu_h, mcu_w = mcu_shape(code)
    by_size: dict[tuple[int, int], list[Window]] = {}
    for row, col in np.argwhere(broken):
        top, left, bottom, right = pixel_window((row, col, row + 1, col + 1), code)
        by_size.setdefault((bottom - top, right - left), []).append((top, left, bottom, right))
    rng = np.random.default_rng(SEED)
    proved: dict[tuple[int, int], Unreachable] = {}
    examined = 0
    for size, windows in by_size.items():
        for start in range(0, len(windows), POLISH_BATCH):
            interrupt()
            batch = windows[start : start + POLISH_BATCH]
            pixels = np.stack([samples[top:bottom, left:right] for top, left, bottom, right in batch])
            part = batch_code(code, batch)
            if size == (mcu_h, mcu_w):
                mended, ok = mend_batch(pixels, part, rng, ROUNDS, interrupt)
                left = EXAMINED_MCUS - examined
                hopeless, count = examine_far(mended, ok, part, left, samples.shape[2], optima, interrupt)
                examined += count
            else:
                mended, ok, hopeless = pixels.copy(), np.zeros(len(batch), dtype=bool), {}
            for index, proof in hopeless.items():
                top, left = batch[index][:2]
                proved[top // mcu_h, left // mcu_w] = proof
            if trial and any(proof.beyond_libjpeg for proof in hopeless.values()):
                return proved
            beyond = np.zeros_like(ok)
            beyond[[index for index, proof in hopeless.items() if proof.beyond_libjpeg]] = True
            kick = np.nonzero(~ok & ~beyond)[0]
            if kick.size:
                mended[kick], ok[kick] = greedy_rgb(mended[kick], select(part, torch.from_numpy(kick)), rng, interrupt)
            for (top, left, bottom, right), block, good in zip(batch, mended, ok, strict=True):
                if good:
                    samples[top:bottom, left:right] = block
                    broken[top // mcu_h, left // mcu_w] = False
    return proved
