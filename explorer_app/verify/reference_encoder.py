"""The reference JPEG encoder of docs/verification.md, written out: float JFIF RGB→YCbCr, edge replication to
the MCU, chroma box averaging, orthonormal float 8×8 DCT, divide by M, round half away from zero.
"""

from __future__ import annotations

import torch

from ..codec.jpeg_code import JpegCode
from ..decoder.code_tensors import CodeTensors
from ..decoder.render import pad_to
from ..ops.color import rgb_to_ycbcr
from ..ops.dct import block_dct
from ..ops.quantization import round_half_away
from ..ops.resample import box_downsample


def encode_normalized(image: torch.Tensor, code: CodeTensors) -> list[torch.Tensor]:
    """X_D ⊘ M per component, before rounding: image (N, 3 or 1, H, W) in [0, 255] → [Y (N, 64, by, bx),
    CbCr (N, 128, cby, cbx)] (the second only for colour files), on the grids of ``code``. A colour image
    for a grey file is judged on its luma, as an encoder makes a grey file from colour input."""
    fy, fx = code.chroma_factor
    height, width = image.shape[2:]
    mcu_h, mcu_w = -(-height // (8 * fy)) * 8 * fy, -(-width // (8 * fx)) * 8 * fx
    planes = rgb_to_ycbcr(image) if image.shape[1] == 3 else image
    planes = pad_to(planes, mcu_h, mcu_w) - 128.0
    _, _, by, bx = code.y_q.shape
    y = block_dct(planes[:, :1, : 8 * by, : 8 * bx]) / code.y_table
    if code.c_q is None:
        return [y]
    _, _, cby, cbx = code.c_q.shape
    chroma = box_downsample(planes[:, 1:], (fy, fx))[:, :, : 8 * cby, : 8 * cbx]
    cb, cr = block_dct(chroma[:, :1]), block_dct(chroma[:, 1:])
    return [y, torch.cat([cb, cr], 1) / code.c_table]


def quantize_reference(image: torch.Tensor, code: CodeTensors) -> list[torch.Tensor]:
    """The reference encoder's X_Q per component: [Y (N, 64, by, bx), CbCr (N, 128, cby, cbx)]."""
    return [round_half_away(n) for n in encode_normalized(image, code)]


def file_quantized(code: CodeTensors) -> list[torch.Tensor]:
    """The file's own X_Q in the same layout as :func:`quantize_reference`."""
    return [code.y_q] if code.c_q is None else [code.y_q, code.c_q]


def split_components(maps: list[torch.Tensor]) -> list[torch.Tensor]:
    """[Y, CbCr] → [Y, Cb, Cr] (64 channels each)."""
    return maps[:1] + ([maps[1][:, :64], maps[1][:, 64:]] if len(maps) > 1 else [])


def code_tensors64(code: JpegCode) -> CodeTensors:
    """The file as float64 tensors, the precision verification runs in."""
    return CodeTensors.from_code(code, dtype=torch.float64)
