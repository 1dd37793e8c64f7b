"""How far the file lets a statistic of a window go: bounds over its quantization box. Qt-free.

Every image the decoder can show for a window is ``render_code(code, Δ_Y, Δ_CbCr)`` with every Δ in
[−½, ½] (the decoder keeps |Δ| ≤ 0.49, inside it): the box of paper eq. 2. Rendering is linear and
unclipped, so the image, and its luma, are affine in Δ. Statistics (variance, total variation) have no
drawn target whose projection would say what the file allows, as brightness's does; a bound can stand in,
and unlike an estimate it can be checked: no consistent image crosses it. Two kinds follow:

* :func:`lowest`: a lower bound on the minimum of a convex statistic (total variation, local variance).
  By convexity, for any Δ = a, f(Δ) ≥ f(a) + ⟨∇f(a), Δ − a⟩, whose minimum over the box is in closed form,
  f(a) − ½·Σ|∇f(a)| − ⟨∇f(a), a⟩. Projected gradient descent moves a towards the minimizer, and the best
  such certificate is returned: it approaches the true minimum as a does, and never exceeds it.
* :func:`luma_energy`: an upper bound on a weighted energy of the luma change the box allows, per block
  from Parseval or from each pixel's exact spread; upper bounds of statistics that grow with the change
  (local variance) are built from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import torch
import torch.nn.functional as F

from ..decoder.code_tensors import CodeTensors
from ..decoder.render import render_code
from ..ops.dct import blockify, dct_matrix

BOUND_STEPS = 120
"""Most projected Adam steps of :func:`lowest` (more only tighten its bound, never make it wrong)."""

BOUND_WORK = 30_000_000
"""Pixel values rendered by :func:`lowest` at most (steps × channels × pixels): a fixed amount of work, not
a clock, so the same region always gets the same figure, in about half a second (all the steps up to a
256-px region's colour image). Larger regions get fewer steps: a looser bound, never a wrong one."""

MIN_BOUND_STEPS = 10
"""Fewest steps of :func:`lowest`, whatever the region's size."""

BOUND_RATE = 0.05
"""Adam's first step in :func:`lowest`, in quantization steps (cosine-annealed to 0)."""

BOUND_GAP = 0.01
""":func:`lowest` stops early once its bound is within this share of the value its iterate reaches."""


def lowest(
    statistic: Callable[[torch.Tensor], torch.Tensor],
    code: CodeTensors,
    gap: Callable[[torch.Tensor], torch.Tensor] | None = None,
    cost: int = 1,
) -> float:
    """A number no image the box of ``code`` (N = 1) allows goes below, for a ``statistic`` that maps
    images (1, C, h, w) in grey levels to (1,) and is convex in them (see the module note), after at most
    ``BOUND_WORK`` of rendering. A statistic of luma alone is bounded faster on :func:`luma_code`.

    ``gap``: for a smooth ``statistic`` h descended in place of a non-smooth f ≥ h whose supporting plane
    at every image has h's slope and lies ``gap(image)`` (1,) above h there (|d| and its Huber function:
    see :func:`~explorer_app.engine.tools.statistics.huber_gap`), the bound is f's, that much higher.
    ``cost``: how many renders' worth of ``BOUND_WORK`` one evaluation of ``statistic`` takes."""
    channels = 1 if code.c_q is None else 3
    steps = min(BOUND_STEPS, max(MIN_BOUND_STEPS, BOUND_WORK // (cost * channels * code.height * code.width)))
    deltas = [d.requires_grad_(True) for d in centre_deltas(code)]
    adam = torch.optim.Adam(deltas, lr=BOUND_RATE)
    annealing = torch.optim.lr_scheduler.CosineAnnealingLR(adam, steps)
    best = -float("inf")
    with torch.enable_grad():
        for _ in range(steps):
            image = render_code(code, deltas[0], deltas[1] if len(deltas) > 1 else None)
            loss = statistic(image)[0]
            gradients = torch.autograd.grad(loss, deltas)
            value = float(loss.detach()) + (0.0 if gap is None else float(gap(image.detach())[0]))
            slack = sum(
                float(g.abs().sum() / 2 + (g * d.detach()).sum()) for g, d in zip(gradients, deltas, strict=True)
            )
            best = max(best, value - slack)
            if value - best <= BOUND_GAP * abs(value):
                break
            for delta, gradient in zip(deltas, gradients, strict=True):
                delta.grad = gradient
            adam.step()
            annealing.step()
            with torch.no_grad():
                for delta in deltas:
                    delta.clamp_(-0.5, 0.5)
    return best


def around_region(code: CodeTensors, region: torch.Tensor, reach: int) -> tuple[CodeTensors, tuple[slice, slice]]:
    """The part of a window's ``code`` (N = 1) whose box decides the pixels of ``region`` (1, 1, h, w)
    and ``reach`` px around them, and its (rows, cols) in the window: MCU-aligned, with one MCU more on
    every side (chroma upsampling reads neighbouring samples), so that its pixels there render as the
    window's do and bounds over its smaller box hold for the window's."""
    rows, cols = region[0, 0].any(1).nonzero()[:, 0], region[0, 0].any(0).nonzero()[:, 0]
    fy, fx = (8 * f for f in code.chroma_factor)
    top = max(0, (int(rows[0]) - reach) // fy - 1) * fy
    left = max(0, (int(cols[0]) - reach) // fx - 1) * fx
    bottom = min(code.height, (-(-(int(rows[-1]) + 1 + reach) // fy) + 1) * fy)
    right = min(code.width, (-(-(int(cols[-1]) + 1 + reach) // fx) + 1) * fx)
    return code.crop(top, left, bottom, right), (slice(top, bottom), slice(left, right))


def luma_code(code: CodeTensors) -> CodeTensors:
    """``code`` without its chroma: it renders the luma plane (1, 1, h, w), which is exactly the luma of
    its colour image (JFIF's colour conversion keeps Y), from a box of a third of the size."""
    return replace(code, c_q=None, c_table=None)


def centre_deltas(code: CodeTensors) -> list[torch.Tensor]:
    """[Δ_Y (1, 64, by, bx)] and, for colour, [Δ_CbCr (1, 128, cby, cbx)], all zero: the box's centre."""
    return [torch.zeros_like(code.y_q)] + ([] if code.c_q is None else [torch.zeros_like(code.c_q)])


def box_centre(code: CodeTensors) -> torch.Tensor:
    """(1, C, h, w) the image at the centre of the box of ``code`` (N = 1): every Δ = 0."""
    deltas = centre_deltas(code)
    return render_code(code, deltas[0], deltas[1] if len(deltas) > 1 else None)


def luma_energy(code: CodeTensors, weights: torch.Tensor) -> float:
    """An upper bound on Σ_x weights(x)·e(x)² (grey levels²) over every change e of the luma plane that
    the box of ``code`` (N = 1) allows around its centre, for ``weights`` (1, 1, h, w) ≥ 0. Per block the
    smaller of two exact bounds: its largest weight × Σ_k (M_k/2)² (Parseval: the DCT is orthonormal), and
    Σ_x weights(x)·s(x)², s(x) = Σ_k |B_k(x)|·M_k/2 the pixel's own spread (each pixel's luma is a
    linear form in independent box coordinates)."""
    _, _, by, bx = code.y_q.shape
    half = code.y_table[0, :, 0, 0] / 2  # (64,)
    basis = torch.kron(*(2 * [dct_matrix(8, half.dtype, half.device)])).abs()  # (64 k, 64 x): |B_k(x)|
    spread = half @ basis  # (64,) per pixel of a block
    padded = F.pad(weights, (0, 8 * bx - weights.shape[3], 0, 8 * by - weights.shape[2]))
    blocks = blockify(padded, 8)  # (1, by, bx, 64)
    parseval = blocks.amax(-1) * float((half * half).sum())
    pixelwise = (blocks * spread * spread).sum(-1)
    return float(torch.minimum(parseval, pixelwise).sum())
