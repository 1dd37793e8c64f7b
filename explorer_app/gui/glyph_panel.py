"""Digits and letters: for the selected box, one consistent hypothesis per class, ranked, as buttons."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from PyQt6.QtWidgets import QComboBox

from ..engine.optimize import EditResult
from ..engine.regions import Region, rectangle
from ..engine.hypotheses import rank_hypotheses
from ..engine.session import Session
from ..engine.state import Patch
from ..engine.tools import Classifier, GlyphHypotheses, Tool
from .candidates import CandidateGallery
from .tool_panels import ToolPanel

if TYPE_CHECKING:
    from .explorer import Candidate
    from .window import MainWindow

ClassifierLoader = Callable[[str], Classifier]
GLYPH_KINDS = {"digits": "digits 0–9", "letters": "letters A–Z"}


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

    title, icon_name, tip = "Digits / letters", "digits", "What could this character be? One answer per class"
    apply_text = "Find hypotheses"
    several_candidates = True

    def __init__(self, window: MainWindow, load_classifier: ClassifierLoader) -> None:
        super().__init__(window)
        self.load_classifier = load_classifier
        self.classifier: Classifier | None = None
        self.used_box = (0, 0, 0, 0)
        self.kind = QComboBox()
        for key, text in GLYPH_KINDS.items():
            self.kind.addItem(text, key)
        self.kind.setToolTip("Which classifier steers the hypotheses")
        self.form.addRow("Read as", self.kind)
        self.gallery = CandidateGallery(window, columns=5)
        self.extra.addWidget(self.gallery)

    def box(self) -> tuple[int, int, int, int] | None:
        """(x, y, w, h) in file pixels around the selection."""
        region = self.window.engine_region()
        if region is None:
            return None
        y0, y1, x0, x1 = region.bounds()
        return x0, y0, x1 - x0, y1 - y0

    def region(self) -> Region | None:
        box = self.box()
        return None if box is None else rectangle(self.window.explorer.session.shape, *box)

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
        self.used_box = box
        return GlyphHypotheses(self.classifier, box)

    def rank(self, session: Session, result: EditResult) -> list[tuple[int, str, float, Patch]]:
        """The engine's plausibility ranking (classifier confidence, change, how typical z is)."""
        return [(h.index, h.label, h.score, h.patch)
                for h in rank_hypotheses(session, result, self.classifier, self.used_box)]

    def show_candidates(self, candidates: list[Candidate]) -> None:
        self.gallery.show_candidates(candidates)
