"""Exploration engine (paper section 5): sessions, regions, tools, optimization of z, digit and letter hypotheses.

Pure Python and torch, no Qt. Typical use::

    from explorer_app.engine import Session, regions, tools
    session = Session.open("photo.jpg", decoder)
    region = regions.rectangle(session.shape, x=40, y=32, width=128, height=128)
    session.apply(tools.Variance(factor=2.0), region)
    session.export("more-detail.png")
"""

from . import regions, tools
from .ambiguity import ambiguity_map
from .glyphs.hypotheses import (
    HYPOTHESIS_BUDGET,
    GlyphHypothesis,
    glyph_edit,
    glyph_hypotheses,
    glyph_verdict,
    rank_glyphs,
)
from .optimize import Budget, Edit, EditResult, Progress, run_to_end
from .regions import Region
from .session import Session
from .session_file import SessionFileError, load_session, read_facts, restore, save_session

__all__ = [
    "HYPOTHESIS_BUDGET",
    "Budget",
    "Edit",
    "EditResult",
    "GlyphHypothesis",
    "Progress",
    "Region",
    "Session",
    "SessionFileError",
    "ambiguity_map",
    "glyph_edit",
    "glyph_hypotheses",
    "glyph_verdict",
    "load_session",
    "rank_glyphs",
    "read_facts",
    "regions",
    "restore",
    "run_to_end",
    "save_session",
    "tools",
]
