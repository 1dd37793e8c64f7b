"""Optimization of z for a tool, as a generator: Adam on the region's crop plus a halo, cancellable.

z moves only inside the region's blocks dilated by ``Budget.dilation``; pixels of the window outside the
region are held to their unedited values by an L1 term. The network runs on the MCU-aligned crop of
those blocks plus ``Budget.halo`` blocks of context, not on the whole image. The committed result is
recomputed exactly by the session (see :func:`~explorer_app.engine.state.exact_patch`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from ..decoder.code_tensors import CodeTensors
from ..decoder.correction import Correction
from ..decoder.fixed_code import FixedCodeDecoder
from ..decoder.model import JpegDecoder
from .block_window import BlockWindow, block_tensor, chroma_blocks_of, crop_code, window_of_mask
from .file_projection import deltas_toward
from .regions import Region
from .state import crop_correction
from .stepper import AdamStepper
from .tools.base import Tool, describe
from .view import WindowView

HOLD_SCALE = 8.0
"""The hold costs (total absolute change outside the region) / (region pixels × channels × HOLD_SCALE),
times ``Budget.hold_weight``: changing as many pixels outside as inside by 8 grey levels costs 1,
whatever the window's size."""


@dataclass(frozen=True)
class Budget:
    """How an edit is optimized.

    steps: most Adam steps; lr: Adam step size on z (z is ~N(0, 1)), reached linearly over the first
    ``warmup`` steps (the L1 hold has no gradient at the start, so a full first step overshoots);
    hold_weight: weight of the L1 hold outside the region; dilation: blocks around the region where z may
    change; halo: blocks of context computed around those, None for the decoder's whole theoretical reach (35
    blocks for the full decoder, 19 for lite). The default, 8 blocks (64 px), comes from
    ``benchmarks/halo_reach.py`` with the shipped decoders: committed changes of 1 grey level stop 11–33 px from
    the region, pixels beyond an 8-block window moved ≤ 0.04 grey levels, the objective matched full reach
    within 1 %, the live preview matched the committed image within 0.5, and edits ran several times faster on a
    CPU (benchmarks/results/halo_reach_*.json). patience/tolerance: stop when the best total loss has not
    improved by a relative ``tolerance`` for ``patience`` steps (patience 0: always use every step); graph: on a
    GPU, capture the step once and replay it (see :mod:`~explorer_app.engine.stepper`); False launches every
    step from Python, for comparisons; gpu_bfloat16: on a GPU, run the networks' convolutions in bfloat16 while
    optimizing (more steps/s: benchmarks/results/decoder_speed_h200.json); the committed result is always
    recomputed in float32, so only the live preview carries the difference.
    """

    steps: int = 50
    lr: float = 0.05
    warmup: int = 5
    hold_weight: float = 0.5
    dilation: int = 1
    halo: int | None = 8
    patience: int = 10
    tolerance: float = 1e-3
    graph: bool = True
    gpu_bfloat16: bool = True


DEFAULT_BUDGET = Budget()


@dataclass(frozen=True)
class Progress:
    """One step: step (1-based), loss (N,) total loss per candidate at this step, best (N,) best so far;
    preview (N, C, h, w) the window images at this step; origin (y, x) of the window in the image."""

    step: int
    loss: torch.Tensor
    best: torch.Tensor
    preview: torch.Tensor
    origin: tuple[int, int]


@dataclass
class EditResult:
    """The best z found per candidate, over ``window`` (z (N, 64, hb, wb)), ready to commit.

    editable: the MCU-aligned window of blocks where z may differ from the session's; movable: bool
    (1, 1, hb, wb), the blocks of ``window`` the edit moved z in (only those are taken on commit);
    preview: (N, C, h, w) the window images of the best z; loss: (N,) their total losses;
    record: JSON-able description (tool, region, steps, stop reason); correction: for an exact edit,
    the candidates' logit corrections over ``window`` (N images), else None (the session's stay).
    """

    window: BlockWindow
    editable: BlockWindow
    movable: torch.Tensor
    z: torch.Tensor
    preview: torch.Tensor
    loss: torch.Tensor
    record: dict[str, object] = field(default_factory=dict)
    correction: Correction | None = None

    @property
    def count(self) -> int:
        """How many candidates (N)."""
        return self.z.shape[0]


class Edit:
    """One tool applied to one region: iterate :meth:`run`, call :meth:`cancel` from any thread to stop
    before the next step; :attr:`result` holds the best z so far (after at least one step)."""

    def __init__(
        self,
        decoder: JpegDecoder,
        code: CodeTensors,
        z: torch.Tensor,
        image: torch.Tensor,
        tool: Tool,
        region: Region,
        budget: Budget | None = None,
        correction: Correction | None = None,
    ) -> None:
        """``z`` (1, 64, by, bx) and ``correction`` (whole image; None: none) are the session's state,
        ``image`` (1, C, H, W) its exact image."""
        budget = budget or DEFAULT_BUDGET
        self.decoder, self.tool, self.region, self.budget = decoder, tool, region, budget
        editable_blocks = region.block_mask(budget.dilation)
        self.editable = window_of_mask(editable_blocks, code.chroma_factor)
        halo = decoder.receptive_radius_blocks if budget.halo is None else budget.halo
        self.window = self.editable.grown(halo)
        self.code = crop_code(code, self.window)
        rows, cols = self.window.blocks
        self.z0 = z[:, :, rows, cols].clone()
        self.movable = block_tensor(editable_blocks, self.window, z)
        self.network = FixedCodeDecoder(decoder, self.code)
        """The decoder on the window's coefficients, which every step reads (see its module)."""
        window_fix = None if correction is None else crop_correction(correction, self.window)
        self.fix0 = window_fix if window_fix is not None and window_fix.any() else None
        """The session's corrections over the window (None when there are none there): held by z edits."""
        with torch.no_grad():
            start = self.network(self.z0, correction=self.fix0)
            initial = start.image
            prior_sigma = decoder.sample_control(self.code, torch.ones_like(self.z0))
        self.start_deltas = (start.delta_y, start.delta_c)
        """The window's Δ maps before the edit ((1, 64, hb, wb), (1, 128, ·, ·) or None)."""
        region_mask = torch.from_numpy(region.mask).to(image.device)[None, None]
        px_rows, px_cols = self.window.pixels(code.height, code.width)
        self.view = WindowView(
            self.window, self.code, region_mask[:, :, px_rows, px_cols].to(image.dtype), initial, image, prior_sigma
        )
        self._outside = 1.0 - self.view.region
        self._hold_norm = float(self.view.region.sum()) * self.view.initial.shape[1] * HOLD_SCALE
        """What :meth:`_hold` divides by, read once (a step must not read the device back)."""
        self.before = image[:, :, px_rows, px_cols].clone()
        """(1, C, h, w) the window of the session's exact image before the edit (what outcomes compare to)."""
        self.result: EditResult | None = None
        self._cancelled = threading.Event()
        self._facts = {
            "tool": type(tool).__name__,
            "summary": tool.summary(),
            "parameters": describe(tool),
            "region": region.describe(),
            "budget": {
                "steps": budget.steps,
                "lr": budget.lr,
                "hold_weight": budget.hold_weight,
                "dilation": budget.dilation,
                "halo": budget.halo,
            },
        }
        """What the history record says of the edit besides its steps and stop (computed once: describing
        a 12-MP region's mask costs three whole-image reductions)."""

    def cancel(self) -> None:
        """Stop before the next step (the best result so far is kept)."""
        self._cancelled.set()
        if self.result is not None:
            self.result.record["stopped"] = "cancelled"

    def _record(self, steps: int, reason: str) -> dict[str, object]:
        return {**self._facts, "steps": steps, "stopped": reason}

    def run(self) -> Iterator[Progress]:
        """Optimize, yielding after every step; ends on the step budget, convergence or cancel. A tool
        with exact targets gets them in one step through the correction (see :meth:`_run_exact`)."""
        targets = self.tool.exact_targets(self.view)
        if targets is not None:
            yield from self._run_exact(targets)
            return
        objective = self.tool.objective(self.view)
        start = self.tool.start(self.view, self.z0, self.movable)
        count = start.shape[0]
        compute_dtype = torch.bfloat16 if self.budget.gpu_bfloat16 and start.is_cuda else None

        def evaluate(param: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            z = torch.where(self.movable, param, self.z0)
            image = self.network(z, compute_dtype, self.fix0).image
            return z, image, objective(image) + self.budget.hold_weight * self._hold(image)

        stepper = AdamStepper(evaluate, start, self.budget.lr, self.budget.warmup, self.budget.graph)
        best = torch.full((count,), float("inf"), device=start.device)
        best_z, best_preview = start.clone(), self.view.initial.expand(count, -1, -1, -1).clone()
        best_total, stale, reason, step = float("inf"), 0, "budget", 0
        queued_total = None  # the previous step's best total, still on the device
        for step in range(1, self.budget.steps + 1):
            if self._cancelled.is_set():
                reason, step = "cancelled", step - 1
                break
            z, image, loss = stepper.step()
            improved = loss < best
            best = torch.where(improved, loss, best)
            best_z = torch.where(improved[:, None, None, None], z, best_z)
            best_preview = torch.where(improved[:, None, None, None], image, best_preview)
            if queued_total is not None:
                # Read back the step before this one: on a GPU this step is already queued, so the
                # device never waits for the host. Convergence is seen one step late.
                total = float(queued_total)
                stale = 0 if best_total - total > self.budget.tolerance * abs(total) else stale + 1
                best_total = total
            queued_total = best.sum()
            self.result = EditResult(
                self.window, self.editable, self.movable, best_z, best_preview, best, self._record(step, "running")
            )
            yield Progress(step, loss.clone(), best, image.clone(), self.view.origin)
            if self.budget.patience and stale >= self.budget.patience:
                reason = "converged"
                break
        if self.result is not None:
            self.result.record = self._record(step, reason)

    def _hold(self, image: torch.Tensor) -> torch.Tensor:
        """(N,) the hold of window images (N, C, h, w): their total absolute change outside the region,
        scaled as HOLD_SCALE says."""
        return ((image - self.view.initial).abs() * self._outside).sum((1, 2, 3)) / self._hold_norm

    def _run_exact(self, targets: torch.Tensor) -> Iterator[Progress]:
        """Make each candidate show its target (N, C, h, w), projected onto the file's boxes, exactly in the
        movable blocks: the correction takes every coefficient there to the target's place in its interval
        (z is left as it is); elsewhere the decode is unchanged but for the chroma net's reading of the new
        luma nearby. One step; the loss is the tool's objective plus the hold, as for a z edit."""
        if self._cancelled.is_set():
            return
        count = targets.shape[0]
        z = self.z0.expand(count, -1, -1, -1).clone()
        with torch.no_grad():
            delta_y, delta_c, changed_y, changed_c = deltas_toward(
                targets, self.view.initial, self.start_deltas, self.code, self.tool.exact_margin
            )
            where_y = changed_y & self.movable
            where_c = None
            if delta_c is not None and changed_c is not None:
                where_c = changed_c & chroma_blocks_of(self.movable, self.code.chroma_factor, delta_c)
            fix = self.network.correction_for(z, delta_y, delta_c, Correction(where_y, where_c), self.fix0)
            image = self.network(z, correction=fix).image
            loss = self.tool.objective(self.view)(image) + self.budget.hold_weight * self._hold(image)
        self.result = EditResult(
            self.window, self.editable, self.movable, z, image, loss, self._record(1, "exact"), fix
        )
        yield Progress(1, loss, loss, image, self.view.origin)


def run_to_end(edit: Edit) -> EditResult:
    """Run an edit without watching it; returns its result."""
    for _ in edit.run():
        pass
    if edit.result is None:
        raise RuntimeError("the edit was cancelled before its first step")
    return edit.result


__all__ = ["DEFAULT_BUDGET", "Budget", "Edit", "EditResult", "Progress", "run_to_end"]
