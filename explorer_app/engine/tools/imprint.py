"""Imprint: paste an image (external, or a piece of this one) placed, scaled and rotated, optionally at
the nearby placement the file contradicts least; then project and optimize like every edit tool."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np
import torch

from ..block_window import expand_code
from ..file_projection import inconsistency
from ..outcome import Outcome
from ..view import WindowView
from .base import Objective
from .edits import TargetTool

SEARCH_BATCH = 16


@dataclass(frozen=True)
class Imprint(TargetTool):
    """``picture``: float (h, w, C) in [0, 255]; ``alpha``: float (h, w) in [0, 1] or None (opaque).
    Its centre goes to image pixel ``position`` = (x, y), scaled by ``scale``, rotated by ``angle``
    degrees (counter-clockwise). ``search_radius`` > 0 tries every shift of up to that many pixels
    (in steps of ``search_step``) and keeps the one with the least :func:`inconsistency`."""

    picture: np.ndarray
    position: tuple[float, float]
    alpha: np.ndarray | None = None
    scale: float = 1.0
    angle: float = 0.0
    search_radius: int = 0
    search_step: int = 1
    goal = "Way to the picture"

    @classmethod
    def from_image(
        cls, image: torch.Tensor, box: tuple[int, int, int, int], position: tuple[float, float], **options: Any
    ) -> Imprint:
        """An imprint of the ``box`` = (x, y, w, h) of an image (1, C, H, W), e.g. the session's own."""
        x, y, w, h = box
        picture = image[0, :, y : y + h, x : x + w].permute(1, 2, 0).detach().cpu().numpy().astype(np.float32)
        return cls(picture, position, **options)

    def layer(self, view: WindowView, shift: tuple[float, float] = (0.0, 0.0)) -> tuple[torch.Tensor, torch.Tensor]:
        """The imprint warped onto the window: picture (1, C, h, w) and alpha (1, 1, h, w), moved by
        ``shift`` = (dx, dy) pixels."""
        h, w = view.size
        src_h, src_w = self.picture.shape[:2]
        centre = (self.position[0] + shift[0] - view.origin[1], self.position[1] + shift[1] - view.origin[0])
        matrix = cv2.getRotationMatrix2D(((src_w - 1) / 2, (src_h - 1) / 2), self.angle, self.scale)
        matrix[:, 2] += np.array(centre) - np.array([(src_w - 1) / 2, (src_h - 1) / 2])
        opacity = np.ones((src_h, src_w), np.float32) if self.alpha is None else self.alpha.astype(np.float32)
        picture = cv2.warpAffine(self.picture.astype(np.float32), matrix, (w, h), flags=cv2.INTER_LINEAR)
        alpha = cv2.warpAffine(opacity, matrix, (w, h), flags=cv2.INTER_LINEAR)
        picture = picture.reshape(h, w, -1)
        channels = view.initial.shape[1]
        if picture.shape[2] != channels:
            picture = picture.mean(2, keepdims=True) if channels == 1 else np.repeat(picture, 3, axis=2)

        def to_tensor(array: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.ascontiguousarray(array)).to(view.initial)

        return to_tensor(picture).permute(2, 0, 1)[None], to_tensor(alpha)[None, None] * view.region

    def composed(self, view: WindowView, shift: tuple[float, float]) -> torch.Tensor:
        picture, alpha = self.layer(view, shift)
        return view.initial * (1 - alpha) + picture * alpha

    def best_shift(self, view: WindowView) -> tuple[tuple[float, float], float]:
        """((dx, dy), inconsistency) of the most consistent shift within ``search_radius``."""
        steps = range(-self.search_radius, self.search_radius + 1, max(1, self.search_step))
        shifts = [(float(dx), float(dy)) for dy in steps for dx in steps] or [(0.0, 0.0)]
        scores: list[float] = []
        with torch.no_grad():
            for start in range(0, len(shifts), SEARCH_BATCH):
                chunk = shifts[start : start + SEARCH_BATCH]
                desired = torch.cat([self.composed(view, s) for s in chunk]).clamp(0, 255)
                scores += inconsistency(desired, expand_code(view.code, len(chunk))).tolist()
        best = int(np.argmin(scores))
        return shifts[best], scores[best]

    def placed(self, view: WindowView) -> Imprint:
        """This imprint at its final position (after the search, if any)."""
        if self.search_radius <= 0:
            return self
        (dx, dy), _ = self.best_shift(view)
        return replace(self, position=(self.position[0] + dx, self.position[1] + dy), search_radius=0)

    def desired(self, view: WindowView) -> torch.Tensor:
        return self.composed(view, (0.0, 0.0))

    def footprint(self, view: WindowView) -> torch.Tensor:
        return (self.layer(view)[1] > 0.5).to(view.initial)

    def exact_targets(self, view: WindowView) -> torch.Tensor:
        """The imprinted window: the edit shows it exactly, projected onto the file (see Tool.exact_targets)."""
        return self.placed(view).desired(view)

    def objective(self, view: WindowView) -> Objective:
        placed = self.placed(view)
        return TargetTool.objective(placed, view)

    def summary(self) -> str:
        height, width = self.picture.shape[:2]
        x, y = self.position
        return (
            f"Imprint a {width}×{height} picture at ({x:.0f}, {y:.0f}), scale {self.scale:.2f}, "
            f"{self.angle:+.0f}°" + (f", best placement within ±{self.search_radius} px" if self.search_radius else "")
        )

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        return TargetTool.outcomes(self.placed(view), view, before, after)
