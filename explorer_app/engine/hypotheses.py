"""Glyph hypotheses (paper section 5, Fig. 2): for a box, one consistent decode per class of a
classifier, ranked by plausibility: the classifier's confidence in the steered result, how little the
box had to change from the unedited decode, and how typical the z that produces it is."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .optimize import Budget, Edit, EditResult, run_to_end
from .regions import rectangle
from .session import Session
from .state import Patch
from .tools.glyphs import Box, Classifier, GlyphHypotheses, box_crop

HYPOTHESIS_BUDGET = Budget(steps=50, hold_weight=0.2, halo=4)
"""Ten candidates optimize at once: a light hold (the box is what matters) and a 4-block halo keep that
interactive on a CPU; the ranked and exported images are recomputed exactly whatever the halo."""


@dataclass(frozen=True)
class Plausibility:
    """How the ranking weighs its evidence: score_i ∝ p_i(class i) · exp(−change_i / change_scale −
    strain_weight · strain_i), normalized over the hypotheses. change: mean |Δ pixel| in the box (grey
    levels); strain: how far the mean z² in the edited blocks rises above 1, the level z ~ N(0, 1)
    that the decoder was trained on has."""

    change_scale: float = 8.0
    strain_weight: float = 1.0


@dataclass(frozen=True)
class Hypothesis:
    """One class's best consistent decode. score: plausibility in [0, 1] (all hypotheses sum to 1);
    confidence: classifier probability of the class on the result; patch: its exact content."""

    label: str
    index: int
    score: float
    confidence: float
    change: float
    strain: float
    patch: Patch


def glyph_edit(session: Session, classifier: Classifier, box: Box, budget: Budget = HYPOTHESIS_BUDGET) -> Edit:
    """The optimization of all hypotheses at once, one candidate per class (drive it, then rank)."""
    x, y, w, h = box
    return session.edit(GlyphHypotheses(classifier, box), rectangle(session.shape, x, y, w, h), budget)


def rank_hypotheses(session: Session, result: EditResult, classifier: Classifier, box: Box,
                    weights: Plausibility = Plausibility()) -> list[Hypothesis]:
    """Score every candidate of a finished glyph edit on its exact decode; best first."""
    before = box_crop(session.image, box, (0, 0))
    w_rows, w_cols = result.window.relative(result.editable)
    found = []
    with torch.no_grad():
        for index, label in enumerate(classifier.classes):
            patch = session.candidate_patch(result, index)
            window_image, origin = session.patched_window(patch)  # the box lies inside the patch's window
            crop = box_crop(window_image, box, origin)
            confidence = float(torch.softmax(classifier(crop), 1)[0, index])
            change = float((crop - before).abs().mean())
            z = result.z[index, :, w_rows, w_cols]
            strain = max(0.0, float(z.pow(2).mean()) - 1.0)
            logit = math.log(max(confidence, 1e-12)) - change / weights.change_scale - weights.strain_weight * strain
            found.append((logit, label, index, confidence, change, strain, patch))
    top = max(f[0] for f in found)
    total = sum(math.exp(f[0] - top) for f in found)
    ranked = [Hypothesis(label, index, math.exp(logit - top) / total, confidence, change, strain, patch)
              for logit, label, index, confidence, change, strain, patch in found]
    return sorted(ranked, key=lambda h: h.score, reverse=True)


def glyph_hypotheses(session: Session, classifier: Classifier, box: Box, budget: Budget = HYPOTHESIS_BUDGET,
                     weights: Plausibility = Plausibility()) -> tuple[EditResult, list[Hypothesis]]:
    """Optimize and rank in one call (for scripts and the CLI)."""
    result = run_to_end(glyph_edit(session, classifier, box, budget))
    return result, rank_hypotheses(session, result, classifier, box, weights)


__all__ = ["HYPOTHESIS_BUDGET", "Hypothesis", "Plausibility", "glyph_edit", "glyph_hypotheses", "rank_hypotheses"]
