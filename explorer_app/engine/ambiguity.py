"""Ambiguity map: where the file leaves room, as the per-pixel spread of decodes with random z."""

from __future__ import annotations

import torch

from .block_window import window_of_mask
from .regions import Region, whole_image
from .session import Session
from .state import exact_patch, write_patch


def ambiguity_map(
    session: Session, count: int = 8, seed: int = 0, region: Region | None = None, dilation: int = 1
) -> torch.Tensor:
    """(H, W) float: per-pixel standard deviation (grey levels, averaged over channels) of ``count``
    decodes whose z is drawn from the decoder's prior at its sampling temperature (seeded), inside
    ``region``'s blocks dilated by ``dilation`` (the whole image when None), the session's z elsewhere.
    The session itself is left unchanged."""
    if count < 2:
        raise ValueError("an ambiguity map needs at least 2 decodes")
    region = region or whole_image(session.shape)
    blocks = region.block_mask(dilation)
    window = window_of_mask(blocks, session.tensors.chroma_factor)
    movable = torch.from_numpy(blocks).to(session.state.z.device)[None, None]
    generator = torch.Generator().manual_seed(seed)
    total = torch.zeros_like(session.image[0])
    square = torch.zeros_like(session.image[0])
    for _ in range(count):
        noise = torch.randn(session.state.z.shape, generator=generator).to(session.state.z)
        with torch.no_grad():
            noise = session.decoder.sample_control(session.tensors, noise)
        z = torch.where(movable, noise, session.state.z)
        state = session.state.clone()
        write_patch(state, exact_patch(session.decoder, session.state, session.tensors, z, window))
        change = state.output(session.tensors).image[0] - session.image[0]  # small: no cancellation below
        total += change
        square += change * change
    mean = total / count
    variance = (square / count - mean * mean).clamp_min(0) * count / (count - 1)
    return variance.sqrt().mean(0)


__all__ = ["ambiguity_map"]
