"""Paper eq. 2 on a window: the image nearest (per DCT coefficient) to a desired one that the file allows."""

from __future__ import annotations

import operator
from functools import reduce

import torch

from ..decoder.code_tensors import CodeTensors
from ..decoder.render import render_image
from ..ops.quantization import project_to_box
from ..verify.reference_encoder import encode_normalized, file_quantized, split_components


def project_to_file(desired: torch.Tensor, code: CodeTensors, margin: float = 0.0) -> torch.Tensor:
    """(N, C, h, w) desired image in [0, 255] → (N, C, h, w) consistent image: encode with the reference
    encoder, clip every coefficient into its quantization box (eq. 2), ``margin`` steps inside its edges,
    render back."""
    normalized = split_components(encode_normalized(desired, code))
    tables = split_components(_tables(code))
    projected = [
        project_to_box(n * t, q, t, margin) / t
        for n, q, t in zip(normalized, split_components(file_quantized(code)), tables, strict=True)
    ]
    chroma = torch.cat(projected[1:], 1) if len(projected) > 1 else None
    return render_image(projected[0], code.y_table, chroma, code.c_table, code.chroma_factor, code.height, code.width)


EXACT_MARGIN = 0.02
"""How far inside the quantization box (in steps) an exact edit places every coefficient: Δ within ±0.48,
inside the decoder's ±DELTA_LIMIT, so the logit correction that realizes it is finite."""


def deltas_toward(
    desired: torch.Tensor,
    start: torch.Tensor,
    start_deltas: tuple[torch.Tensor, torch.Tensor | None],
    code: CodeTensors,
    margin: float = EXACT_MARGIN,
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor, torch.Tensor | None]:
    """Where the desired images (N, C, h, w) in [0, 255] put every coefficient inside its interval, clipped
    to ±(½ − ``margin``) (paper eq. 2), for a window now showing ``start`` (1, C, h, w) decoded from the Δ
    maps ``start_deltas`` (Δ_Y (1, 64, by, bx), Δ_CbCr (1, 128, cby, cbx) or None).

    Returns (Δ_Y, Δ_CbCr or None, changed_Y, changed_CbCr or None): the new Δ maps (N images) and bool
    (N, 1, ·, ·) maps of the blocks whose coefficients the desired images move. Each Δ is the start's plus
    what the edit moves the coefficient by under the reference encoder, so pixels the edit leaves alone keep
    their coefficients exactly (re-encoding a decode would not: chroma upsampling then averaging is no
    identity)."""
    moved = [
        d - s
        for d, s in zip(
            encode_normalized(desired.clamp(0, 255), code), encode_normalized(start.clamp(0, 255), code), strict=True
        )
    ]
    limit = 0.5 - margin
    starts = [start_deltas[0]] + ([start_deltas[1]] if start_deltas[1] is not None else [])
    deltas = [(s + m).clamp(-limit, limit) for s, m in zip(starts, moved, strict=True)]
    changed = [(m.abs() > CHANGE_FLOOR).any(1, keepdim=True) for m in moved]
    if len(deltas) == 1:
        return deltas[0], None, changed[0], None
    return deltas[0], deltas[1], changed[0], changed[1]


CHANGE_FLOOR = 1e-3
"""A coefficient moved by less than this (in quantization steps) counts as untouched by an edit."""


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
