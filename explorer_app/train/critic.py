"""The conditional critic of the WGAN-GP phase (paper 3.3): the generator's conv stack with LayerNorm
instead of BatchNorm and spectral norm on every convolution, fed the image's 8×8 DCT blocks (Y, Cb, Cr
on the luma block grid) concatenated with the generator's input (the conditioning)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ..decoder.model import COEFFICIENT_SCALE, LUMA_IN
from ..ops.color import rgb_to_ycbcr
from ..ops.dct import block_dct


def image_blocks(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB → (N, 192, H/8, W/8) level-shifted YCbCr DCT blocks / 64."""
    planes = rgb_to_ycbcr(rgb) - 128.0
    return torch.cat([block_dct(planes[:, i : i + 1]) for i in range(3)], 1) / COEFFICIENT_SCALE


class Critic(nn.Module):
    """f(image, condition) → (N,) scores; higher means "looks like a real photo's blocks"."""

    def __init__(self, width: int, depth: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 192 + LUMA_IN
        for _ in range(depth):
            layers += [
                spectral_norm(nn.Conv2d(channels, width, 3, padding=1)),
                nn.GroupNorm(1, width),
                nn.LeakyReLU(0.2),
            ]
            channels = width
        layers.append(spectral_norm(nn.Conv2d(width, 1, 3, padding=1)))
        self.body = nn.Sequential(*layers)

    def forward(self, rgb: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        return self.body(torch.cat([image_blocks(rgb), condition], 1)).mean(dim=(1, 2, 3))


def gradient_penalty(critic: Critic, real: torch.Tensor, fake: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
    """WGAN-GP term E[(‖∇f(x̃)‖ − 1)²] at random interpolates x̃ of real and fake images (N, 3, H, W)."""
    mix = torch.rand(real.shape[0], 1, 1, 1, device=real.device, dtype=real.dtype)
    point = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(point, condition).sum(), point, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
