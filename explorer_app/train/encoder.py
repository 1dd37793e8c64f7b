"""The posterior encoder q(z | x, X_Q) of the prior phase (see docs/decoder.md).

It sees how far the decoder's guess at z = 0 missed the truth inside every quantization interval
(Δ* − Δ̂₀, where Δ* = X/M − X_Q is where the true coefficient lay) and the file, and says which control z
makes ψ(X_Q, z) reproduce the image: a diagonal Gaussian per luma block. z = 0 therefore means "no
correction to the faithful guess", which is what the z = 0 anchor of the prior phase asks. It amortizes the
search for z* (paper 3.3's L_map needs 10 Adam steps per batch; the encoder needs one pass), and its KL term
to N(0, I) is what makes a random z ~ N(0, I) land where real photographs' codes land.
"""

from __future__ import annotations

import torch
from torch import nn

from ..decoder.code_tensors import CodeTensors
from ..decoder.model import LUMA_IN, luma_features
from ..decoder.networks import Z_CHANNELS
from ..decoder.render import pad_to
from ..verify.reference_encoder import encode_normalized

OFFSETS_IN = 64 + 128
"""Misses of the luma block and of the Cb, Cr blocks covering it (zeros for grey)."""

LOG_VARIANCE_LIMIT = 6.0
"""|log σ²| bound, so a sampled z never overflows while the encoder is young."""
START_GAIN, START_LOG_VARIANCE = 3.0, -4.0
"""At the start μ = 3·(luma miss) per coefficient with σ ≈ 0.14: z already tells the decoder the answer, so
the decoder learns to read z at once (a zero-initialized encoder left z unread for hundreds of steps, and
the KL then pulled q onto the prior). The KL term then prunes what the decoder can guess without z."""


class PosteriorEncoder(nn.Module):
    """(misses (N, 192, by, bx) from :func:`misses`, code) → μ, log σ² (N, 64, by, bx) on the luma grid."""

    def __init__(self, width: int = 64, depth: int = 4) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = OFFSETS_IN + LUMA_IN
        for _ in range(depth):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.GroupNorm(1, width), nn.LeakyReLU(0.2)]
            channels = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Conv2d(width, 2 * Z_CHANNELS, 3, padding=1)
        self.skip = nn.Conv2d(OFFSETS_IN, Z_CHANNELS, 1, bias=False)
        nn.init.zeros_(self.head.weight)
        assert self.head.bias is not None  # a Conv2d has one unless bias=False
        with torch.no_grad():
            self.head.bias.copy_(torch.cat([torch.zeros(Z_CHANNELS), torch.full((Z_CHANNELS,), START_LOG_VARIANCE)]))
            self.skip.weight.zero_()
            self.skip.weight[:, :Z_CHANNELS, 0, 0] = START_GAIN * torch.eye(Z_CHANNELS)

    def forward(self, offsets: torch.Tensor, code: CodeTensors) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.body(torch.cat([offsets, luma_features(code)], 1))
        mean, log_variance = self.head(hidden).chunk(2, 1)
        return mean + self.skip(offsets), log_variance.clamp(-LOG_VARIANCE_LIMIT, LOG_VARIANCE_LIMIT)


def on_luma_grid(luma: torch.Tensor, chroma: torch.Tensor | None, code: CodeTensors) -> torch.Tensor:
    """Luma (N, 64, by, bx) and Cb/Cr (N, 128, cby, cbx) maps → (N, 192, by, bx): each luma block with the
    chroma block that covers it (zeros for grey)."""
    if chroma is None:
        return torch.cat([luma, luma.new_zeros(luma.shape[0], 128, *luma.shape[2:])], 1)
    fy, fx = code.chroma_factor
    chroma = chroma.repeat_interleave(fy, 2).repeat_interleave(fx, 3)
    return torch.cat([luma, pad_to(chroma, *luma.shape[2:])[:, :, : luma.shape[2], : luma.shape[3]]], 1)


def misses(rgb: torch.Tensor, code: CodeTensors, delta_y: torch.Tensor, delta_c: torch.Tensor | None) -> torch.Tensor:
    """(N, 192, by, bx): Δ* − Δ̂ on the luma grid, Δ* = X/M − X_Q of the true image (N, 3, H, W) under the
    reference encoder and Δ̂ the decoder's guess (delta_y (N, 64, by, bx), delta_c (N, 128, cby, cbx))."""
    normalized = encode_normalized(rgb, code)
    truth = on_luma_grid(normalized[0] - code.y_q, None if code.c_q is None else normalized[1] - code.c_q, code)
    return truth - on_luma_grid(delta_y, delta_c, code)


def kl_per_block(
    mean: torch.Tensor, log_variance: torch.Tensor, prior_sigma: torch.Tensor | None = None
) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, s²)) in nats per luma block (summed over the 64 channels, averaged over blocks);
    s = ``prior_sigma`` (N, 64, by, bx), or 1."""
    if prior_sigma is None:
        return 0.5 * (mean.square() + log_variance.exp() - 1.0 - log_variance).sum(1).mean()
    prior_variance = prior_sigma.square()
    terms = (mean.square() + log_variance.exp()) / prior_variance - 1.0 - log_variance + prior_variance.log()
    return 0.5 * terms.sum(1).mean()


def sample_posterior(mean: torch.Tensor, log_variance: torch.Tensor) -> torch.Tensor:
    """z = μ + σ·ε, differentiable in μ and σ (the reparameterization)."""
    return mean + (0.5 * log_variance).exp() * torch.randn_like(mean)
