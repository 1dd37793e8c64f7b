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
from .png_io import from_samples, read_png_samples
from .reference_encoder import code_tensors64, file_quantized, quantize_reference, split_components
from .report import COMPONENT_NAMES, ComponentAgreement, VerificationReport, agreement, combine
from .tiles import STRIP_PIXELS, strips


def image_tensor(image: np.ndarray) -> torch.Tensor:
    """float (H, W, C) → float64 (1, C, H, W)."""
    return torch.from_numpy(np.ascontiguousarray(image, dtype=np.float64)).permute(2, 0, 1)[None]


def stored_rows(samples: np.ndarray, bit_depth: int, top: int, bottom: int, channels: int) -> np.ndarray:
    """Rows [top, bottom) of PNG samples (H, W, C) as float64 (bottom − top, W, channels) on [0, 255]; another
    channel count than the JPEG's is converted (colour to grey: channel mean; grey to colour: repeated)."""
    part = from_samples(samples[top:bottom], bit_depth)
    if part.shape[2] != channels:
        part = part.mean(axis=2, keepdims=True) if channels == 1 else np.repeat(part, 3, axis=2)
    return part


def reference_agreement(samples: np.ndarray, bit_depth: int, code: JpegCode,
                        strip_pixels: int = STRIP_PIXELS) -> list[ComponentAgreement]:
    """Per-component agreement of the reference encoder's X_Q for PNG samples (H, W, C) with the file's,
    computed in float64 strip by strip (MCU-aligned: the figures are those of the whole image at once)."""
    tensors = code_tensors64(code)
    channels = 3 if code.is_color else 1
    parts = []
    for window in strips(tensors, strip_pixels):
        part = tensors.crop(*window)
        pixels = image_tensor(stored_rows(samples, bit_depth, window[0], window[2], channels))
        reencoded = split_components(quantize_reference(pixels, part))
        parts.append(agreement(reencoded, split_components(file_quantized(part))))
    return combine(parts)


def eight_bit(samples: np.ndarray, bit_depth: int, channels: int, strip_pixels: int = STRIP_PIXELS) -> np.ndarray:
    """PNG samples (H, W, C) rounded to uint8 (H, W, channels), a few rows at a time, for libjpeg."""
    height, width = samples.shape[:2]
    result = np.empty((height, width, channels), np.uint8)
    rows = max(1, strip_pixels // width)
    for top in range(0, height, rows):
        part = stored_rows(samples, bit_depth, top, top + rows, channels)
        result[top: top + rows] = np.round(np.clip(part, 0, 255)).astype(np.uint8)
    return result


def source_facts(code: JpegCode) -> dict[str, object]:
    quality, error = estimate_ijg_quality(code.tables[0])
    return {"path": code.source, "sha256": code.sha256, "width": code.width, "height": code.height,
            "subsampling": code.subsampling, "progressive": code.progressive,
            "estimated_ijg_quality": quality, "tables_match_ijg": error == 0.0,
            "tables": {name: table.tolist() for name, table in zip(COMPONENT_NAMES, code.tables)}}


def verify_image(samples: np.ndarray, bit_depth: int, code: JpegCode, image_path: str = "",
                 compare_libjpeg: bool = True) -> VerificationReport:
    """Verify PNG samples (H, W, C) uint8 or uint16, stored at ``bit_depth``, against ``code``."""
    notes: list[str] = []
    channels = 3 if code.is_color else 1
    facts: dict[str, object] = {"path": image_path, "bit_depth": bit_depth,
                                "width": int(samples.shape[1]), "height": int(samples.shape[0])}
    if image_path:
        facts["sha256"] = hashlib.sha256(Path(image_path).read_bytes()).hexdigest()
    if samples.shape[:2] != (code.height, code.width):
        notes.append(f"size {samples.shape[1]}×{samples.shape[0]} differs from the JPEG's {code.width}×{code.height}")
        return VerificationReport(False, facts, source_facts(code), [], None, None, notes=notes)
    if samples.shape[2] != channels:
        notes.append("channel count differs from the JPEG's; converted before re-encoding")
    reference = reference_agreement(samples, bit_depth, code)
    verified = all(c.identical == c.total for c in reference)
    libjpeg = plain = None
    reason = libjpeg_unavailable_reason(code)
    if compare_libjpeg and not reason:
        libjpeg = libjpeg_agreement(eight_bit(samples, bit_depth, channels), code)
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
    samples, bit_depth = read_png_samples(image_path)
    return verify_image(samples, bit_depth, code, str(image_path))
