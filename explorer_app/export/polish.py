"""Projected gradient descent on the MCUs the projections left broken, each MCU an image of its own.

An MCU's coefficients depend on its own pixels only, so the broken MCUs are optimized side by side, in a
pool of MCUs of one size (those on the right and bottom edges can be partial): their pixels stay in
[0, 255] while the squared excess of every coefficient over its box (shrunk by a margin) is driven to zero.
The gradient is the reference encoder's (it is affine); for another target encoder the loss adds the
target's offset from it, measured at the last rounding. Every few steps (:class:`Schedule`) the pixels are
rounded to the storage grid and judged by the target encoder exactly; an MCU that verifies keeps that
rounding and leaves the pool, one that never does leaves at its last step with the rounding that came
nearest (the smallest worst excess), and MCUs still waiting take the places they free (so a few slow MCUs
never hold up the rest).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from ..decoder.code_tensors import CodeTensors
from ..verify.encoders import REFERENCE, Encoder
from ..verify.interrupt import Check, never
from ..verify.png_io import from_samples, quantize_to_depth, to_samples
from ..verify.reachability import affine_map
from ..verify.reference_encoder import encode_normalized, file_quantized
from ..verify.tiles import Window, mcu_shape, pixel_window
from .stored import batch_code, guard_for, outside

POLISH_BATCH = 1024
"""MCUs optimized together (float64 temporaries of tens of MiB). A constant, not derived from the strip size,
so that the pool, and with it the float rounding of every step, does not depend on the tiling."""
EPSILON = 1e-8


@dataclass(frozen=True)
class Schedule:
    """How an MCU is polished: at most ``steps`` Adam steps of ``learning_rate`` (grey levels) with moment
    decays ``betas``, rounded and judged every ``check_every`` steps."""

    steps: int
    check_every: int
    learning_rate: float
    betas: tuple[float, float]


SCHEDULES = {16: Schedule(400, 2, 0.5, (0.5, 0.9)), 8: Schedule(400, 20, 0.05, (0.9, 0.999))}
"""Per bit depth. At 16 bits what rounding breaks is clipping (pixels the decoder put beyond [0, 255]), and
nearly every such MCU verifies after a step or two: on a 12-MP photo (5,531 whole MCUs, shipped explorable
and faithful lite decoders) half of them after 1-4 steps, 90 % after 6-8, all after 62-67 with these
settings, against 1-3, 8-23 and 158-394 with Adam's usual decays and a step of 0.2; so they are judged
every other step (a judgement, a float64 encode, costs about what a step does). At 8 bits a judgement runs
libjpeg's pipeline and pixels move by whole levels, so steps are small and judgements rare."""


def select(code: CodeTensors, keep: torch.Tensor) -> CodeTensors:
    """The images of a batch ``code`` that ``keep`` picks (bool (N,), or indices, repeats allowed)."""
    return replace(code, y_q=code.y_q[keep], c_q=None if code.c_q is None else code.c_q[keep])


def joined(first: CodeTensors | None, second: CodeTensors) -> CodeTensors:
    """Two batches of images of one size as one (``first`` None: ``second``)."""
    if first is None:
        return second
    c_q = None if first.c_q is None else torch.cat([first.c_q, second.chroma()[0]])
    return replace(first, y_q=torch.cat([first.y_q, second.y_q]), c_q=c_q)


def verifies(normalized: list[torch.Tensor], quantized: list[torch.Tensor], guard: float) -> torch.Tensor:
    """Bool (N,): whether no coefficient of each image lies :func:`~.stored.outside` its box."""
    result = torch.ones(normalized[0].shape[0], dtype=torch.bool)
    for n, q in zip(normalized, quantized, strict=True):
        result &= ~outside(n, q, guard).flatten(1).any(1)
    return result


def _rounded(pixels: torch.Tensor, bit_depth: int) -> torch.Tensor:
    return torch.from_numpy(quantize_to_depth(pixels.numpy(), bit_depth))


class Pool:
    """The MCUs being polished, one row each: ``indices`` into the list of windows, ``pixels`` (n, h, w, C)
    float64, ``code`` (their coefficients), Adam's moments and step counts, and the best rounding judged so
    far (``best``) with its worst excess (steps beyond the box edge; negative inside), which an MCU that
    never verifies leaves with. Rows join (at step 0) and leave between steps."""

    FIELDS = ("indices", "pixels", "first", "second", "steps", "best", "best_excess")

    def __init__(self) -> None:
        self.indices = torch.zeros(0, dtype=torch.int64)
        self.steps = torch.zeros(0, dtype=torch.int64)
        self.best_excess = torch.zeros(0, dtype=torch.float64)
        self.pixels = self.first = self.second = self.best = torch.zeros(0)
        self.code: CodeTensors | None = None

    def __len__(self) -> int:
        return self.indices.numel()

    def join(self, indices: torch.Tensor, pixels: torch.Tensor, code: CodeTensors) -> None:
        count = indices.numel()
        fresh = {
            "indices": indices,
            "pixels": pixels,
            "first": torch.zeros_like(pixels),
            "second": torch.zeros_like(pixels),
            "steps": torch.zeros(count, dtype=torch.int64),
            "best": pixels.clone(),
            "best_excess": torch.full((count,), float("inf"), dtype=torch.float64),
        }
        for name in self.FIELDS:
            setattr(self, name, fresh[name] if not len(self) else torch.cat([getattr(self, name), fresh[name]]))
        self.code = joined(self.code, code)

    def keep(self, rows: torch.Tensor) -> None:
        for name in self.FIELDS:
            setattr(self, name, getattr(self, name)[rows])
        if self.code is not None:
            self.code = select(self.code, rows)

    def remember(self, candidate: torch.Tensor, excess: torch.Tensor) -> None:
        """Keep the rows of ``candidate`` whose worst ``excess`` (n,) is the smallest so far."""
        better = excess < self.best_excess
        self.best[better], self.best_excess[better] = candidate[better], excess[better]

    def step(self, gradient: torch.Tensor, schedule: Schedule) -> None:
        """One Adam step of every row (Adam written out: torch.optim's first use imports the compiler stack,
        3 s per process), then back into [0, 255]."""
        (beta1, beta2), steps = schedule.betas, self.steps.add_(1).to(self.pixels.dtype)
        self.first.mul_(beta1).add_(gradient, alpha=1 - beta1)
        self.second.mul_(beta2).addcmul_(gradient, gradient, value=1 - beta2)
        shape = (-1,) + (1,) * (self.pixels.dim() - 1)
        first = self.first / (1 - beta1**steps).view(shape)
        second = self.second / (1 - beta2**steps).view(shape)
        self.pixels.sub_(schedule.learning_rate * first / (second.sqrt() + EPSILON)).clamp_(0.0, 255.0)


def offsets(
    candidate: torch.Tensor, code: CodeTensors, encoder: Encoder
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The target encoder's normalized coefficients of ``candidate`` and their offset from the reference
    encoder's (zero for the reference encoder itself)."""
    exact = encoder.normalized(candidate, code)
    if encoder is REFERENCE:
        return exact, [torch.zeros_like(n) for n in exact]
    return exact, [e - r for e, r in zip(exact, encode_normalized(candidate, code), strict=True)]


def window_stack(samples: np.ndarray, windows: list[Window], bit_depth: int) -> torch.Tensor:
    """The pixels of pixel windows of one size of ``samples`` (H, W, C) as float64 (N, h, w, C)."""
    stacked = np.stack([samples[top:bottom, left:right] for top, left, bottom, right in windows])
    return torch.from_numpy(from_samples(stacked, bit_depth))


def flat_coefficients(maps: list[torch.Tensor]) -> torch.Tensor:
    """[Y, CbCr] coefficient maps (N, ·, ·, ·) as (N, m), in :func:`~explorer_app.verify.reachability.affine_map`
    order."""
    return torch.cat([m.flatten(1) for m in maps], 1)


class ExcessGradient:
    """The gradient of Σ relu(|A p + b + offset − X_Q| − limit)² over the pixels p of MCUs of one size, with
    (A, b) the reference encoder's affine map on such an MCU (the same for all of them: the file's tables),
    in float32: two matrix products per step, whatever the batch, where autograd through the encoder
    launched some fifty operators (5 ms a step for a handful of MCUs). The judgement stays exact."""

    def __init__(self, code: CodeTensors, window: Window, channels: int, limit: float) -> None:
        matrix, offset = affine_map(code.crop(*window), channels)
        self.matrix = torch.from_numpy(matrix).float()
        self.offset = torch.from_numpy(offset).float()
        self.limit = limit

    def __call__(self, pixels: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
        """pixels (N, h, w, C) float64; shift (N, m): offset − X_Q per image. Returns (N, h, w, C) float64."""
        flat = pixels.reshape(pixels.shape[0], -1).float()
        residual = torch.addmm(self.offset + shift, flat, self.matrix.T)
        excess = torch.relu(residual.abs() - self.limit).mul_(residual.sign()).mul_(2.0)
        return (excess @ self.matrix).reshape(pixels.shape).double()


def worst_excess(normalized: list[torch.Tensor], quantized: list[torch.Tensor]) -> torch.Tensor:
    """(N,): the largest |normalized − X_Q| − ½ over each image's coefficients (steps beyond the box edge)."""
    return torch.stack(
        [((n - q).abs() - 0.5).flatten(1).amax(1) for n, q in zip(normalized, quantized, strict=True)]
    ).amax(0)


def polish_windows(
    samples: np.ndarray,
    windows: list[Window],
    code: CodeTensors,
    margin: float,
    bit_depth: int,
    encoder: Encoder,
    steps: int | None = None,
    interrupt: Check = never,
) -> np.ndarray:
    """Polish the MCUs at pixel ``windows`` (all of one size) of ``samples`` (H, W, C) against ``code``
    (float64, N = 1) for ``encoder``, at most :data:`POLISH_BATCH` at a time, and store each when it leaves
    the pool; ``steps``: at most this many steps instead of the schedule's. Returns bool (len(windows),):
    whether each verifies. ``interrupt``: called before every judgement and step
    (:mod:`~explorer_app.verify.interrupt`)."""
    schedule, guard = SCHEDULES[bit_depth], guard_for(encoder, margin)
    if steps is not None:
        schedule = replace(schedule, steps=min(steps, schedule.steps))
    gradient = ExcessGradient(code, windows[0], samples.shape[2], 0.5 - margin)
    result = np.zeros(len(windows), dtype=bool)
    pool, waiting = Pool(), 0
    while waiting < len(windows) or len(pool):
        interrupt()
        joining = windows[waiting : waiting + POLISH_BATCH - len(pool)]
        if joining:
            pool.join(
                torch.arange(waiting, waiting + len(joining)),
                window_stack(samples, joining, bit_depth),
                batch_code(code, joining),
            )
            waiting += len(joining)
        assert pool.code is not None  # joined above: the pool is not empty
        candidate = _rounded(pool.pixels, bit_depth)
        exact, offset = offsets(candidate.permute(0, 3, 1, 2), pool.code, encoder)
        quantized = file_quantized(pool.code)
        verified = verifies(exact, quantized, guard)
        pool.remember(candidate, worst_excess(exact, quantized))
        leaving = verified | (pool.steps >= schedule.steps)
        for row in torch.nonzero(leaving)[:, 0].tolist():
            index = int(pool.indices[row])
            top, left, bottom, right = windows[index]
            kept = candidate[row] if verified[row] else pool.best[row]
            samples[top:bottom, left:right] = to_samples(kept.numpy(), bit_depth)
            result[index] = bool(verified[row])
        shift = (flat_coefficients(offset) - flat_coefficients(quantized))[~leaving].float()
        pool.keep(~leaving)
        for _ in range(schedule.check_every if len(pool) else 0):
            interrupt()
            pool.step(gradient(pool.pixels, shift), schedule)
    return result


def polish(
    samples: np.ndarray,
    broken: np.ndarray,
    code: CodeTensors,
    margin: float,
    bit_depth: int,
    encoder: Encoder,
    steps: int | None = None,
    interrupt: Check = never,
) -> None:
    """Polish every MCU marked in ``broken`` (bool (MCU rows, cols)) of ``samples`` (H, W, C) with the box
    shrunk by ``margin`` (in at most ``steps`` steps, if given); store them again and mark in ``broken``
    those that still do not verify."""
    mcu_h, mcu_w = mcu_shape(code)
    by_size: dict[tuple[int, int], list[Window]] = {}
    for row, col in np.argwhere(broken):
        top, left, bottom, right = pixel_window((row, col, row + 1, col + 1), code)
        by_size.setdefault((bottom - top, right - left), []).append((top, left, bottom, right))
    for windows in by_size.values():
        verified = polish_windows(samples, windows, code, margin, bit_depth, encoder, steps, interrupt)
        for (top, left, _, _), ok in zip(windows, verified, strict=True):
            broken[top // mcu_h, left // mcu_w] = not ok
