"""The Alternatives tool: several consistent contents for the region, from random control signals, shown
in a gallery to keep one (ranked by the engine)."""

from __future__ import annotations

import torch

from ...engine.optimize import EditResult
from ...engine.regions import Region
from ...engine.session import Session
from ...engine.tools import (
    Alternatives,
)
from ..model.candidates import CandidateSet, Ranked
from .base import FieldPanel, FieldSpec
from .gallery import CandidateGallery
from .host import ToolHost


class AlternativesPanel(FieldPanel):
    title, icon_name, tip, shortcut = (
        "Alternatives",
        "alternatives",
        "Show diverse plausible contents for the region",
        "Shift+A",
    )
    apply_text = "Generate"
    several_candidates = True
    noun = "alternative"
    legend = (
        "✔: consistent with the file (every coefficient re-quantizes to the file's). The number: how far "
        "it is from the current image in the region (mean difference, grey levels)."
    )
    tool_type = Alternatives
    fields = (
        FieldSpec("count", "Count", 2, 8, 1, "How many alternatives to compute"),
        FieldSpec("spread", "Spread", 0.1, 3, 0.01, "How far from the current control signal the alternatives start"),
        FieldSpec("seed", "Seed", 0, 10_000, 1, "Random seed: the same seed gives the same alternatives"),
    )

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.gallery = CandidateGallery(host, self, columns=2)
        self.extra.addWidget(self.gallery)

    def rank(self, session: Session, result: EditResult, region: Region) -> tuple[list[Ranked], str]:
        """In the order the optimizer returned them, each with its distance from the current image."""
        y0, y1, x0, x1 = region.bounds()
        inside = torch.from_numpy(region.mask[y0:y1, x0:x1]).to(session.image.device)
        before = session.image[0, :, y0:y1, x0:x1]
        found = []
        for index in range(result.count):
            patch = session.candidate_patch(result, index)
            crop, (top, left) = session.patched_window(patch)
            after = crop[0, :, y0 - top : y1 - top, x0 - left : x1 - left]
            difference = float((after - before).abs().mean(0)[inside].mean())
            found.append(Ranked(index, f"#{index + 1}", difference, f"Δ {difference:.1f}", patch, patch.consistent()))
        consistent = sum(r.consistent for r in found)
        low, high = min(r.score for r in found), max(r.score for r in found)
        head = (
            f"All {len(found)} alternatives are consistent with the file"
            if consistent == len(found)
            else f"Only {consistent} of {len(found)} alternatives are consistent with the file"
        )
        return found, (
            f"{head}: each could have been the original here. They differ from the current image by "
            f"{low:.1f}–{high:.1f} grey levels on average in the region."
        )

    def show_candidates(self, found: CandidateSet) -> None:
        self.gallery.show_candidates(found)
