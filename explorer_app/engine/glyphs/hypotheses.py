"""Glyph hypotheses (paper section 5, Fig. 2) by analysis by synthesis: for a box holding one character of
a segment display, one consistent decode per class that shows that class's clean glyph where the file
allows it, and a verdict from the file's own evidence.

For every class the box's display style is fitted (fit.py), the class's clean glyph drawn in it and
fitted to the file, and the candidate made to show that drawing exactly where the box's blocks allow it
(the exact edit of :meth:`~explorer_app.engine.tools.base.Tool.exact_targets`: consistent by construction).
A class is *possible* when its candidate still reads as it (the reader of fit.py, which no optimization
steered: it reads segments as a person does, so a faint ghost of the decoded glyph does not change the
reading); otherwise the file rules it out. The ranking
orders possible classes by their residual: how much of the clean glyph the file contradicts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import torch

from ..optimize import Budget, Edit, EditResult, run_to_end
from ..regions import rectangle
from ..session import Session
from ..state import Patch
from ..tools.base import Objective, Tool
from ..tools.edits import PIXEL_SCALE
from ..view import WindowView, masked_mean
from .fit import fit_style, fit_to_file, read_glyph
from .render import Segments
from .segments import SegmentFont

Box = tuple[int, int, int, int]
"""(x, y, width, height) in whole-image pixels."""

HYPOTHESIS_BUDGET = Budget(steps=1, halo=4)
"""Glyph candidates are exact edits (one step); a 4-block halo is all the chroma net's reading of the new
luma needs for the preview (committed and exported images are recomputed exactly whatever the halo)."""
GLYPH_MARGIN = 0.35
"""Candidates place every coefficient at least this far (in steps) inside its quantization box: a glyph is
called possible only if it stays legible well inside what the file allows, not on the strength of
coefficients at the very edge of their intervals (where the encoders that could have written the file
already differ)."""
RESIDUAL_SCALE = 4.0
"""Grey levels of residual that divide a possible class's score by e."""


@dataclass(eq=False)
class SegmentGlyphs(Tool):
    """One candidate per class of ``font`` for the glyph in ``box``: candidate i shows class i's clean glyph,
    drawn in the display style fitted to the box, projected onto the file. The style and the drawings are
    fitted when the edit runs (in the worker that runs it), and kept in :attr:`plan` for the ranking."""

    font: SegmentFont
    box: Box
    plan: GlyphPlan | None = field(default=None, init=False, repr=False, metadata={"record": False})
    exact_margin: ClassVar[float] = GLYPH_MARGIN

    def exact_targets(self, view: WindowView) -> torch.Tensor:
        self.plan = plan_glyphs(self.font, view, self.box)
        return self.plan.drawings

    def objective(self, view: WindowView) -> Objective:
        if self.plan is None:
            raise ValueError("the glyphs are drawn when their edit runs: objective() before run()")
        drawings = self.plan.drawings  # the edit's region is the box
        return lambda image: masked_mean((image - drawings).abs(), view.region) / PIXEL_SCALE

    def summary(self) -> str:
        labels = self.font.labels
        x, y, w, h = self.box
        return f"Glyphs {labels[0]}–{labels[-1]} ({self.font.name}) for the {w}×{h} box at ({x}, {y})"


@dataclass(frozen=True)
class GlyphHypothesis:
    """One class's candidate. residual: grey levels RMS of its clean glyph that the file contradicts;
    reads_as: what the reader sees in the candidate (None: nothing legible); possible: it reads as its
    class; score: exp(−residual / RESIDUAL_SCALE) when possible, else 0; patch: the candidate's exact
    content."""

    label: str
    index: int
    residual: float
    reads_as: str | None
    possible: bool
    score: float
    patch: Patch


@dataclass(frozen=True)
class GlyphPlan:
    """What :func:`plan_glyphs` found: the fitted style's label (what the decode shows), the class labels
    (K) and their drawings (K, C, h, w) over the edit's window, and per class its residual (K,), cell
    (K, 7) in window pixels and clean colours (K, C)."""

    shown: str
    labels: tuple[str, ...]
    drawings: torch.Tensor
    residual: torch.Tensor
    geometry: torch.Tensor
    ink: torch.Tensor
    background: torch.Tensor


def plan_glyphs(font: SegmentFont, view: WindowView, box: Box) -> GlyphPlan:
    """Fit the display's style to the box of ``view``, every class's clean glyph to the file, and keep each
    class's best-fitting variant. The glyphs are fitted on the MCUs under the box alone (a drawing there
    changes no other coefficient), a fraction of the edit's window."""
    segments = Segments.of(font, view.initial.device)
    x, y, w, h = box
    origin_y, origin_x = view.origin
    (top, bottom), (left, right) = _mcus_under(view, (x - origin_x, y - origin_y, w, h))
    under = view.initial[:, :, top:bottom, left:right]
    local = (x - origin_x - left, y - origin_y - top, w, h)
    crop = under[:, :, local[1] : local[1] + h, local[0] : local[0] + w]
    style = fit_style(segments, crop)
    fitted = fit_to_file(segments, style, under, view.code.crop(top, left, bottom, right), local)
    chosen = []
    for label in font.labels:
        options = [i for i, name in enumerate(fitted.labels) if name == label]
        chosen.append(min(options, key=lambda i: float(fitted.residual[i])))
    index = torch.tensor(chosen, device=view.initial.device)
    drawings = view.initial.expand(len(chosen), -1, -1, -1).clone()
    drawings[:, :, top:bottom, left:right] = fitted.drawings[index]
    geometry = fitted.geometry[index].clone()
    geometry[:, 0] += left
    geometry[:, 1] += top
    return GlyphPlan(
        style.label,
        tuple(font.labels),
        drawings,
        fitted.residual[index],
        geometry,
        fitted.ink[index],
        fitted.background[index],
    )


def _mcus_under(view: WindowView, local: Box) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) pixel bounds, in the window, of the whole MCUs under the box ``local``
    (window pixels)."""
    x, y, w, h = local
    fy, fx = view.code.chroma_factor
    height, width = view.size
    mcu_h, mcu_w = 8 * fy, 8 * fx
    top, left = y // mcu_h * mcu_h, x // mcu_w * mcu_w
    bottom, right = min(height, -(-(y + h) // mcu_h) * mcu_h), min(width, -(-(x + w) // mcu_w) * mcu_w)
    return (top, bottom), (left, right)


def glyph_edit(session: Session, font: SegmentFont, box: Box, budget: Budget = HYPOTHESIS_BUDGET) -> Edit:
    """The edit that makes every class's candidate (drive it, then :func:`rank_glyphs` its tool)."""
    x, y, w, h = box
    return session.edit(SegmentGlyphs(font, box), rectangle(session.shape, x, y, w, h), budget)


def rank_glyphs(session: Session, result: EditResult, tool: SegmentGlyphs) -> list[GlyphHypothesis]:
    """Read every candidate's exact decode and rank: possible classes first, by residual."""
    plan = tool.plan
    if plan is None:
        raise ValueError("the glyph edit has not run: nothing to rank")
    segments = Segments.of(tool.font, session.image.device)
    x, y, w, h = tool.box
    found = []
    for index, label in enumerate(plan.labels):
        patch = session.candidate_patch(result, index)
        window_image, (top, left) = session.patched_window(patch)
        crop = window_image[:, :, y - top : y - top + h, x - left : x - left + w]
        cell = plan.geometry[index].clone()
        cell[0] -= x - result.window.pixel_origin[1]
        cell[1] -= y - result.window.pixel_origin[0]
        read = read_glyph(segments, crop, cell, plan.ink[index], plan.background[index])
        residual = float(plan.residual[index])
        possible = read == label
        score = math.exp(-residual / RESIDUAL_SCALE) if possible else 0.0
        found.append(GlyphHypothesis(label, index, residual, read, possible, score, patch))
    return sorted(found, key=lambda h: (not h.possible, h.residual))


def glyph_verdict(hypotheses: list[GlyphHypothesis], noun: str = "digit") -> str:
    """What the file says about the box, in one or two sentences: the classes it allows and those it rules out."""
    possible = [h.label for h in hypotheses if h.possible]
    ruled_out = [h.label for h in hypotheses if not h.possible]

    def listed(labels: list[str]) -> str:
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + f" and {labels[-1]}"

    if not possible:
        return (
            f"No {noun} is possible here: no consistent image shows a clean glyph of this display in the box "
            f"(is the box on one character?)."
        )
    if len(possible) == 1:
        return f"Only {possible[0]} is possible here: the file rules out every other {noun}."
    head = f"{listed(possible)} are possible here: this file cannot tell which {noun} it was"
    if not ruled_out:
        return head + "."
    verb = "is" if len(ruled_out) == 1 else "are"
    return head + f"; {listed(ruled_out)} {verb} ruled out: no consistent image shows a clean one."


def glyph_hypotheses(
    session: Session, font: SegmentFont, box: Box, budget: Budget = HYPOTHESIS_BUDGET
) -> tuple[EditResult, list[GlyphHypothesis]]:
    """Make and rank in one call (for scripts, the CLI and benchmarks)."""
    edit = glyph_edit(session, font, box, budget)
    result = run_to_end(edit)
    assert isinstance(edit.tool, SegmentGlyphs)
    return result, rank_glyphs(session, result, edit.tool)


__all__ = [
    "HYPOTHESIS_BUDGET",
    "GlyphHypothesis",
    "GlyphPlan",
    "SegmentGlyphs",
    "glyph_edit",
    "glyph_hypotheses",
    "glyph_verdict",
    "plan_glyphs",
    "rank_glyphs",
]
