"""Tools that steer a statistic of the region: local variance, total variation, periodicity."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

import torch
import torch.nn.functional as F

from ..file_bounds import around_region, box_centre, lowest, luma_code, luma_energy
from ..outcome import Allowed, Outcome
from ..view import WindowView, luma, masked_mean
from .base import Objective, Tool
from .edits import PIXEL_SCALE


def window_counts(size: int, kernel: int, like: torch.Tensor) -> torch.Tensor:
    """(size,): how many of the ``kernel`` positions centred on each index lie inside [0, size)."""
    index, pad = torch.arange(size, device=like.device), kernel // 2
    return ((index + pad).clamp(max=size - 1) - (index - pad).clamp(min=0) + 1).to(like.dtype)


def box_mean(plane: torch.Tensor, kernel: int) -> torch.Tensor:
    """(N, C, h, w) → the same: the mean over each kernel×kernel neighbourhood, of the pixels inside the
    image (``avg_pool2d`` with ``count_include_pad=False``), summed column-wise then row-wise over strided
    views: half the time of the pool with its gradient (which a variance edit takes at every step)."""
    pad = kernel // 2
    sums = F.pad(plane, (pad, pad, pad, pad)).unfold(2, kernel, 1).sum(-1).unfold(3, kernel, 1).sum(-1)
    height, width = plane.shape[2:]
    return sums / (window_counts(height, kernel, sums)[:, None] * window_counts(width, kernel, sums))


def local_variance(image: torch.Tensor, kernel: int) -> torch.Tensor:
    """(N, C, h, w) → (N, 1, h, w) luma variance in a kernel×kernel neighbourhood (grey levels²)."""
    y = luma(image)
    mean = box_mean(y, kernel)
    return (box_mean(y * y, kernel) - mean * mean).clamp_min(0)


def around(mask: torch.Tensor, margin: int) -> tuple[slice, slice]:
    """Rows and columns of the bounding box of a (1, 1, h, w) mask, widened by ``margin`` inside it."""
    rows, cols = mask[0, 0].any(1).nonzero()[:, 0], mask[0, 0].any(0).nonzero()[:, 0]
    if rows.numel() == 0:
        return slice(0, 0), slice(0, 0)
    height, width = mask.shape[2:]
    return (
        slice(max(0, int(rows[0]) - margin), min(height, int(rows[-1]) + 1 + margin)),
        slice(max(0, int(cols[0]) - margin), min(width, int(cols[-1]) + 1 + margin)),
    )


@dataclass(frozen=True)
class Variance(Tool):
    """Local luma variance in the region towards ``factor`` × its current value (more or less detail),
    or towards ``target`` (grey levels²) when given: f = ((Var − c) / (c + 1))²."""

    factor: float = 2.0
    target: float | None = None
    kernel: int = 7

    def level(self, view: WindowView) -> Callable[[torch.Tensor], torch.Tensor]:
        """image (N, C, h, w) → (N,) mean local variance in the region (grey levels²)."""
        return self.level_on(view.region)

    def level_on(self, region: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """image (N, C, h, w) → (N,) mean local variance where ``region`` (1, 1, h, w) is 1. Only the
        region's bounding box and the kernel's reach around it are pooled: the same values at the region's
        pixels, and less than half the pooling of a 256-px region's window (a fifth of each Adam step before)."""
        rows, cols = around(region, self.kernel // 2)
        inside = region[:, :, rows, cols]
        return lambda image: masked_mean(local_variance(image[:, :, rows, cols], self.kernel), inside)

    def mean_square_on(self, region: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """plane (N, 1, h, w) → (N,) the region's mean of the kernel's mean of ``plane``: of a change's
        square, at least its :meth:`level_on` (a variance is at most the mean square); linear."""
        rows, cols = around(region, self.kernel // 2)
        inside = region[:, :, rows, cols]
        return lambda plane: masked_mean(box_mean(plane[:, :, rows, cols], self.kernel), inside)

    def goal(self, view: WindowView) -> float:
        if self.target is not None:
            return self.target
        return self.factor * float(self.level(view)(view.initial)[0])

    def objective(self, view: WindowView) -> Objective:
        goal, level = self.goal(view), self.level(view)
        return lambda image: ((level(image) - goal) / (goal + 1.0)) ** 2

    def summary(self) -> str:
        if self.target is not None:
            return f"Detail: local variance to {self.target:.0f}"
        return f"{'More' if self.factor >= 1 else 'Less'} detail: local variance ×{self.factor:.2f}"

    def highest(self, view: WindowView) -> float:
        """No image the file allows has more mean local variance in the region (grey levels²). Every
        pixel's local variance is a squared seminorm of the luma plane, so over the box (its centre c plus
        a change e), by Minkowski's inequality √level(c + e) ≤ √level(c) + √level(e), and level(e) ≤
        Σ_x w(x)·e(x)², the region's mean of the kernel's mean square, bounded in closed form by
        :func:`~explorer_app.engine.file_bounds.luma_energy`. A bound, not an image: the changes that
        reach it per block need not fit together, so at low quality it says the file hardly limits."""
        code, (rows, cols) = around_region(view.code, view.region, self.kernel // 2)
        region = view.region[:, :, rows, cols]
        plane = torch.zeros_like(region).requires_grad_(True)
        with torch.enable_grad():
            (weights,) = torch.autograd.grad(self.mean_square_on(region)(plane)[0], plane)
        centre = float(self.level_on(region)(box_centre(code))[0])
        return (centre**0.5 + luma_energy(code, weights) ** 0.5) ** 2

    def least(self, view: WindowView) -> float:
        """No image the file allows has less mean local variance in the region (grey levels²): the
        certified lower bound of :func:`~explorer_app.engine.file_bounds.lowest` (the level is convex)."""
        code, (rows, cols) = around_region(view.code, view.region, self.kernel // 2)
        return max(lowest(self.level_on(view.region[:, :, rows, cols]), luma_code(code)), 0.0)

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        """Asked, allowed and reached as ratios to the variance before the edit; allowed is an upper bound
        (:meth:`highest`) for more detail, a certified lower bound (:func:`lowest`) for less."""
        level = self.level(view)
        start = max(float(level(before)[0]), 1e-6)
        asked = self.factor if self.target is None else self.target / start
        grows = asked >= 1.0
        allowed = self.highest(view) if grows else self.least(view)
        return (
            Outcome(
                "Local variance",
                "×",
                float(level(after)[0]) / start,
                asked=asked,
                allowed=allowed / start,
                bound=Allowed.AT_MOST if grows else Allowed.AT_LEAST,
            ),
        )


def toward_none(
    name: str,
    measure: Callable[[torch.Tensor], torch.Tensor],
    least: float,
    before: torch.Tensor,
    after: torch.Tensor,
) -> Outcome:
    """The outcome of a tool that drives a statistic (grey levels; ``measure``: (1, C, h, w) → (1,)) towards
    none: asked 0, allowed no less than ``least``, reached on ``after``, started on ``before``."""
    return Outcome(
        name,
        "grey levels",
        float(measure(after)[0]),
        asked=0.0,
        allowed=least,
        before=float(measure(before)[0]),
        bound=Allowed.AT_LEAST,
    )


def total_variation(
    image: torch.Tensor, mask: torch.Tensor, distance: Callable[[torch.Tensor], torch.Tensor] = torch.abs
) -> torch.Tensor:
    """(N,) mean |horizontal| + |vertical| difference (grey levels) over pixel pairs inside ``mask``; with
    another ``distance`` of the differences (e.g. :func:`huber`), the mean of that."""
    dx = distance(image[:, :, :, 1:] - image[:, :, :, :-1])
    dy = distance(image[:, :, 1:] - image[:, :, :-1])
    mx = mask[:, :, :, 1:] * mask[:, :, :, :-1]
    my = mask[:, :, 1:] * mask[:, :, :-1]
    return masked_mean(dx, mx) + masked_mean(dy, my)


HUBER_WIDTH = 2.0
"""Grey levels below which :func:`huber` counts a difference d as d²/(2·width), not |d|: wide enough for
the bounds' descent to settle in about a hundred steps on a quality-12 file."""


def huber(difference: torch.Tensor) -> torch.Tensor:
    """|d| − width/2 above ``HUBER_WIDTH``, d²/(2·width) below, elementwise (grey levels): convex, smooth,
    and never above |d|, so a lower bound of a mean of it is one of the mean of |d|."""
    return F.huber_loss(difference, torch.zeros_like(difference), reduction="none", delta=HUBER_WIDTH) / HUBER_WIDTH


def huber_gap(difference: torch.Tensor) -> torch.Tensor:
    """min(d², width²) / (2·width), elementwise: how far above :func:`huber` at d the line p·d lies, p its
    slope there (|p| ≤ 1, so the line is below |d| everywhere): what a bound found on the Huber version
    of a mean of |d| gains for the mean itself (``gap`` of :func:`~explorer_app.engine.file_bounds.lowest`)."""
    return difference.square().clamp_max(HUBER_WIDTH**2) / (2 * HUBER_WIDTH)


@dataclass(frozen=True)
class TotalVariation(Tool):
    """Piece-wise smooth region: minimize its total variation, times ``weight``."""

    weight: float = 1.0

    def objective(self, view: WindowView) -> Objective:
        return lambda image: self.weight * total_variation(image, view.region) / PIXEL_SCALE

    def summary(self) -> str:
        return f"Smooth (total variation, weight {self.weight:.2f})"

    def least(self, view: WindowView) -> float:
        """No image the file allows has less total variation in the region (grey levels): the certified
        lower bound of :func:`~explorer_app.engine.file_bounds.lowest`, descending the Huber version of
        the variation (convex and differentiable, so the bound settles), lifted by :func:`huber_gap` to
        the variation's own."""
        code, (rows, cols) = around_region(view.code, view.region, 1)
        region = view.region[:, :, rows, cols]
        floor = lowest(
            lambda image: total_variation(image, region, huber),
            code,
            lambda image: total_variation(image, region, huber_gap),
        )
        return max(floor, 0.0)

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        """Asked: none left (0); allowed: :meth:`least`; reached, and where it started."""
        measure = lambda image: total_variation(image, view.region)  # noqa: E731
        return (toward_none("Total variation", measure, self.least(view), before, after),)


def shifted(image: torch.Tensor, offset: tuple[float, float]) -> torch.Tensor:
    """(N, C, h, w) sampled at p + offset, offset = (dy, dx) px, bilinear; edges replicated."""
    n, _, h, w = image.shape
    ys = torch.arange(h, dtype=image.dtype, device=image.device) + offset[0]
    xs = torch.arange(w, dtype=image.dtype, device=image.device) + offset[1]
    grid_y, grid_x = torch.meshgrid(ys / (h - 1) * 2 - 1, xs / (w - 1) * 2 - 1, indexing="ij")
    grid = torch.stack([grid_x, grid_y], -1)[None].expand(n, -1, -1, -1)
    return F.grid_sample(image, grid, mode="bilinear", padding_mode="border", align_corners=True)


@dataclass(frozen=True)
class Periodic(Tool):
    """Make the region repeat along one (1-D) or two (2-D) period vectors ``periods`` = ((dy, dx), …) px:
    minimize the mean |x(p) − x(p ± T)| over region pixels whose shifted partner is in the region too."""

    periods: tuple[tuple[float, float], ...] = ((0.0, 8.0),)

    def repetition(
        self, region: torch.Tensor, distance: Callable[[torch.Tensor], torch.Tensor] = torch.abs
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """image (N, C, h, w) → (N,) the mean ``distance`` of x(p) − x(p ± T) (grey levels) over the pixels
        p of ``region`` (1, 1, h, w) whose shifted partner is in it too, averaged over the offsets."""
        offsets = [(s * float(dy), s * float(dx)) for dy, dx in self.periods for s in (1, -1)]
        masks = [region * (shifted(region, o) > 0.99).to(region) for o in offsets]

        def level(image: torch.Tensor) -> torch.Tensor:
            differences = (
                masked_mean(distance(image - shifted(image, o)), m) for o, m in zip(offsets, masks, strict=True)
            )
            return reduce(operator.add, differences) / len(offsets)

        return level

    def objective(self, view: WindowView) -> Objective:
        level = self.repetition(view.region)
        return lambda image: level(image) / PIXEL_SCALE

    def summary(self) -> str:
        periods = ", ".join(f"({dy:.1f}, {dx:.1f})" for dy, dx in self.periods)
        return f"Periodicity: repeat every {periods} px (dy, dx)"

    def least(self, view: WindowView) -> float:
        """No image the file allows repeats better in the region (grey levels): the certified lower bound
        of :func:`~explorer_app.engine.file_bounds.lowest`, as for :meth:`TotalVariation.least` (the
        error is convex: the shift is linear)."""
        reach = math.ceil(max(max(abs(dy), abs(dx)) for dy, dx in self.periods)) + 1
        code, (rows, cols) = around_region(view.code, view.region, reach)
        region = view.region[:, :, rows, cols]
        shifts = 2 * len(self.periods)  # each a resampling of the image, with its gradient
        floor = lowest(self.repetition(region, huber), code, self.repetition(region, huber_gap), cost=shifts)
        return max(floor, 0.0)

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        """Asked: none left (0); allowed: :meth:`least`; reached, and where it started."""
        return (toward_none("Repetition error", self.repetition(view.region), self.least(view), before, after),)
