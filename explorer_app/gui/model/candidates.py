"""What the edit jobs hand to the window: pixels ready to paste, what a commit changed, and the ranked
candidates of multi-candidate tools. Plain data (no Qt), made in the worker thread."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...engine.optimize import EditResult
from ...engine.state import Patch


@dataclass(frozen=True)
class Shown:
    """Pixels ready for the canvas: a uint8 display patch and where its top-left goes on the displayed
    image (EXIF orientation applied)."""

    pixels: np.ndarray
    left: int
    top: int


@dataclass(frozen=True)
class Changed:
    """What a commit, undo or redo did: the current image's changed part (``shown``), whether the whole
    state is still consistent with the file, and the history record concerned (None for undo/redo)."""

    shown: Shown
    consistent: bool
    record: dict[str, object] | None = None


@dataclass(frozen=True)
class Ranked:
    """One candidate as a multi-candidate panel ranks it (in the worker thread): its index in the edit's
    result, a label, a score (higher is better), the score as the gallery writes it, its exact patch and
    whether every coefficient of it re-quantizes to the file's."""

    index: int
    label: str
    score: float
    score_text: str
    patch: Patch
    consistent: bool


@dataclass(frozen=True)
class Candidate:
    """One of several results of a tool (alternatives, glyph hypotheses): candidate ``index`` of
    ``result``, its label, score and how the gallery writes the score, whether it is consistent with the
    file, its exact content ``patch``, how it looks in place (``shown``), a thumbnail (uint8 display
    image) and how many candidates there were (``of``)."""

    result: EditResult
    index: int
    label: str
    score: float
    score_text: str
    consistent: bool
    patch: Patch
    shown: Shown
    thumbnail: np.ndarray
    of: int


@dataclass(frozen=True)
class CandidateSet:
    """A tool's candidates, best first, and the verdict: what the set supports."""

    candidates: list[Candidate]
    verdict: str
