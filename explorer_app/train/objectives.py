"""Loss terms of the two training phases (paper 3.3). Images are (N, C, H, W) on the [0, 255] scale;
losses are reported on the [0, 1] scale so the paper's weights (λ_range = 200, λ_map = 0.1) apply."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..decoder.code_tensors import CodeTensors
from ..decoder.model import JpegDecoder
from ..ops.color import rgb_to_ycbcr

RANGE_LOW, RANGE_HIGH = 16.0, 235.0


def l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a - b).abs().mean() / 255.0


def range_loss(rgb: torch.Tensor) -> torch.Tensor:
    """L_range: mean distance of luma values outside [16, 235] to that range."""
    y = rgb_to_ycbcr(rgb)[:, :1]
    return (y - y.clamp(RANGE_LOW, RANGE_HIGH)).abs().mean() / 255.0


def search_control(
    decoder: JpegDecoder, code: CodeTensors, target: torch.Tensor, steps: int = 10, lr: float = 0.1
) -> torch.Tensor:
    """z* = argmin_z ‖ψ(x_Q, z) − x‖₁ by ``steps`` Adam steps from z = 0 (L_map's inner problem);
    the decoder's weights receive no gradient. Returns z* detached, (N, 64, by, bx)."""
    z = torch.zeros(code.z_shape, device=target.device, requires_grad=True)
    optimizer = torch.optim.Adam([z], lr=lr)
    for _ in range(steps):
        loss = l1(decoder(code, z)["image"], target)
        (grad,) = torch.autograd.grad(loss, z)
        z.grad = grad
        optimizer.step()
    return z.detach()


def block_edge_excess(image: torch.Tensor) -> torch.Tensor:
    """How much the luma of ``image`` (N, 3, H, W) RGB in [0, 255] steps across 8-px block edges beyond the
    steps right beside them (mean of relu(|edge step| − mean |neighbour steps|)), [0, 1] scale. A decode
    with no block grid scores ≈ 0; texture added everywhere does not lower it (it raises both sides)."""
    y = rgb_to_ycbcr(image)[:, 0]
    across, down = (y[:, :, 1:] - y[:, :, :-1]).abs(), (y[:, 1:] - y[:, :-1]).abs()
    width, height = across.shape[2], down.shape[1]
    excess = []
    for steps, length, dim in ((across, width, 2), (down, height, 1)):
        edges = torch.arange(7, length - 1, 8, device=image.device)
        edges = edges[edges >= 1]
        beside = 0.5 * (steps.index_select(dim, edges - 1) + steps.index_select(dim, edges + 1))
        excess.append(torch.relu(steps.index_select(dim, edges) - beside).flatten(1).mean(1))
    return (excess[0] + excess[1]).mean() / 255.0


def flat_mask(truth: torch.Tensor, quantile: float = 0.25) -> torch.Tensor:
    """(N, 1, H, W) float {0, 1}: the ``quantile`` of pixels where the truth's luma (truth (N, 3, H, W) RGB)
    varies least in a 9×9 window: where the file fixes the content and an alternative has no business."""
    with torch.no_grad():
        y = rgb_to_ycbcr(truth)[:, :1]
        mean = F.avg_pool2d(F.pad(y, (4, 4, 4, 4), mode="replicate"), 9, 1)
        square = F.avg_pool2d(F.pad(y * y, (4, 4, 4, 4), mode="replicate"), 9, 1)
        deviation = (square - mean * mean).clamp_min(0).flatten(1)
        return (deviation <= deviation.quantile(quantile, dim=1, keepdim=True)).float().view_as(y)


def flat_l1(image: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """L1 of ``image`` to ``truth`` (both (N, 3, H, W)) inside :func:`flat_mask` only, [0, 1] scale."""
    flat = flat_mask(truth)
    return ((image - truth).abs() * flat).sum() / (flat.sum() * image.shape[1]).clamp_min(1.0) / 255.0


FLAT_DEVIATION = 2.0
"""grey levels: pixels whose truth varies less than this in a 9×9 window are flat in the absolute sense
(a sky, a wall), where grain shows most and where the validation's flat quarter of a whole photo lies."""


def flat_grain_excess(image: torch.Tensor, truth: torch.Tensor, allowance: float = 1.2) -> torch.Tensor:
    """Fine-detail deviation of the luma of ``image`` where the truth is flat, beyond ``allowance``× the
    truth's own there; relu per image, mean, [0, 1] scale. Both (N, 3, H, W). Flat: the truth's flattest
    quarter (:func:`flat_mask`) and, apart, its absolutely flat pixels (local deviation < FLAT_DEVIATION):
    a patch's flattest quarter can still be textured, while a whole photo's is truly flat."""

    def fine(rgb: torch.Tensor) -> torch.Tensor:
        y = rgb_to_ycbcr(rgb)[:, :1]
        return y - F.avg_pool2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), 3, 1)

    with torch.no_grad():
        y = rgb_to_ycbcr(truth)[:, :1]
        mean = F.avg_pool2d(F.pad(y, (4, 4, 4, 4), mode="replicate"), 9, 1)
        square = F.avg_pool2d(F.pad(y * y, (4, 4, 4, 4), mode="replicate"), 9, 1)
        absolute = ((square - mean * mean).clamp_min(0) < FLAT_DEVIATION**2).float().flatten(1)
        truth_fine = fine(truth).flatten(1).square()
    image_fine = fine(image).flatten(1).square()
    excess = image.new_zeros(())
    for mask in (flat_mask(truth).flatten(1), absolute):
        count = mask.sum(1)
        used = count >= 0.02 * mask.shape[1]  # too few flat pixels: no reliable figure
        if not bool(used.any()):
            continue
        truth_grain = ((truth_fine * mask).sum(1) / count.clamp_min(1)).sqrt()
        grain = ((image_fine * mask).sum(1) / count.clamp_min(1) + 1e-6).sqrt()
        excess = excess + (torch.relu(grain - allowance * truth_grain) * used).sum() / used.sum()
    return excess / 255.0
