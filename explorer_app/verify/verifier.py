"""Judge an image against a JPEG file: the reference encoder must give back every coefficient."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import torch

from ..codec.jpeg_code import JpegCode, plain_decode
from ..codec.tables import estimate_ijg_quality
from .libjpeg_check import libjpeg_agreement, libjpeg_unavailable_reason
from .png_io import read_png
from .reference_encoder import code_tensors64, file_quantized, quantize_reference, split_components
from .report import COMPONENT_NAMES, ComponentAgreement, VerificationReport, agreement


def image_tensor(image: np.ndarray) -> torch.Tensor:
    """float (H, W, C) → float64 (1, C, H, W)."""
    return torch.from_numpy(np.ascontiguousarray(image, dtype=np.float64)).permute(2, 0, 1)[None]


def reference_agreement(image: np.ndarray, code: JpegCode) -> list[ComponentAgreement]:
    """Per-component agreement of the reference encoder's X_Q for ``image`` (H, W, C) with the file's."""
    tensors = code_tensors64(code)
    reencoded = split_components(quantize_reference(image_tensor(image), tensors))
    return agreement(reencoded, split_components(file_quantized(tensors)))


def source_facts(code: JpegCode) -> dict[str, object]:
    quality, error = estimate_ijg_quality(code.tables[0])
    return {"path": code.source, "sha256": code.sha256, "width": code.width, "height": code.height,
            "subsampling": code.subsampling, "progressive": code.progressive,
            "estimated_ijg_quality": quality, "tables_match_ijg": error == 0.0,
            "tables": {name: table.tolist() for name, table in zip(COMPONENT_NAMES, code.tables)}}


def verify_image(image: np.ndarray, bit_depth: int, code: JpegCode, image_path: str = "",
                 compare_libjpeg: bool = True) -> VerificationReport:
    """Verify ``image`` (H, W, C) on the [0, 255] scale, as stored at ``bit_depth``, against ``code``."""
    notes: list[str] = []
    channels = 3 if code.is_color else 1
    facts: dict[str, object] = {"path": image_path, "bit_depth": bit_depth,
                                "width": int(image.shape[1]), "height": int(image.shape[0])}
    if image_path:
        facts["sha256"] = hashlib.sha256(Path(image_path).read_bytes()).hexdigest()
    if image.shape[:2] != (code.height, code.width):
        notes.append(f"size {image.shape[1]}×{image.shape[0]} differs from the JPEG's {code.width}×{code.height}")
        return VerificationReport(False, facts, source_facts(code), [], None, None, notes=notes)
    if image.shape[2] != channels:
        image = image.mean(axis=2, keepdims=True) if channels == 1 else np.repeat(image, 3, axis=2)
        notes.append("channel count differs from the JPEG's; converted before re-encoding")
    reference = reference_agreement(image, code)
    verified = all(c.identical == c.total for c in reference)
    libjpeg = plain = None
    reason = libjpeg_unavailable_reason(code)
    if compare_libjpeg and not reason:
        libjpeg = libjpeg_agreement(np.round(np.clip(image, 0, 255)).astype(np.uint8), code)
        plain_pixels = plain_decode(code.source) if code.source and os.path.exists(code.source) else None
        if plain_pixels is not None:
            plain_pixels = plain_pixels[:, :, None] if plain_pixels.ndim == 2 else plain_pixels
            plain = libjpeg_agreement(plain_pixels, code)
    if not verified:
        bad = ", ".join(f"{c.name} {c.total - c.identical}" for c in reference if c.identical < c.total)
        notes.append(f"coefficients that re-quantize differently: {bad}")
    return VerificationReport(verified, facts, source_facts(code), reference, libjpeg, plain,
                              libjpeg_note=reason, notes=notes)


def verify_file(image_path: str | os.PathLike, code: JpegCode) -> VerificationReport:
    """Read a PNG (or other lossless image) and verify it against ``code``."""
    image, bit_depth = read_png(image_path)
    return verify_image(image, bit_depth, code, str(image_path))
