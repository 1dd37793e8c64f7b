"""Glyph hypotheses (paper section 5, Fig. 2): for a box, one consistent decode per class of a
classifier, ranked by plausibility: the classifier's confidence in the steered result, how little the
box had to change from the unedited decode, and how typical the z that produces it is."""

from __future__ import annotations

import math
from collections.abc import Sequence
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


def rank_hypotheses(
    session: Session, result: EditResult, classifier: Classifier, box: Box, weights: Plausibility = Plausibility()
) -> list[Hypothesis]:
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
    ranked = [
        Hypothesis(label, index, math.exp(logit - top) / total, confidence, change, strain, patch)
        for logit, label, index, confidence, change, strain, patch in found
    ]
    return sorted(ranked, key=lambda h: h.score, reverse=True)


PLAUSIBLE_SHARE = 0.5
"""A hypothesis counts as plausible when its score is at least this share of the best one's."""


def plausible(scores: Sequence[float], share: float = PLAUSIBLE_SHARE) -> list[int]:
    """Indices of the scores within ``share`` of the best (the best included)."""
    best = max(scores)
    return [i for i, score in enumerate(scores) if score >= share * best]


def verdict(labels: Sequence[str], scores: Sequence[float], consistent: Sequence[bool], noun: str) -> str:
    """What a ranked set of hypotheses supports, in one sentence: whether every candidate is consistent
    with the file, and whether the file decides (one plausible candidate) or not (near-equal scores)."""
    total = len(labels)
    kept = [i for i in range(total) if consistent[i]]
    if not kept:
        return f"None of the {total} candidates is consistent with the file: this result proves nothing."
    head = f"All {total} are consistent" if len(kept) == total else f"Only {len(kept)} of {total} are consistent"
    ranked = sorted(kept, key=lambda i: -scores[i])
    chosen = [ranked[i] for i in plausible([scores[i] for i in ranked])]
    if len(chosen) == len(ranked) and len(ranked) > 1:
        return f"{head} and about equally plausible: this file cannot tell which {noun} it was."
    if len(chosen) == 1:
        best = ranked[0]
        rest = (
            f" (score {scores[best]:.2f}; the next, {labels[ranked[1]]}, {scores[ranked[1]]:.2f})"
            if len(ranked) > 1
            else ""
        )
        return f"{head}, but only {labels[best]} is plausible{rest}."
    names = ", ".join(labels[i] for i in chosen[:-1]) + f" and {labels[chosen[-1]]}"
    return (
        f"{head}; {names} are about equally plausible (scores within half of the best): this file "
        f"cannot tell between them."
    )


def glyph_hypotheses(
    session: Session,
    classifier: Classifier,
    box: Box,
    budget: Budget = HYPOTHESIS_BUDGET,
    weights: Plausibility = Plausibility(),
) -> tuple[EditResult, list[Hypothesis]]:
    """Optimize and rank in one call (for scripts and the CLI)."""
    result = run_to_end(glyph_edit(session, classifier, box, budget))
    return result, rank_hypotheses(session, result, classifier, box, weights)


__all__ = [
    "HYPOTHESIS_BUDGET",
    "Hypothesis",
    "Plausibility",
    "glyph_edit",
    "glyph_hypotheses",
    "plausible",
    "rank_hypotheses",
    "verdict",
]
