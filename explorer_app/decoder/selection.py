"""Which shipped decoder to use: by name and size, with ``auto`` = full on a GPU, lite on a CPU."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .model import JpegDecoder
from .registry import ModelNotFoundError, find_model, load_decoder


@dataclass(frozen=True)
class ChosenDecoder:
    decoder: JpegDecoder
    name: str
    size: str
    note: str
    """Empty, or one line saying why the size differs from the one asked for."""

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "size": self.size, "sha256": self.decoder.sha256}


def choose_decoder(name: str, size: str, device: torch.device) -> ChosenDecoder:
    """Load ``name`` in ``size`` (auto|full|lite) on ``device``; full falls back to lite with a note when
    no full weights ship, and the reverse. Raises ModelNotFoundError when neither exists."""
    wanted = ("full" if device.type == "cuda" else "lite") if size == "auto" else size
    other = "lite" if wanted == "full" else "full"
    note = ""
    if find_model(name, wanted) is None and find_model(name, other) is not None:
        note = f"no {wanted} weights for the {name} model are shipped; using {other}"
        wanted = other
    decoder = load_decoder(name, wanted).to(device)
    return ChosenDecoder(decoder, name, wanted, note)


__all__ = ["ChosenDecoder", "ModelNotFoundError", "choose_decoder"]
