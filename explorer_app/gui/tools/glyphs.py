"""Digits and letters: for the selected box, one consistent hypothesis per class, ranked, as buttons."""

from __future__ import annotations

from PyQt6.QtWidgets import QComboBox

from ...engine.glyphs.hypotheses import SegmentGlyphs, glyph_verdict, rank_glyphs
from ...engine.glyphs.segments import ALPHABETS
from ...engine.optimize import EditResult
from ...engine.regions import Region, rectangle
from ...engine.session import Session
from ...engine.tools import Tool
from ..model.candidates import Candidate, CandidateSet, Ranked
from .base import ToolPanel
from .gallery import CandidateGallery
from .host import ToolHost

GLYPH_KINDS = {"digits": ("digits 0–9 (seven-segment)", "digit"), "letters": ("letters A–Z (14-segment)", "letter")}


class GlyphPanel(ToolPanel):
    """Hypotheses for the glyph in the selection's bounding box: every class drawn clean in the display's
    fitted style, shown where the file allows it; possible classes first."""

    title, icon_name, tip, shortcut = (
        "Digits / letters",
        "digits",
        "What could this character be? One answer per class",
        "Shift+D",
    )
    apply_text = "Find hypotheses"
    several_candidates = True
    legend = (
        "Each class's clean glyph, drawn in the display's style and made consistent with the file. "
        "Possible: the consistent image still reads as that class. Ruled out: no consistent image shows a "
        "clean one. Residual: grey levels of the clean glyph that the file contradicts (lower fits better)."
    )

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.tool: SegmentGlyphs | None = None
        self.used_box = (0, 0, 0, 0)
        self.used_noun = ""
        self.kind = QComboBox()
        for key, (text, _) in GLYPH_KINDS.items():
            self.kind.addItem(text, key)
        self.kind.setToolTip("Which characters the display could show")
        self.form.addRow("Read as", self.kind)
        self.gallery = CandidateGallery(host, self)
        self.extra.addWidget(self.gallery)

    @property
    def noun(self) -> str:  # type: ignore[override]  # a property where ToolPanel has a class attribute
        """What one hypothesis is (digit, letter), for the alphabet last used."""
        return self.used_noun or GLYPH_KINDS[self.kind.currentData()][1]

    def box(self) -> tuple[int, int, int, int] | None:
        """(x, y, w, h) in file pixels around the selection."""
        region = self.host.selection()
        if region is None:
            return None
        y0, y1, x0, x1 = region.bounds()
        return x0, y0, x1 - x0, y1 - y0

    def region(self) -> Region | None:
        box = self.box()
        return None if box is None else rectangle(self.host.session().shape, *box)  # type: ignore[union-attr]

    def make_tool(self) -> Tool | None:
        box = self.box()
        if box is None:
            self.message.setText("Draw a box around one character first.")
            return None
        kind = self.kind.currentData()
        self.used_box, self.used_noun = box, GLYPH_KINDS[kind][1]
        self.tool = SegmentGlyphs(ALPHABETS[kind], box)
        return self.tool

    def rank(self, session: Session, result: EditResult, region: Region) -> tuple[list[Ranked], str]:
        """Possible classes first, by residual; each candidate checked for consistency; the verdict names
        the classes the file allows and those it rules out."""
        if self.tool is None:
            raise ValueError("no glyph edit has run")
        hypotheses = rank_glyphs(session, result, self.tool)
        ranked = [
            Ranked(
                h.index,
                h.label,
                h.score,
                f"possible · {h.residual:.1f}" if h.possible else "ruled out",
                h.patch,
                h.patch.consistent(),
            )
            for h in hypotheses
        ]
        return ranked, glyph_verdict(hypotheses, self.noun)

    def keep_notes(self, candidate: Candidate) -> dict[str, object]:
        """The kept hypothesis by its label and what the file says of it, e.g. "kept 8 (possible)"."""
        x, y, w, h = self.used_box
        verdict = "possible" if candidate.score > 0 else "ruled out"
        return {
            "kept": {
                "kind": self.noun,
                "label": candidate.label,
                "score": round(candidate.score, 4),
                "of": candidate.of,
            },
            "summary": f"{self.noun.capitalize()} hypotheses for the {w}×{h} box at ({x}, {y}): kept "
            f"{candidate.label} ({verdict}, of {candidate.of} hypotheses)",
        }

    def show_candidates(self, found: CandidateSet) -> None:
        self.gallery.show_candidates(found)
