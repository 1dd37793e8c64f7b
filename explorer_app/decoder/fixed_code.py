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
from .model import JpegDecoder, chroma_code_features, chroma_control, chroma_luma_features, luma_features
from .networks import DELTA_LIMIT, Z_CHANNELS, ControlledLayer, DeltaNet
from .render import coefficients_to_plane, render_image


@dataclass(frozen=True)
class FoldedLayer:
    """A controlled layer with its eval-mode norm folded in: conv3×3 of cat(features, z) with ``weight``
    (out, C_features + 64, 3, 3) and ``bias`` (out,), then LeakyReLU with ``slope``."""

    weight: torch.Tensor
    bias: torch.Tensor
    slope: float

    @staticmethod
    def of(layer: ControlledLayer) -> FoldedLayer:
        weight, bias = layer.conv.weight.detach(), layer.conv.bias.detach()
        norm = layer.norm
        if isinstance(norm, nn.BatchNorm2d):
            if norm.training:
                raise ValueError("a fixed-code decoder needs the decoder in eval mode")
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

    def __call__(
        self, varying: torch.Tensor | None, z: torch.Tensor, compute_dtype: torch.dtype | None = None
    ) -> torch.Tensor:
        dtype = compute_dtype or self.compute_dtype
        with torch.autocast(z.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            inputs = z if varying is None else torch.cat([varying, z], 1)
            hidden = F.leaky_relu(self.base + F.conv2d(inputs, self.weight, padding=1), self.slope)
            for layer in self.layers:
                hidden = layer(hidden, z)
            logits = self.head(hidden)
        return (torch.sigmoid(logits.float()) - 0.5) * (2 * DELTA_LIMIT)


class FixedCodeDecoder:
    """``self(z)`` = ``decoder(code, z)`` (the same dict) for a fixed ``code`` (N = 1; z (N, 64, by, bx) may hold
    N candidates), computed as the module's docstring says. The decoder must be in eval mode, and its
    weights must not change meanwhile (they are read once)."""

    def __init__(self, decoder: JpegDecoder, code: CodeTensors) -> None:
        self.code = code
        with torch.no_grad():
            features = luma_features(code)
            self.luma = FixedNet(decoder.luma, features)
            self.chroma = FixedNet(decoder.chroma, chroma_code_features(code)) if code.is_color else None

    def __call__(self, z: torch.Tensor, compute_dtype: torch.dtype | None = None) -> dict[str, torch.Tensor | None]:
        code = self.code
        delta_y = self.luma(None, z, compute_dtype)
        y_normalized = code.y_q + delta_y
        delta_c = c_normalized = None
        if self.chroma is not None:
            y_plane = coefficients_to_plane(y_normalized, code.y_table)
            pooled = chroma_control(z, code.chroma_factor, code.c_q.shape[2:])
            delta_c = self.chroma(chroma_luma_features(code, y_plane), pooled, compute_dtype)
            c_normalized = code.c_q + delta_c
        image = render_image(
            y_normalized, code.y_table, c_normalized, code.c_table, code.chroma_factor, code.height, code.width
        )
        return {"delta_y": delta_y, "delta_c": delta_c, "image": image}
