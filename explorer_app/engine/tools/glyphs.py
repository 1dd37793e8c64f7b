"""Glyph tools: steer a box towards a class of a glyph classifier (digits, letters), one candidate per class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch
import torch.nn.functional as F

from ..view import WindowView
from .base import Objective, Tool

Box = tuple[int, int, int, int]
"""(x, y, width, height) in whole-image pixels."""


class Classifier(Protocol):
    """What the glyph tools need of a classifier (see explorer_app.engine.classifiers)."""

    classes: list[str]

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) float RGB in [0, 255], any size → (N, len(classes)) logits, differentiable."""
        ...


def box_crop(image: torch.Tensor, box: Box, origin: tuple[int, int]) -> torch.Tensor:
    """The ``box`` of a window image (N, C, h, w) whose top-left is image pixel ``origin`` = (y, x), as
    (N, 3, height, width) RGB (grey repeated)."""
    x, y, w, h = box
    crop = image[:, :, y - origin[0] : y - origin[0] + h, x - origin[1] : x - origin[1] + w]
    return crop.expand(-1, 3, -1, -1) if crop.shape[1] == 1 else crop


def surprise(classifier: Classifier, box: Box, view: WindowView, image: torch.Tensor) -> torch.Tensor:
    """(N, classes) −log p(class) of the classifier on the box of each window image (N, C, h, w): the
    cross-entropy for every possible label (no label tensor is built per step)."""
    return -F.log_softmax(classifier(box_crop(image, box, view.origin)), dim=1)


@dataclass(frozen=True, eq=False)
class GlyphTarget(Tool):
    """Make the classifier read class ``label`` (an index into ``classifier.classes``) in ``box``:
    f = cross-entropy of the classifier's logits on the box."""

    classifier: Classifier
    box: Box
    label: int

    def objective(self, view: WindowView) -> Objective:
        return lambda image: surprise(self.classifier, self.box, view, image)[:, self.label]

    def summary(self) -> str:
        return f"Make the {self.box[2]}×{self.box[3]} box read {self.classifier.classes[self.label]}"


@dataclass(frozen=True, eq=False)
class GlyphHypotheses(Tool):
    """One candidate per class of the classifier, candidate i steered to read class i in ``box``."""

    classifier: Classifier
    box: Box

    def start(self, view: WindowView, z: torch.Tensor, movable: torch.Tensor) -> torch.Tensor:
        return z.expand(len(self.classifier.classes), -1, -1, -1).clone()

    def summary(self) -> str:
        classes = self.classifier.classes
        return f"Hypotheses {classes[0]}–{classes[-1]} for the {self.box[2]}×{self.box[3]} box at ({self.box[0]}, {self.box[1]})"

    def objective(self, view: WindowView) -> Objective:
        return lambda image: surprise(self.classifier, self.box, view, image).diagonal()
