"""Decode a whole file with a decoder: the z = 0 or seeded-z output, without gradients."""
from __future__ import annotations

import torch

from ..codec.jpeg_code import JpegCode
from .code_tensors import CodeTensors
from .model import JpegDecoder, random_control, zero_control


def decode_code(decoder: JpegDecoder, code: JpegCode, seed: int | None = None,
                device: torch.device | str = "cpu") -> dict[str, torch.Tensor | None]:
    """Forward dict of ``decoder`` on ``code`` (see JpegDecoder) with z = 0, or z ~ N(0, σ²) from ``seed`` at
    the decoder's sampling temperature σ."""
    tensors = CodeTensors.from_code(code).to(device)
    z = zero_control(tensors) if seed is None else random_control(tensors, seed, decoder.sample_temperature)
    with torch.no_grad():
        return decoder.eval()(tensors, z)
