"""Loss terms of the two training phases (paper 3.3). Images are (N, C, H, W) on the [0, 255] scale;
losses are reported on the [0, 1] scale so the paper's weights (λ_range = 200, λ_map = 0.1) apply."""
from __future__ import annotations

import torch

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


def search_control(decoder: JpegDecoder, code: CodeTensors, target: torch.Tensor, steps: int = 10,
                   lr: float = 0.1) -> torch.Tensor:
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
