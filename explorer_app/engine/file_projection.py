"""Paper eq. 2 on a window: the image nearest (per DCT coefficient) to a desired one that the file allows."""

from __future__ import annotations

import operator
from functools import reduce

import torch

from ..decoder.code_tensors import CodeTensors
from ..decoder.render import render_image
from ..ops.quantization import project_to_box
from ..verify.reference_encoder import encode_normalized, file_quantized, split_components


def project_to_file(desired: torch.Tensor, code: CodeTensors) -> torch.Tensor:
    """(N, C, h, w) desired image in [0, 255] → (N, C, h, w) consistent image: encode with the reference
    encoder, clip every coefficient into its quantization box (eq. 2), render back."""
    normalized = split_components(encode_normalized(desired, code))
    tables = split_components(_tables(code))
    projected = [
        project_to_box(n * t, q, t) / t
        for n, q, t in zip(normalized, split_components(file_quantized(code)), tables, strict=True)
    ]
    chroma = torch.cat(projected[1:], 1) if len(projected) > 1 else None
    return render_image(projected[0], code.y_table, chroma, code.c_table, code.chroma_factor, code.height, code.width)


def _tables(code: CodeTensors) -> list[torch.Tensor]:
    """[M_Y (1, 64, 1, 1), M_CbCr (1, 128, 1, 1)] in the layout of encode_normalized (grey: M_Y only)."""
    return [code.y_table] if code.c_table is None else [code.y_table, code.c_table]


def inconsistency(desired: torch.Tensor, code: CodeTensors) -> torch.Tensor:
    """(N,) how far each desired image is from the file: the DCT energy (grey levels², per pixel) that the
    projection of :func:`project_to_file` removes. 0 means the file could have come from it."""
    normalized = encode_normalized(desired, code)
    tables = _tables(code)
    energies = (
        (((n - q).abs() - 0.5).clamp_min(0) * t).pow(2).sum((1, 2, 3))
        for n, q, t in zip(normalized, file_quantized(code), tables, strict=True)
    )
    energy = reduce(operator.add, energies)
    return energy / (desired.shape[2] * desired.shape[3])
