"""The Δ-predicting network of paper section 3.2, used for luminance and (wider input) chroma.

A stack of conv3×3 → norm → LeakyReLU layers with the control signal z concatenated to every layer's
input, then a last conv3×3 and a shifted sigmoid, so every output lies strictly inside (−½, ½).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

DELTA_LIMIT = 0.49
"""|Δ| bound, just inside ½ so that float and 16-bit rounding never push a coefficient out of its box."""

Z_CHANNELS = 64


def delta_of_logits(logits: torch.Tensor) -> torch.Tensor:
    """The shifted sigmoid every net ends with: logits (any shape) → Δ in (−DELTA_LIMIT, DELTA_LIMIT)."""
    return (torch.sigmoid(logits.float()) - 0.5) * (2 * DELTA_LIMIT)


def logits_of_delta(delta: torch.Tensor) -> torch.Tensor:
    """The inverse of :func:`delta_of_logits`; ``delta`` must lie strictly inside ±DELTA_LIMIT."""
    return torch.logit(delta.float() / (2 * DELTA_LIMIT) + 0.5)


class ControlledLayer(nn.Module):
    """conv3×3(cat(h, z)) → norm → LeakyReLU(0.2): (N, C_in, H, W), (N, 64, H, W) → (N, width, H, W)."""

    def __init__(self, in_channels: int, width: int, norm: Callable[[int], nn.Module]) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels + Z_CHANNELS, width, 3, padding=1)
        self.norm = norm(width)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, features: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self.act(self.norm(self.conv(torch.cat([features, z], 1))))


class DeltaNet(nn.Module):
    """ψ: features (N, in_channels, H, W) and z (N, 64, H, W) → Δ (N, out_channels, H, W) in (−½, ½).

    The last conv starts at zero, so an untrained net gives Δ = 0: the plain JPEG decode.
    """

    compute_dtype: torch.dtype | None = None
    """When set (training on a GPU), the convolutions run under autocast in this dtype; Δ stays float32."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        width: int,
        depth: int,
        norm: Callable[[int], nn.Module] = nn.BatchNorm2d,
    ) -> None:
        super().__init__()
        channels = [in_channels] + [width] * depth
        self.layers = nn.ModuleList(ControlledLayer(c, width, norm) for c in channels[:-1])
        self.head = nn.Conv2d(width, out_channels, 3, padding=1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.get_parameter("bias"))

    @property
    def receptive_radius(self) -> int:
        """How many grid cells around an output cell can influence it (one per 3×3 conv)."""
        return len(self.layers) + 1

    def logits(self, features: torch.Tensor, z: torch.Tensor, compute_dtype: torch.dtype | None = None) -> torch.Tensor:
        """(N, out_channels, H, W) float32 logits before the shifted sigmoid. ``compute_dtype`` overrides
        :attr:`compute_dtype` for this call (the engine's GPU steps)."""
        dtype = compute_dtype or self.compute_dtype
        with torch.autocast(features.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            if torch.is_grad_enabled() or dtype is not None:
                hidden = features
                for layer in self.layers:
                    hidden = layer(hidden, z)
            elif not bool(z.any()):
                hidden = self._hidden_without_control(features)
            else:
                hidden = self._hidden_in_place(features, z)
            logits = self.head(hidden)
        return logits.float()

    def _hidden_in_place(self, features: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """The layers' output (N, width, H, W) without autograd, bit for bit the layer loop's: after the
        first layer, every layer reads one buffer cat(h, z) whose z part is written once and whose h part
        each activation overwrites, instead of a new concatenation per layer (they took a sixth of a
        12-MP decode's time)."""
        first, *rest = self.layers
        hidden = first(features, z)
        if not rest:
            return hidden
        width = hidden.shape[1]
        stacked = torch.cat([hidden, z], 1)
        own = stacked[:, :width]
        for layer in rest:
            assert isinstance(layer, ControlledLayer)
            torch.ops.aten.leaky_relu.out(layer.norm(layer.conv(stacked)), layer.act.negative_slope, out=own)
        return own

    def _hidden_without_control(self, features: torch.Tensor) -> torch.Tensor:
        """The layers' output for z = 0: each convolution of cat(h, 0) as the convolution of h by the weights'
        h part, with the same module (its hooks report progress). The zero channels only add exact zeros to
        every sum, which leave a float sum as it is, so the result is bit for bit the same (tested), at
        a third less work for the luma net (its z channels are 64 of 112 inputs)."""
        hidden = features
        for layer in self.layers:
            assert isinstance(layer, ControlledLayer)
            conv = layer.conv
            own = {"weight": conv.weight[:, : hidden.shape[1]]}
            hidden = layer.act(layer.norm(torch.func.functional_call(conv, own, (hidden,))))
        return hidden

    def forward(
        self,
        features: torch.Tensor,
        z: torch.Tensor,
        compute_dtype: torch.dtype | None = None,
        correction: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Δ = shifted sigmoid of (logits + ``correction``), the correction (N, out_channels, H, W) in logit
        units (see :class:`~explorer_app.decoder.correction.Correction`; None: none)."""
        logits = self.logits(features, z, compute_dtype)
        return delta_of_logits(logits if correction is None else logits + correction)


class PriorScale(nn.Module):
    """How much room each block leaves a random z: features (N, in_channels, H, W) → σ (N, 64, H, W) in
    [0.02, 1], the standard deviation of the model's prior over z there: z ~ N(0, (T·σ)²) for a random decode
    at temperature T. Learnt by the explorable model's prior phase (docs/decoder.md): near 0 where the file
    fixes the content (flat areas), so random decodes leave them clean, near 1 where texture was lost. The
    nets read z as it is, so an optimized z keeps its full reach everywhere. Starts at ≈ 0.88 everywhere.
    1×1 convolutions: a block's σ reads only its own coefficients and tables."""

    START_BIAS = 2.0
    FLOOR = 0.02

    def __init__(self, in_channels: int, width: int = 32) -> None:
        super().__init__()
        first, last = nn.Conv2d(in_channels, width, 1), nn.Conv2d(width, Z_CHANNELS, 1)
        self.body = nn.Sequential(first, nn.LeakyReLU(0.2), last)
        nn.init.zeros_(last.weight)
        nn.init.constant_(last.get_parameter("bias"), self.START_BIAS)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.FLOOR + (1.0 - self.FLOOR) * torch.sigmoid(self.body(features).float())
