"""ψ(X_Q, ·) for one fixed X_Q: the decoder as a function of z alone, for an edit's many steps on one window.

An edit evaluates the decoder on the same coefficients at every Adam step; only z changes. Everything that
depends on the coefficients alone is computed here once: the part of each net's first
convolution that reads the coefficients and tables (a controlled layer's convolution of cat(features, z) is
the sum of a convolution of the features and one of z). Each step then convolves only what z reaches, and
its backward pass skips the gradients of those constant inputs (two thirds of the luma net's first layer,
nearly half of the chroma net's). The eval-mode batch norms are folded into the convolutions before them.
The outputs are :meth:`~.model.JpegDecoder.forward`'s up to float rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .code_tensors import CodeTensors
from .correction import Correction
from .model import JpegDecoder, chroma_code_features, chroma_control, chroma_luma_features, luma_features
from .networks import Z_CHANNELS, ControlledLayer, DeltaNet, delta_of_logits, logits_of_delta
from .output import DecoderOutput
from .render import coefficients_to_plane, render_code


@dataclass(frozen=True)
class FoldedLayer:
    """A controlled layer with its eval-mode norm folded in: conv3×3 of cat(features, z) with ``weight``
    (out, C_features + 64, 3, 3) and ``bias`` (out,), then LeakyReLU with ``slope``."""

    weight: torch.Tensor
    bias: torch.Tensor
    slope: float

    @staticmethod
    def of(layer: nn.Module) -> FoldedLayer:
        if not isinstance(layer, ControlledLayer):
            raise TypeError(f"cannot fold a {type(layer).__name__}: a DeltaNet's layers are ControlledLayers")
        conv, norm = layer.conv, layer.norm
        weight = conv.weight.detach()
        bias = torch.zeros_like(weight[:, 0, 0, 0]) if conv.bias is None else conv.bias.detach()
        if isinstance(norm, nn.BatchNorm2d):
            if norm.training or norm.running_mean is None or norm.running_var is None:
                raise ValueError(
                    "a fixed-code decoder needs the decoder in eval mode, its norms with running statistics"
                )
            scale = norm.weight.detach() / torch.sqrt(norm.running_var + norm.eps)
            weight = weight * scale[:, None, None, None]
            bias = (bias - norm.running_mean) * scale + norm.bias.detach()
        elif not isinstance(norm, nn.Identity):
            raise TypeError(f"cannot fold a {type(norm).__name__} into a convolution")
        return FoldedLayer(weight, bias, layer.act.negative_slope)

    def __call__(self, features: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(F.conv2d(torch.cat([features, z], 1), self.weight, self.bias, padding=1), self.slope)


class FixedNet:
    """A :class:`~.networks.DeltaNet` whose input features end with fixed ``constant`` channels (N, k, H, W):
    ``self(varying, z)`` → Δ, ``varying`` being the feature channels before those (None when there are
    none)."""

    def __init__(self, net: DeltaNet, constant: torch.Tensor) -> None:
        first, *self.layers = [FoldedLayer.of(layer) for layer in net.layers]
        count = constant.shape[1]
        varying = first.weight.shape[1] - count - Z_CHANNELS
        self.base = F.conv2d(constant, first.weight[:, varying : varying + count], first.bias, padding=1)
        """The first layer's convolution of the constant channels, with its bias."""
        self.weight = torch.cat([first.weight[:, :varying], first.weight[:, varying + count :]], 1)
        """The first layer's weights for cat(varying, z)."""
        self.slope = first.slope
        self.head = net.head
        self.compute_dtype = net.compute_dtype

    def logits(
        self, varying: torch.Tensor | None, z: torch.Tensor, compute_dtype: torch.dtype | None = None
    ) -> torch.Tensor:
        """(N, out, H, W) float32 logits before the shifted sigmoid."""
        dtype = compute_dtype or self.compute_dtype
        with torch.autocast(z.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            inputs = z if varying is None else torch.cat([varying, z], 1)
            hidden = F.leaky_relu(self.base + F.conv2d(inputs, self.weight, padding=1), self.slope)
            for layer in self.layers:
                hidden = layer(hidden, z)
            logits = self.head(hidden)
        return logits.float()

    def __call__(
        self,
        varying: torch.Tensor | None,
        z: torch.Tensor,
        compute_dtype: torch.dtype | None = None,
        correction: torch.Tensor | None = None,
    ) -> torch.Tensor:
        logits = self.logits(varying, z, compute_dtype)
        return delta_of_logits(logits if correction is None else logits + correction)


class FixedCodeDecoder:
    """``self(z)`` = ``decoder(code, z)`` (the same :class:`~.output.DecoderOutput`) for a fixed ``code``
    (N = 1; z (N, 64, by, bx) may hold N candidates), computed as the module's docstring says. The decoder
    must be in eval mode, and its weights must not change meanwhile (they are read once)."""

    def __init__(self, decoder: JpegDecoder, code: CodeTensors) -> None:
        self.code = code
        with torch.no_grad():
            features = luma_features(code)
            self.luma = FixedNet(decoder.luma, features)
            self.chroma = FixedNet(decoder.chroma, chroma_code_features(code)) if code.is_color else None

    def __call__(
        self, z: torch.Tensor, compute_dtype: torch.dtype | None = None, correction: Correction | None = None
    ) -> DecoderOutput:
        """The decode for z (N, 64, by, bx) and the logit ``correction`` (N or 1 images; None: none)."""
        code = self.code
        delta_y = self.luma(None, z, compute_dtype, None if correction is None else correction.y)
        delta_c = None
        if self.chroma is not None:
            y_plane = coefficients_to_plane(code.y_q + delta_y, code.y_table)
            pooled = chroma_control(z, code.chroma_factor, code.chroma()[0].shape[2:])
            delta_c = self.chroma(
                chroma_luma_features(code, y_plane), pooled, compute_dtype, None if correction is None else correction.c
            )
        return DecoderOutput(delta_y, delta_c, render_code(code, delta_y, delta_c))

    def correction_for(
        self,
        z: torch.Tensor,
        delta_y: torch.Tensor,
        delta_c: torch.Tensor | None,
        where: Correction,
        base: Correction | None = None,
    ) -> Correction:
        """The logit correction that makes the decode at z (N, 64, by, bx) give exactly ``delta_y``
        (N, 64, by, bx) and ``delta_c`` (N, 128, cby, cbx) where ``where`` (bool masks broadcastable to
        those shapes; ``where.c`` None: no chroma target) is set, and is ``base`` (None: zero) elsewhere. The
        Δ targets must lie strictly inside ±DELTA_LIMIT. The chroma net reads the decoded luma, so its
        logits are taken on the corrected luma."""
        code = self.code
        base = base or Correction.zeros(code)
        luma_logits = self.luma.logits(None, z)
        y_fix = torch.where(where.y, logits_of_delta(delta_y) - luma_logits, base.y)
        if self.chroma is None or delta_c is None or where.c is None:
            return Correction(y_fix, base.c)
        y_plane = coefficients_to_plane(code.y_q + delta_of_logits(luma_logits + y_fix), code.y_table)
        pooled = chroma_control(z, code.chroma_factor, code.chroma()[0].shape[2:])
        chroma_logits = self.chroma.logits(chroma_luma_features(code, y_plane), pooled)
        chroma_base = base.c if base.c is not None else torch.zeros_like(chroma_logits)
        c_fix = torch.where(where.c, logits_of_delta(delta_c) - chroma_logits, chroma_base)
        return Correction(y_fix, c_fix)
