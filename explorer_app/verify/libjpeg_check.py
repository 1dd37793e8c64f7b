"""Second opinion: re-encode with libjpeg itself (Pillow, the file's tables and sampling), read back the
coefficients with jpeglib, and compare; also the same figure for libjpeg's own plain decode."""
from __future__ import annotations

import io
import tempfile

import numpy as np
import torch
from PIL import Image

from ..codec.jpeg_code import JpegCode
from .report import ComponentAgreement, agreement

_PILLOW_SUBSAMPLING = {(1, 1): 0, (1, 2): 1, (2, 2): 2}


def libjpeg_unavailable_reason(code: JpegCode) -> str:
    """Why Pillow cannot re-encode with this file's settings, or "" when it can."""
    if code.is_color and code.chroma_factor not in _PILLOW_SUBSAMPLING:
        return f"libjpeg re-encode skipped: Pillow cannot write {code.subsampling} sampling"
    if code.is_color and not np.array_equal(code.tables[1], code.tables[2]):
        return "libjpeg re-encode skipped: Cb and Cr use different tables, which Pillow cannot write"
    return ""


def libjpeg_agreement(image_8bit: np.ndarray, code: JpegCode) -> list[ComponentAgreement]:
    """Re-encode uint8 (H, W, C) with libjpeg using the file's tables and sampling and compare."""
    import jpeglib

    pixels = image_8bit[:, :, 0] if image_8bit.shape[2] == 1 else image_8bit
    tables = [code.tables[0].ravel().tolist()] + ([code.tables[1].ravel().tolist()] if code.is_color else [])
    options = {"qtables": tables}
    if code.is_color:
        options["subsampling"] = _PILLOW_SUBSAMPLING[code.chroma_factor]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, format="JPEG", **options)
    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        dct = jpeglib.read_dct(handle.name)
        dct.load()
        reencoded = [dct.Y] + ([dct.Cb, dct.Cr] if code.is_color else [])
    cropped = [torch.from_numpy(r[: o.shape[0], : o.shape[1]].astype(np.int32)) for r, o in
               zip(reencoded, code.coefficients)]
    original = [torch.from_numpy(o.astype(np.int32)) for o in code.coefficients]
    return agreement(cropped, original)
