"""ψ(X_Q, z): the luminance net, the chroma net fed with the decoded luminance (paper 4.2), rendering."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..ops.dct import block_dct_rect, embed_low_frequencies
from .code_tensors import CodeTensors
from .correction import Correction
from .networks import Z_CHANNELS, DeltaNet, PriorScale
from .output import DecoderOutput
from .render import coefficients_to_plane, pad_to, render_code
from .texture_prior import texture_scale

COEFFICIENT_SCALE = 64.0
"""Dequantized coefficients and luma DCT values are divided by this before entering a network."""
LOG_TABLE_SCALE = 4.0
"""log(M) is divided by this: the nets see the quantization step, since one X_Q means different
things under different tables."""

LUMA_IN = 128  # dequantized coefficients + log table
CHROMA_IN = 256 + 256  # 16×16 DCT of decoded luma + (Cb, Cr) dequantized + (Cb, Cr) log tables


@dataclass(frozen=True)
class DecoderSize:
    """Width (channels) and depth (controlled layers) of the luma and chroma nets; ``learned_prior``: the
    model carries a :class:`~explorer_app.decoder.networks.PriorScale` (the explorable models since the prior
    phase), else its prior over z is N(0, I)."""

    luma_width: int
    luma_depth: int
    chroma_width: int
    chroma_depth: int
    learned_prior: bool = False


SIZES: dict[str, DecoderSize] = {
    "full": DecoderSize(320, 10, 160, 10),  # the paper's networks
    "lite": DecoderSize(48, 6, 32, 4),  # interactive on a 2-core CPU (benchmarks/decoder_speed.py)
}


def luma_features(code: CodeTensors) -> torch.Tensor:
    """(N, 128, by, bx): dequantized luma coefficients / 64 and log(M) / 4."""
    log_table = torch.log(code.y_table).expand_as(code.y_q) / LOG_TABLE_SCALE
    return torch.cat([code.y_q * code.y_table / COEFFICIENT_SCALE, log_table], 1)


def chroma_luma_features(code: CodeTensors, y_plane: torch.Tensor) -> torch.Tensor:
    """(N, 256, cby, cbx): the decoded luma as one 16×16 DCT block per chroma block (the luma region a chroma
    block covers, zero-embedded when not subsampled) / 64: the chroma net's input channels that depend on z."""
    fy, fx = code.chroma_factor
    _, _, cby, cbx = code.chroma()[0].shape
    region = pad_to(y_plane - 128.0, 8 * fy * cby, 8 * fx * cbx)[:, :, : 8 * fy * cby, : 8 * fx * cbx]
    return embed_low_frequencies(block_dct_rect(region, 8 * fy, 8 * fx), 8 * fy, 8 * fx, 16) / COEFFICIENT_SCALE


def chroma_code_features(code: CodeTensors) -> torch.Tensor:
    """(N, 256, cby, cbx): Cb/Cr dequantized / 64 and log tables / 4, the chroma net's other input channels."""
    c_q, c_table = code.chroma()
    log_table = torch.log(c_table).expand_as(c_q) / LOG_TABLE_SCALE
    return torch.cat([c_q * c_table / COEFFICIENT_SCALE, log_table], 1)


def chroma_features(code: CodeTensors, y_plane: torch.Tensor) -> torch.Tensor:
    """(N, 512, cby, cbx): :func:`chroma_luma_features` then :func:`chroma_code_features`."""
    return torch.cat([chroma_luma_features(code, y_plane), chroma_code_features(code)], 1)


def chroma_control(z: torch.Tensor, factor: tuple[int, int], grid: tuple[int, ...]) -> torch.Tensor:
    """The luma-grid z (N, 64, by, bx) averaged onto the chroma grid (N, 64, cby, cbx), rescaled by
    √(fy·fx) so that a unit-variance z stays unit-variance."""
    fy, fx = factor
    padded = pad_to(z, fy * grid[0], fx * grid[1])[:, :, : fy * grid[0], : fx * grid[1]]
    return F.avg_pool2d(padded, (fy, fx)) * math.sqrt(fy * fx) if (fy, fx) != (1, 1) else padded


class JpegDecoder(nn.Module):
    """ψ(X_Q, z) → Δ for every coefficient, and the image they render to (``forward`` returns both as a
    :class:`~.output.DecoderOutput`)."""

    sample_temperature: float = 1.0
    """σ of a random control z ~ N(0, σ²I): the value at which this model's random decodes were validated
    (stored in the weights' metadata; see docs/decoder.md)."""
    texture_exponent: float = 0.0
    """How much more room textured blocks give a random z (texture_prior.py; the weights' metadata): the
    prior's σ is multiplied by (1 + surviving AC coefficients around the block)^texture_exponent and by the
    file's step factor; 0 leaves the prior alone."""
    sha256: str | None = None
    """SHA-256 of the weight files this decoder was loaded from (set by the registry's loader; None when not
    loaded from files)."""

    def __init__(self, size: DecoderSize, name: str = "untrained") -> None:
        super().__init__()
        self.size = size
        self.name = name
        self.luma = DeltaNet(LUMA_IN, 64, size.luma_width, size.luma_depth)
        self.chroma = DeltaNet(CHROMA_IN, 128, size.chroma_width, size.chroma_depth)
        self.prior = PriorScale(LUMA_IN) if size.learned_prior else None

    @property
    def receptive_radius_blocks(self) -> int:
        """Luma blocks around a block that can change its Δ (the chroma net reaches further)."""
        return self.luma.receptive_radius + 2 * (self.chroma.receptive_radius + 1)

    def prior_scale(self, code: CodeTensors) -> torch.Tensor:
        """σ of the prior over z per block and channel, (N, 64, by, bx): learnt, or ones (N(0, I))."""
        if self.prior is None:
            return code.y_q.new_ones(code.z_shape)
        return self.prior(luma_features(code)).to(code.y_q.dtype)

    def sample_control(self, code: CodeTensors, noise: torch.Tensor, temperature: float | None = None) -> torch.Tensor:
        """A random z from this model's prior: ``noise`` (N, 64, by, bx) standard normal, scaled per block by
        the prior's σ, by the block's :func:`~.texture_prior.texture_scale` and by ``temperature`` (default:
        the model's sampling temperature)."""
        temperature = self.sample_temperature if temperature is None else temperature
        return temperature * self.prior_scale(code) * texture_scale(code, self.texture_exponent) * noise

    def config(self) -> dict[str, int | str]:
        return {"name": self.name, **asdict(self.size)}

    def predict_luma(
        self,
        code: CodeTensors,
        z: torch.Tensor,
        compute_dtype: torch.dtype | None = None,
        correction: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Δ_Y (N, 64, by, bx) for the control z (N, 64, by, bx) and the luma logit ``correction`` (same
        shape as Δ_Y, None: none)."""
        return self.luma(luma_features(code), z, compute_dtype, correction)

    def predict_chroma(
        self,
        code: CodeTensors,
        z: torch.Tensor,
        y_plane: torch.Tensor,
        compute_dtype: torch.dtype | None = None,
        correction: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Δ_CbCr (N, 128, cby, cbx) for the control z (N, 64, by, bx) given the decoded luma plane
        (N, 1, 8·by, 8·bx) and the chroma logit ``correction`` (same shape as Δ_CbCr, None: none)."""
        control = chroma_control(z, code.chroma_factor, code.chroma()[0].shape[2:])
        return self.chroma(chroma_features(code, y_plane), control, compute_dtype, correction)

    def forward(
        self,
        code: CodeTensors,
        z: torch.Tensor,
        compute_dtype: torch.dtype | None = None,
        correction: Correction | None = None,
    ) -> DecoderOutput:
        """``compute_dtype``: run the nets' convolutions under autocast in this dtype for this call (Δ,
        the rendering and the image stay float32); ``correction``: per-coefficient logit corrections
        (None: none, the decode ψ(X_Q, z))."""
        delta_y = self.predict_luma(code, z, compute_dtype, None if correction is None else correction.y)
        delta_c = None
        if code.is_color:
            y_plane = coefficients_to_plane(code.y_q + delta_y, code.y_table)
            delta_c = self.predict_chroma(code, z, y_plane, compute_dtype, None if correction is None else correction.c)
        return DecoderOutput(delta_y, delta_c, render_code(code, delta_y, delta_c))


def zero_control(code: CodeTensors) -> torch.Tensor:
    """z = 0 of the right shape, dtype and device for ``code``."""
    return code.y_q.new_zeros(code.z_shape)


def random_control(code: CodeTensors, seed: int) -> torch.Tensor:
    """Standard-normal noise (N, 64, by, bx) drawn reproducibly from ``seed`` (on the CPU, then moved); a
    decoder turns it into a z of its prior with :meth:`JpegDecoder.sample_control`."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(code.z_shape, generator=generator).to(code.y_q)


__all__ = ["SIZES", "Z_CHANNELS", "DecoderSize", "JpegDecoder", "random_control", "zero_control"]
