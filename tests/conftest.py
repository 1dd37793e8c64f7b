"""Shared fixtures: tiny seeded decoders, synthetic photo-like images, JPEGs written by Pillow at test time,
and a models folder the CLI finds through ``JPEG_EXPLORER_MODELS``."""
from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from explorer_app.decoder.model import DecoderSize, JpegDecoder

TINY = DecoderSize(luma_width=8, luma_depth=2, chroma_width=8, chroma_depth=2)
PILLOW_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}


def tiny_decoder(seed: int = 0, head_scale: float = 1.0) -> JpegDecoder:
    """A tiny decoder with every weight drawn from ``seed``; the head is not zero, so Δ spans most of (−½, ½).

    ``head_scale=0`` keeps the zero head of an untrained decoder (Δ = 0, the plain decode).
    """
    torch.manual_seed(seed)
    decoder = JpegDecoder(TINY, name=f"tiny-{seed}")
    with torch.no_grad():
        for net in (decoder.luma, decoder.chroma):
            net.head.weight.normal_(0.0, head_scale)
            net.head.bias.normal_(0.0, head_scale)
    return decoder.eval()


def synthetic_photo(height: int, width: int, seed: int = 0, color: bool = True) -> np.ndarray:
    """A uint8 (H, W, 3) or (H, W) image that JPEG-compresses like a photo: smooth fields at a few scales,
    a sharp edge, fine texture, values mostly inside [16, 235]."""
    rng = np.random.default_rng(seed)
    channels = 3 if color else 1
    image = np.zeros((height, width, channels))
    for cells, amplitude in ((3, 32.0), (12, 14.0), (48, 6.0)):
        coarse = rng.normal(0.0, 1.0, (cells, cells, channels)).astype(np.float32)
        field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
        image += amplitude * field.reshape(height, width, channels)
    yy, xx = np.mgrid[0:height, 0:width]
    angle = rng.uniform(0, np.pi)
    edge = (np.cos(angle) * (xx - width / 2) + np.sin(angle) * (yy - height / 2)) > 0
    image += np.where(edge, 14.0, -14.0)[:, :, None] * rng.uniform(0.5, 1.0, channels)
    image += rng.normal(0.0, 4.0, image.shape)
    image = 125.5 + 110.0 * np.tanh(image / 110.0) + rng.uniform(-15, 15, channels)  # soft limit to ~[16, 235]
    pixels = np.clip(np.round(image), 0, 255).astype(np.uint8)
    return pixels if color else pixels[:, :, 0]


def jpeg_bytes(pixels: np.ndarray, quality: int | None = 50, subsampling: str = "4:2:0",
               progressive: bool = False, qtables: list[list[int]] | None = None,
               orientation: int | None = None) -> bytes:
    """Encode ``pixels`` (uint8 (H, W) grey or (H, W, 3) RGB) with Pillow/libjpeg."""
    image = Image.fromarray(pixels)
    options: dict[str, object] = {"progressive": progressive}
    if qtables is not None:
        options["qtables"] = qtables
    else:
        options["quality"] = quality
    if image.mode != "L":
        options["subsampling"] = PILLOW_SUBSAMPLING[subsampling]
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def write_jpeg(path: Path, pixels: np.ndarray, **options: object) -> Path:
    path.write_bytes(jpeg_bytes(pixels, **options))
    return path


@pytest.fixture
def models_folder(tmp_path_factory, monkeypatch):
    """A models folder holding tiny random decoders in the trained format under every shipped name and size,
    made the application's models folder through JPEG_EXPLORER_MODELS."""
    from explorer_app.decoder.registry import MODEL_NAMES, save_decoder

    folder = tmp_path_factory.mktemp("models")
    for name in MODEL_NAMES:
        for size in ("lite", "full"):
            save_decoder(tiny_decoder(seed=1), folder, name, size)
    monkeypatch.setenv("JPEG_EXPLORER_MODELS", str(folder))
    return folder
