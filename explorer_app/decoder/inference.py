"""Decode a whole file with a decoder: the z = 0 or seeded-z output, without gradients."""
from __future__ import annotations

import torch

from ..codec.jpeg_code import JpegCode
from .code_tensors import CodeTensors
from .model import JpegDecoder, random_control, zero_control


def decode_code(decoder: JpegDecoder, code: JpegCode, seed: int | None = None,
                device: torch.device | str = "cpu") -> dict[str, torch.Tensor | None]:
    """Forward dict of ``decoder`` on ``code`` (see JpegDecoder) with z = 0, or a z of the decoder's prior at
    its sampling temperature drawn from ``seed``."""
    tensors = CodeTensors.from_code(code).to(device)
    with torch.no_grad():
        z = zero_control(tensors) if seed is None else decoder.sample_control(tensors, random_control(tensors, seed))
        return decoder.eval()(tensors, z)
