"""Differentiable preprocessing shared by every glyph classifier and its training data."""

import torch
import torch.nn.functional as F
from torch import Tensor

# JFIF / BT.601 luma weights, the same Y that JPEG stores.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def luminance(images: Tensor) -> Tensor:
    """(N, 3, H, W) RGB in [0, 255] -> (N, 1, H, W) luma Y in [0, 255].

    Python-float weights, no constant tensor: nothing is copied to the device per call, so the
    classifier can run inside a captured CUDA graph."""
    red, green, blue = images.split(1, dim=1)
    return LUMA_WEIGHTS[0] * red + LUMA_WEIGHTS[1] * green + LUMA_WEIGHTS[2] * blue


def resize_square(images: Tensor, size: int) -> Tensor:
    """(N, C, H, W) -> (N, C, size, size): bilinear, antialiased when shrinking; aspect is not kept."""
    if images.shape[-2:] == (size, size):
        return images
    return F.interpolate(images, size=(size, size), mode="bilinear", antialias=True, align_corners=False)


def standardize(luma: Tensor, floor: float = 2.0) -> Tensor:
    """(N, 1, S, S) luma in [0, 255] -> zero mean, unit contrast per image, glyph drawn bright.

    The contrast is sqrt(variance + floor²), so a flat patch is not amplified to pure noise
    (floor in grey levels). Polarity comes from the sign of the third moment: strokes cover
    fewer pixels than the background, so they form the histogram's long tail. That sign is
    piecewise constant and carries no gradient; the network is trained on both polarities
    anyway, so a wrong guess on a crowded box costs little.
    """
    centred = luma - luma.mean(dim=(1, 2, 3), keepdim=True)
    contrast = centred.pow(2).mean(dim=(1, 2, 3), keepdim=True).add(floor**2).sqrt()
    normalised = centred / contrast
    skew = normalised.pow(3).mean(dim=(1, 2, 3), keepdim=True).detach()
    return normalised * torch.where(skew < 0, -1.0, 1.0)
