"""Start the explorable phase from trained faithful weights instead of training the L1 phases again."""

from __future__ import annotations

from pathlib import Path

from ..decoder.model import JpegDecoder
from ..decoder.registry import load_decoder


def start_from_faithful(decoder: JpegDecoder, folder: Path, size: str) -> None:
    """Copy ``faithful-<size>`` from ``folder`` into ``decoder`` (same nets; ``decoder`` may add a learnt
    prior, which keeps its own initialization). The faithful model never saw z ≠ 0, so its z weights are still
    at their random initialization: the prior phase starts from there."""
    faithful = load_decoder("faithful", size, folder)
    result = decoder.load_state_dict(faithful.state_dict(), strict=False)
    unexpected = [k for k in result.missing_keys if not k.startswith("prior.")] + list(result.unexpected_keys)
    if unexpected:
        raise ValueError(f"faithful-{size} does not fit this decoder: {unexpected}")
