"""Shared makers for the engine tests: small synthetic JPEGs and tiny random decoders (no test here)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from explorer_app.codec import read_jpeg
from explorer_app.decoder.model import DecoderSize, JpegDecoder
from explorer_app.engine import Session

TINY = DecoderSize(16, 2, 16, 2)


def synthetic_picture(height: int, width: int, seed: int = 0) -> np.ndarray:
    """uint8 (H, W, 3): gradients, a few discs and bars, mild noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.stack([80 + 100 * xx / width, 60 + 120 * yy / height, 140 + 60 * np.sin(xx / 7.0)], -1)
    for _ in range(6):
        cy, cx, r = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(4, 14)
        image[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.uniform(0, 255, 3)
    image[:, ::9] *= 0.7
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def write_jpeg(path: Path, height: int = 96, width: int = 128, quality: int = 20, subsampling: int = 2,
               grey: bool = False, seed: int = 0) -> Path:
    """A JPEG of a synthetic picture; subsampling as Pillow's (0: 4:4:4, 1: 4:2:2, 2: 4:2:0)."""
    image = Image.fromarray(synthetic_picture(height, width, seed))
    if grey:
        image = image.convert("L")
    image.save(path, quality=quality, subsampling=subsampling)
    return path


def tiny_decoder(seed: int = 0, size: DecoderSize = TINY) -> JpegDecoder:
    """A random decoder whose output heads are not zero, so z visibly changes the decode."""
    torch.manual_seed(seed)
    decoder = JpegDecoder(size, name=f"tiny-random-{seed}")
    for head in (decoder.luma.head, decoder.chroma.head):
        nn.init.normal_(head.weight, std=0.15)
    return decoder.eval()


def controllable_decoder(seed: int = 0, gain: float = 2.0) -> JpegDecoder:
    """A JpegDecoder whose z steers each block's Δ directly, like a well-trained explorable decoder:
    luma Δ_k ← z_k, Cb Δ_k ← z_(k+16) mod 64, Cr Δ_k ← z_(k+40) mod 64 (through one layer, plus small
    random weights). Every consistent image is reachable, so tool tests measure the engine, not the net."""
    torch.manual_seed(seed)
    decoder = JpegDecoder(DecoderSize(64, 1, 128, 1), name=f"controllable-{seed}")
    for net, feature_channels, sources in ((decoder.luma, 128, [list(range(64))]),
                                           (decoder.chroma, 512, [[(k + 16) % 64 for k in range(64)],
                                                                  [(k + 40) % 64 for k in range(64)]])):
        conv, head = net.layers[0].conv, net.head
        with torch.no_grad():
            nn.init.normal_(conv.weight, std=0.002)
            nn.init.normal_(head.weight, std=0.002)
            conv.bias.zero_()
            head.bias.zero_()
            for j in range(64):
                conv.weight[j, feature_channels + j, 1, 1] = 1.0
            for part, source in enumerate(sources):
                for k, j in enumerate(source):
                    head.weight[64 * part + k, j, 1, 1] = gain
    return decoder.eval()


def tiny_session(tmp_path: Path, decoder: JpegDecoder | None = None, **jpeg_options: object) -> Session:
    """A session on a synthetic JPEG (options: see write_jpeg) with a tiny random decoder by default."""
    return Session(read_jpeg(write_jpeg(tmp_path / "input.jpg", **jpeg_options)), decoder or tiny_decoder())


class StandInClassifier(nn.Module):
    """A random glyph classifier with the GlyphClassifier interface: (N, 3, H, W) in [0, 255] → logits."""

    def __init__(self, classes: list[str], seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.classes = classes
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Tanh(), nn.AdaptiveAvgPool2d(4))
        self.head = nn.Linear(8 * 16, len(classes))
        self.requires_grad_(False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return 4.0 * self.head(self.features(images / 32.0 - 4.0).flatten(1))
