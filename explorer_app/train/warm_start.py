"""Start the explorable phase from trained faithful weights instead of training the L1 phases again."""
from __future__ import annotations

from pathlib import Path

import torch

from ..decoder.model import JpegDecoder
from ..decoder.networks import Z_CHANNELS
from ..decoder.registry import load_decoder

Z_WEIGHT_SCALE = 1.0
"""The faithful model never saw z ≠ 0, so its z weights are still at their random initialization; they are
shrunk by this factor so that at the start every z gives (almost) the faithful decode."""


def start_from_faithful(decoder: JpegDecoder, folder: Path, size: str) -> None:
    """Copy ``faithful-<size>`` from ``folder`` into ``decoder`` (same architecture) and shrink the z weights."""
    faithful = load_decoder("faithful", size, folder)
    decoder.load_state_dict(faithful.state_dict())
    with torch.no_grad():
        for net in (decoder.luma, decoder.chroma):
            for layer in net.layers:
                layer.conv.weight[:, -Z_CHANNELS:] *= Z_WEIGHT_SCALE
