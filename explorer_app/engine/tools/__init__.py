"""Exploration tools (paper section 5): each a small dataclass of parameters that builds an objective."""

from .alternatives import Alternatives
from .base import Objective, Tool, describe
from .edits import Brightness, HueSaturation, TargetTool
from .imitate import ImitateHistogram, ImitatePatches
from .imprint import Imprint
from .scribble import Scribble, Stroke
from .statistics import Periodic, TotalVariation, Variance, local_variance, total_variation

__all__ = [
    "Alternatives",
    "Brightness",
    "HueSaturation",
    "ImitateHistogram",
    "ImitatePatches",
    "Imprint",
    "Objective",
    "Periodic",
    "Scribble",
    "Stroke",
    "TargetTool",
    "Tool",
    "TotalVariation",
    "Variance",
    "describe",
    "local_variance",
    "total_variation",
]
