"""The Alternatives tool: several consistent contents for the region, from random control signals, shown
in a gallery to keep one (ranked by the engine)."""

from __future__ import annotations

from ...engine.alternatives import alternatives_verdict, rank_alternatives
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
        "Every alternative is consistent with the file (every coefficient re-quantizes to the file's; ✘ "
        "would mark one that is not). The number: how far it is from the current image in the region "
        "(mean difference, grey levels)."
    )
    tool_type = Alternatives
    fields = (
        FieldSpec("count", "Count", 2, 8, 1, "How many alternatives to compute"),
        FieldSpec("spread", "Spread", 0.1, 3, 0.01, "How far from the current control signal the alternatives start"),
        FieldSpec("seed", "Seed", 0, 10_000, 1, "Random seed: the same seed gives the same alternatives"),
    )

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.gallery = CandidateGallery(host, self)
        self.extra.addWidget(self.gallery)

    def rank(self, session: Session, result: EditResult, region: Region) -> tuple[list[Ranked], str]:
        """The engine's alternatives in the order the optimizer returned them, each with its distance from
        the current image (worker thread)."""
        found = rank_alternatives(session, result, region)
        ranked = [
            Ranked(a.index, f"#{a.index + 1}", a.difference, f"Δ {a.difference:.1f}", a.patch, a.consistent)
            for a in found
        ]
        return ranked, alternatives_verdict(found)

    def show_candidates(self, found: CandidateSet) -> None:
        self.gallery.show_candidates(found)
