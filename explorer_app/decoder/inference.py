"""Decode a whole file with a decoder: the z = 0 or seeded-z output, without gradients.

A large image is decoded in full-width strips of whole MCU rows, each with a halo of the decoder's receptive
radius above and below, so the temporaries stay bounded (about ``STRIP_PIXELS`` at a time, at least three
halos tall so that the halos cost at most two thirds again) while every output value is the one the
whole-image forward gives: the halo holds everything a strip's outputs can depend on, and only the strip's
own rows are kept. Bit for bit equal on the CPU for the shipped sizes (tests/test_hostile_memory.py); a net
with very few channels can differ in the last bit, where oneDNN picks its convolution algorithm by size.
"""

from __future__ import annotations

import torch

from ..codec.jpeg_code import JpegCode
from .code_tensors import CodeTensors
from .model import JpegDecoder, random_control, zero_control

STRIP_PIXELS = 1 << 21
"""Pixels of output per strip (2 MP); an image up to this size is decoded in one piece. The temporaries of
rendering dominate a strip's memory: about 150 bytes per pixel of the strip and its halos."""

Output = dict[str, torch.Tensor | None]


def decode_code(
    decoder: JpegDecoder,
    code: JpegCode,
    seed: int | None = None,
    device: torch.device | str = "cpu",
    strip_pixels: int = STRIP_PIXELS,
) -> Output:
    """Forward dict of ``decoder`` on ``code`` (see JpegDecoder) with z = 0, or a z of the decoder's prior at
    its sampling temperature drawn from ``seed``. The result does not depend on ``strip_pixels``."""
    tensors = CodeTensors.from_code(code).to(device)
    decoder = decoder.eval()
    with torch.no_grad():
        z = zero_control(tensors) if seed is None else decoder.sample_control(tensors, random_control(tensors, seed))
        if code.height * code.width <= strip_pixels:
            return decoder(tensors, z)
        return decode_in_strips(decoder, tensors, z, strip_pixels)


def decode_in_strips(decoder: JpegDecoder, tensors: CodeTensors, z: torch.Tensor, strip_pixels: int) -> Output:
    """The whole-image forward of ``decoder`` (no gradients), computed strip by strip."""
    fy = tensors.chroma_factor[0]
    mcu_rows = 8 * fy
    halo = -(-decoder.receptive_radius_blocks // fy) * mcu_rows  # pixels, whole MCU rows
    rows = max(strip_pixels // (tensors.width * mcu_rows) * mcu_rows, 3 * halo)  # halo work ≤ 1.67× the strip's
    strips = -(-tensors.height // rows)
    rows = -(-tensors.height // (strips * mcu_rows)) * mcu_rows  # equal strips: no small last one
    channels = 3 if tensors.is_color else 1
    image = tensors.y_q.new_empty((1, channels, tensors.height, tensors.width))
    delta_y = torch.empty_like(tensors.y_q)
    delta_c = None if tensors.c_q is None else torch.empty_like(tensors.c_q)
    for top in range(0, tensors.height, rows):
        bottom = min(tensors.height, top + rows)
        outer_top, outer_bottom = max(0, top - halo), min(tensors.height, bottom + halo)
        crop = tensors.crop(outer_top, 0, outer_bottom, tensors.width)
        z_crop = z[:, :, outer_top // 8 : outer_top // 8 + crop.y_q.shape[2]]
        part = decoder(crop, z_crop)
        image[:, :, top:bottom] = part["image"][:, :, top - outer_top : bottom - outer_top]
        _copy_rows(delta_y, part["delta_y"], top // 8, -(-bottom // 8), outer_top // 8)
        if delta_c is not None:
            c_rows = 8 * fy
            _copy_rows(delta_c, part["delta_c"], top // c_rows, -(-bottom // c_rows), outer_top // c_rows)
    return {"delta_y": delta_y, "delta_c": delta_c, "image": image}


def _copy_rows(target: torch.Tensor, part: torch.Tensor, start: int, stop: int, part_start: int) -> None:
    """Rows [start, stop) of ``target`` (N, C, rows, cols) from ``part``, whose first row is ``part_start``."""
    target[:, :, start:stop] = part[:, :, start - part_start : stop - part_start]
