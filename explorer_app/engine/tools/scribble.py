"""Scribble: paint strokes (pen, line, rectangle, ellipse) in a colour, or brighten/darken under them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import torch

from ..outcome import Outcome
from ..regions import Point
from ..view import WindowView
from .edits import TargetTool, luma_shift

StrokeKind = Literal["pen", "line", "rectangle", "ellipse"]


@dataclass(frozen=True)
class Stroke:
    """One drawn shape in whole-image pixels (x, y).

    pen: a polyline through ``points``; line: from points[0] to points[-1]; rectangle and ellipse: the
    box spanned by points[0] and points[-1]. ``width`` px; ``filled`` fills rectangles and ellipses.
    """

    kind: StrokeKind
    points: tuple[Point, ...]
    width: float = 2.0
    filled: bool = False

    def paint(self, canvas: np.ndarray, origin: tuple[int, int]) -> None:
        """Draw the stroke with value 1 into the float32 (h, w) ``canvas`` whose (0, 0) is image pixel
        ``origin`` = (y, x)."""
        shifted = np.asarray(self.points, np.float64) - np.array([origin[1], origin[0]])
        pts = np.round(shifted).astype(np.int32)
        thickness = -1 if self.filled else max(1, round(self.width))
        (x0, y0), (x1, y1) = pts[0], pts[-1]
        if self.kind == "pen":
            cv2.polylines(canvas, [pts.reshape(-1, 1, 2)], False, 1.0, max(1, round(self.width)), cv2.LINE_AA)
        elif self.kind == "line":
            cv2.line(canvas, (int(x0), int(y0)), (int(x1), int(y1)), 1.0, max(1, round(self.width)), cv2.LINE_AA)
        elif self.kind == "rectangle":
            cv2.rectangle(canvas, (int(x0), int(y0)), (int(x1), int(y1)), 1.0, thickness)
        elif self.kind == "ellipse":
            centre = (round((x0 + x1) / 2), round((y0 + y1) / 2))
            axes = (max(1, abs(int(x1 - x0)) // 2), max(1, abs(int(y1 - y0)) // 2))
            cv2.ellipse(canvas, centre, axes, 0.0, 0.0, 360.0, 1.0, thickness, cv2.LINE_AA)
        else:
            raise ValueError(f"unknown stroke kind {self.kind!r}")


@dataclass(frozen=True)
class Scribble(TargetTool):
    """Strokes painted in ``color`` (RGB, or one grey value for grey images), or, when ``color`` is None,
    luma raised by ``brightness`` grey levels under them (negative: darken)."""

    strokes: tuple[Stroke, ...]
    color: tuple[float, ...] | None = (255.0, 255.0, 255.0)
    brightness: float = 0.0
    goal = "Way to the stroke colour"

    def stroke_mask(self, view: WindowView) -> torch.Tensor:
        """(1, 1, h, w) float coverage of the strokes in the window (anti-aliased), within the region."""
        canvas = np.zeros(view.size, np.float32)
        for stroke in self.strokes:
            stroke.paint(canvas, view.origin)
        return torch.from_numpy(canvas).to(view.initial)[None, None] * view.region

    def desired(self, view: WindowView) -> torch.Tensor:
        mask = self.stroke_mask(view)
        if self.color is None:
            return view.initial + self.brightness * mask
        channels = view.initial.shape[1]
        color = torch.tensor(self.color[:channels], dtype=view.initial.dtype, device=view.initial.device)
        color = color.view(1, -1, 1, 1).expand(1, channels, 1, 1)
        return view.initial * (1 - mask) + color * mask

    def exact_targets(self, view: WindowView) -> torch.Tensor:
        """The painted window: the edit shows it exactly, projected onto the file (see Tool.exact_targets)."""
        return self.desired(view)

    def footprint(self, view: WindowView) -> torch.Tensor:
        return (self.stroke_mask(view) > 0.5).to(view.initial)

    def summary(self) -> str:
        strokes = f"{len(self.strokes)} stroke{'s' if len(self.strokes) != 1 else ''}"
        if self.color is None:
            return f"Scribble: {strokes}, brightness {self.brightness:+.0f} under them"
        return f"Scribble: {strokes} painted in " + "#" + "".join(f"{round(c):02x}" for c in self.color)

    def outcomes(self, view: WindowView, before: torch.Tensor, after: torch.Tensor) -> tuple[Outcome, ...]:
        if self.color is not None:
            return super().outcomes(view, before, after)
        footprint = self.footprint(view)
        return (
            Outcome(
                "Brightness under the strokes",
                "grey levels",
                luma_shift(after, before, footprint),
                asked=self.brightness,
                allowed=luma_shift(self.target(view), view.initial, footprint),
                signed=True,
            ),
        )
