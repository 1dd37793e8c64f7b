"""What every tool is: a small frozen dataclass of parameters that builds an objective on a window.

An objective maps the window images of the N candidates, (N, C, h, w) in [0, 255], to their losses (N,)
(lower is better), differentiably. Losses are scaled so that about 1 means "clearly not there yet".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import ClassVar

import numpy as np
import torch

from ..file_projection import EXACT_MARGIN
from ..outcome import Outcome
from ..regions import Region
from ..view import WindowView

Objective = Callable[[torch.Tensor], torch.Tensor]


class Tool:
    """Base of all tools: one candidate started from the current z; subclasses define :meth:`objective`."""

    exact_margin: ClassVar[float] = EXACT_MARGIN
    """How far inside each quantization box (in steps) an exact edit places the coefficients of its targets."""

    def objective(self, view: WindowView) -> Objective:
        raise NotImplementedError

    def summary(self) -> str:
        """What the tool asks, in a few words a user reads in the history (default: its name)."""
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(self).__name__).lower()
        return words[:1].upper() + words[1:]

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        """What the committed edit reached, measured on the window's exact image ``before`` and
        ``after`` it (1, C, h, w); none by default."""
        return ()

    def exact_targets(self, view: WindowView) -> torch.Tensor | None:
        """(N, C, h, w) window images in [0, 255] that the N candidates should show exactly, projected onto
        the file's quantization boxes, where the edit may change blocks (the edit then writes them through
        the per-coefficient correction instead of searching z); None (the default): search z with Adam on
        :meth:`objective`. Tools that draw content (imprint, scribble, glyphs) reach it exactly; tools that
        move statistics (brightness, variance, …) steer z, whose decodes stay natural."""
        return None

    def start(self, view: WindowView, z: torch.Tensor, movable: torch.Tensor) -> torch.Tensor:
        """Initial z of the candidates, (N, 64, hb, wb), given the window's current z (1, 64, hb, wb) and
        the bool (1, 1, hb, wb) map of blocks that may change. Default: one candidate, the current z."""
        return z.clone()


def describe(tool: object) -> dict[str, object]:
    """JSON-able parameters of a tool: arrays and tensors by shape, regions by their summary; fields whose
    metadata says ``record: False`` (what a tool works out while running) are left out."""

    def simple(value: object) -> object:
        if isinstance(value, (np.ndarray, torch.Tensor)):
            return {"array_shape": list(value.shape)}
        if isinstance(value, Region):
            return value.describe()
        if is_dataclass(value):
            return {"type": type(value).__name__, **describe(value)}
        if isinstance(value, (list, tuple)):
            return [simple(v) for v in value]
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        return type(value).__name__

    if not is_dataclass(tool):
        return {}
    return {f.name: simple(getattr(tool, f.name)) for f in fields(tool) if f.metadata.get("record", True)}
