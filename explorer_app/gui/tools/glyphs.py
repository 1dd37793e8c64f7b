"""Digits and letters: for the selected box, one consistent hypothesis per class, ranked, as buttons."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PyQt6.QtWidgets import QComboBox

from ...engine.hypotheses import rank_hypotheses, verdict
from ...engine.optimize import EditResult
from ...engine.regions import Region, rectangle
from ...engine.session import Session
from ...engine.tools import Classifier, GlyphHypotheses, Tool
from ..model.candidates import Candidate, CandidateSet, Ranked
from .base import ToolPanel
from .gallery import CandidateGallery
from .host import ToolHost

ClassifierLoader = Callable[[str], Classifier]
GLYPH_KINDS = {"digits": ("digits 0–9", "digit"), "letters": ("letters A–Z", "letter")}


def shipped_classifier(kind: str) -> Classifier:
    """The engine's shipped classifier for ``kind``; FileNotFoundError (shown to the user) when this build
    has none."""
    try:
        module = importlib.import_module("explorer_app.engine.classifiers")
    except ImportError:
        raise FileNotFoundError("no glyph classifiers are installed with this build") from None
    return module.load_classifier(kind)


class GlyphPanel(ToolPanel):
    """Hypotheses for the glyph in the selection's bounding box, ranked by the engine's plausibility."""

    title, icon_name, tip, shortcut = (
        "Digits / letters",
        "digits",
        "What could this character be? One answer per class",
        "Shift+D",
    )
    apply_text = "Find hypotheses"
    several_candidates = True
    legend = (
        "✔: consistent with the file (every coefficient re-quantizes to the file's). Score: plausibility "
        "(the classifier's confidence, how little the box changed, how typical z is); the scores sum to 1. "
        "Near-equal scores mean the file does not decide."
    )

    def __init__(self, host: ToolHost, load_classifier: ClassifierLoader) -> None:
        super().__init__(host)
        self.load_classifier = load_classifier
        self.classifier: Classifier | None = None
        self.used_box = (0, 0, 0, 0)
        self.used_noun = ""
        self.kind = QComboBox()
        for key, (text, _) in GLYPH_KINDS.items():
            self.kind.addItem(text, key)
        self.kind.setToolTip("Which classifier steers the hypotheses")
        self.form.addRow("Read as", self.kind)
        self.gallery = CandidateGallery(host, self, columns=4)
        self.extra.addWidget(self.gallery)

    @property
    def noun(self) -> str:  # type: ignore[override]  # a property where ToolPanel has a class attribute
        """What one hypothesis is (digit, letter), for the classifier last used."""
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
        try:
            self.classifier = self.load_classifier(self.kind.currentData())
        except (FileNotFoundError, ImportError) as error:
            self.message.setText(str(error))
            return None
        self.used_box, self.used_noun = box, GLYPH_KINDS[self.kind.currentData()][1]
        return GlyphHypotheses(self.classifier, box)

    def rank(self, session: Session, result: EditResult, region: Region) -> tuple[list[Ranked], str]:
        """The engine's plausibility ranking (classifier confidence, change, how typical z is), each
        candidate checked for consistency, and the verdict on the whole set."""
        ranked = [
            Ranked(h.index, h.label, h.score, f"{h.score:.2f}", h.patch, h.patch.consistent())
            for h in rank_hypotheses(session, result, self.classifier, self.used_box)  # type: ignore[arg-type]
        ]
        return ranked, verdict(
            [r.label for r in ranked], [r.score for r in ranked], [r.consistent for r in ranked], self.noun
        )

    def keep_notes(self, candidate: Candidate) -> dict[str, object]:
        """The kept hypothesis by its label and plausibility, e.g. "kept 8 (plausibility 0.91 of 10)"."""
        x, y, w, h = self.used_box
        return {
            "kept": {
                "kind": self.noun,
                "label": candidate.label,
                "score": round(candidate.score, 4),
                "of": candidate.of,
            },
            "summary": f"{self.noun.capitalize()} hypotheses for the {w}×{h} box at ({x}, {y}): kept "
            f"{candidate.label} (plausibility {candidate.score:.2f}, of {candidate.of} hypotheses)",
        }

    def show_candidates(self, found: CandidateSet) -> None:
        self.gallery.show_candidates(found)
