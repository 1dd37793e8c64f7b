"""Alternatives ranked for the user: each candidate of an Alternatives edit with how far it is from the
current image in the region and whether it is consistent with the file, and the verdict on the set."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .optimize import EditResult
from .regions import Region
from .session import Session
from .state import Patch


@dataclass(frozen=True)
class Alternative:
    """Candidate ``index`` of an edit: its exact ``patch``, whether every coefficient of it re-quantizes to
    the file's, and ``difference``: its mean absolute difference from the current image inside the
    region (grey levels, averaged over the channels)."""

    index: int
    patch: Patch
    consistent: bool
    difference: float


def rank_alternatives(session: Session, result: EditResult, region: Region) -> list[Alternative]:
    """Every candidate of ``result``, in the order the optimizer returned them (they are equally
    plausible: the distance is information, not a score)."""
    y0, y1, x0, x1 = region.bounds()
    inside = torch.from_numpy(region.mask[y0:y1, x0:x1]).to(session.image.device)
    before = session.image[0, :, y0:y1, x0:x1]
    found = []
    for index in range(result.count):
        patch = session.candidate_patch(result, index)
        crop, (top, left) = session.patched_window(patch)
        after = crop[0, :, y0 - top : y1 - top, x0 - left : x1 - left]
        difference = float((after - before).abs().mean(0)[inside].mean())
        found.append(Alternative(index, patch, patch.consistent(), difference))
    return found


def alternatives_verdict(found: list[Alternative]) -> str:
    """What the set supports: how many alternatives are consistent with the file, and how far apart
    from the current image they are."""
    consistent = sum(a.consistent for a in found)
    low, high = min(a.difference for a in found), max(a.difference for a in found)
    head = (
        f"All {len(found)} alternatives are consistent with the file"
        if consistent == len(found)
        else f"Only {consistent} of {len(found)} alternatives are consistent with the file"
    )
    return (
        f"{head}: each could have been the original here. They differ from the current image by "
        f"{low:.1f}–{high:.1f} grey levels on average in the region."
    )
