"""Alternating projection of the broken MCUs only (paper eq. 2 on a window around each group of them).

A group is one 8-connected set of broken MCUs, cut into bands of whole MCU rows to bound memory. Its window
is re-encoded, every coefficient clamped into the box shrunk by a margin and the window rendered back; only
the group's own MCUs take the rendered pixels. The ring of one MCU around each band is context: it makes the
chroma upsampling at the band's edge see the true neighbours, as a whole-image render would. Re-encoding
an MCU gives back its clamped coefficients up to the rounding of storage, whatever its neighbours hold.

The render inverts the reference encoder. For another target encoder (libjpeg's integer pipeline, close to
it but not equal) the projection corrects by the target's own residual: the reference encoder's
coefficients move by exactly what clamping moves the target's, so the target's error is fed back each
round rather than the reference encoder's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy import ndimage

from ..decoder.code_tensors import CodeTensors
from ..decoder.render import coefficients_to_plane
from ..ops.color import ycbcr_to_rgb
from ..ops.quantization import clamp_to_box
from ..ops.resample import consistent_upsample
from ..verify.encoders import REFERENCE, Encoder
from ..verify.interrupt import Check, never
from ..verify.png_io import to_samples
from ..verify.reference_encoder import encode_normalized, file_quantized
from ..verify.tiles import STRIP_PIXELS, Window, mcu_shape, pixel_window
from .stored import batch_code, batches, window_pixels


def fold_padding(plane: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Least-squares inverse of edge replication: (N, C, Hc, Wc) canvas → (N, C, height, width) where the
    last kept row and column take the mean of every canvas pixel that replicates them."""
    plane = (
        plane[:, :, :, :width].clone()
        if plane.shape[3] == width
        else torch.cat([plane[:, :, :, : width - 1], plane[:, :, :, width - 1 :].mean(3, keepdim=True)], 3)
    )
    if plane.shape[2] == height:
        return plane
    return torch.cat([plane[:, :, : height - 1], plane[:, :, height - 1 :].mean(2, keepdim=True)], 2)


def render_folded(normalized: list[torch.Tensor], code: CodeTensors) -> torch.Tensor:
    """Pixels (N, C, H, W) whose re-encoding best matches ``normalized`` ([Y, CbCr] maps): each plane is
    rendered on its own canvas and folded back onto the true size (see :func:`fold_padding`)."""
    y = fold_padding(coefficients_to_plane(normalized[0], code.y_table), code.height, code.width)
    if not code.is_color:
        return y
    _, tables = code.chroma()
    chroma = torch.cat(
        [
            coefficients_to_plane(normalized[1][:, :64], tables[:, :64]),
            coefficients_to_plane(normalized[1][:, 64:], tables[:, 64:]),
        ],
        1,
    )
    chroma = fold_padding(consistent_upsample(chroma, code.chroma_factor), code.height, code.width)
    return ycbcr_to_rgb(torch.cat([y, chroma], 1))


@dataclass(frozen=True)
class Group:
    """A band of one 8-connected group of broken MCUs. core: the band of the group's bounding box and
    context: the core grown by one MCU on every side (pixel windows, clipped to the image); mcus: bool
    (rows, cols) over the core's MCUs, the group's own, the only ones its projection stores."""

    core: Window
    context: Window
    mcus: np.ndarray

    def pixels(self, code: CodeTensors) -> np.ndarray:
        """Bool (h, w) over the core: the pixels of the group's own MCUs."""
        mcu_h, mcu_w = mcu_shape(code)
        top, left, bottom, right = self.core
        return self.mcus.repeat(mcu_h, 0).repeat(mcu_w, 1)[: bottom - top, : right - left]


def groups(broken: np.ndarray, code: CodeTensors, strip_pixels: int = STRIP_PIXELS) -> list[Group]:
    """The groups of broken MCUs (``broken``: bool (MCU rows, cols)), each cut into bands of about
    ``strip_pixels``. Every broken MCU belongs to exactly one band."""
    labels, _ = ndimage.label(broken, np.ones((3, 3), dtype=bool))
    mcu_pixels = int(np.prod(mcu_shape(code)))
    result = []
    for label, (rows, cols) in enumerate(ndimage.find_objects(labels), start=1):
        band = max(1, strip_pixels // ((cols.stop - cols.start) * mcu_pixels))
        for top in range(rows.start, rows.stop, band):
            bottom = min(rows.stop, top + band)
            result.append(
                Group(
                    pixel_window((top, cols.start, bottom, cols.stop), code),
                    pixel_window((top - 1, cols.start - 1, bottom + 1, cols.stop + 1), code),
                    labels[top:bottom, cols] == label,
                )
            )
    return result


def corrected(pixels: torch.Tensor, code: CodeTensors, encoder: Encoder, margin: float) -> list[torch.Tensor]:
    """Reference-encoder coefficients of pixels (N, C, h, w) moved by what clamping ``encoder``'s into their
    boxes (shrunk by ``margin``) moves those: the target of one projection, [Y, CbCr] maps."""
    reference = encode_normalized(pixels, code)
    target = reference if encoder is REFERENCE else encoder.normalized(pixels, code)
    return [r + clamp_to_box(t, q, margin) - t for r, t, q in zip(reference, target, file_quantized(code), strict=True)]


def project(
    samples: np.ndarray,
    broken: np.ndarray,
    code: CodeTensors,
    margin: float,
    bit_depth: int,
    encoder: Encoder,
    strip_pixels: int = STRIP_PIXELS,
    interrupt: Check = never,
) -> list[Group]:
    """One round for every group: all renders read ``samples`` as the round found them, then the groups'
    own MCUs are stored (so the result does not depend on the bands or batches). Groups whose context
    windows share a size are projected as one batch of about ``strip_pixels``. Returns the groups, to
    re-check. ``interrupt``: called before every batch (:mod:`~explorer_app.verify.interrupt`)."""
    bands = groups(broken, code, strip_pixels)
    contexts = [group.context for group in bands]
    renders: dict[int, np.ndarray] = {}
    for batch in batches(contexts, strip_pixels):
        interrupt()
        chosen = [contexts[index] for index in batch]
        part = batch_code(code, chosen)
        pixels = torch.cat([window_pixels(samples, window, bit_depth) for window in chosen])
        rendered = render_folded(corrected(pixels, part, encoder, margin), part).permute(0, 2, 3, 1).numpy()
        for index, image in zip(batch, to_samples(rendered, bit_depth), strict=True):
            group = bands[index]
            (top, left, bottom, right), (outer_top, outer_left, _, _) = group.core, group.context
            renders[index] = image[top - outer_top : bottom - outer_top, left - outer_left : right - outer_left][
                group.pixels(code)
            ]
    for index, group in enumerate(bands):
        top, left, bottom, right = group.core
        samples[top:bottom, left:right][group.pixels(code)] = renders[index]
    return bands
