"""The validation contact sheet of one QF: per photo, one textured crop at 3× zoom, decoded every way.

Columns: true photo | plain libjpeg | faithful | explorable z = 0 | three random z (the first explorable
model's). Grain, block edges and how far random decodes wander are visible here at a glance; look at it
before shipping a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image, ImageDraw

from ..metrics.artifacts import local_deviation

CROP = 64
"""px, side of the crop taken from each photo (shown at ZOOM×)."""
ZOOM = 3
LABEL = 18
ROWS = 6


class PhotoDecodes(Protocol):
    images: dict[str, np.ndarray]
    random: dict[str, list[np.ndarray]]


def textured_crop_origin(truth: np.ndarray, side: int = CROP) -> tuple[int, int]:
    """(top, left) of the ``side``-px window (on the 8-px grid) where the truth varies most on average."""
    deviation = local_deviation(truth.mean(axis=2))
    best, origin = -1.0, (0, 0)
    for top in range(0, truth.shape[0] - side + 1, 8):
        for left in range(0, truth.shape[1] - side + 1, 8):
            score = float(deviation[top : top + side, left : left + side].mean())
            if score > best:
                best, origin = score, (top, left)
    return origin


def columns(decodes: PhotoDecodes) -> list[tuple[str, np.ndarray]]:
    """The sheet's (label, image) columns for one photo."""
    images = decodes.images
    faithful = next((k for k in images if k.startswith("faithful")), None)
    explorable = next((k for k in images if k.startswith("explorable") and "(" not in k), None)
    chosen = [(k, images[k]) for k in ("true photo", "plain libjpeg", faithful, explorable) if k is not None]
    if explorable is not None:
        chosen += [
            (f"random z #{i + 1}", image)
            for i, image in enumerate(decodes.random.get(f"{explorable} (random z)", [])[:3])
        ]
    return chosen


def save_validation_sheet(rows: Sequence[PhotoDecodes], quality: int, path: Path) -> Path:
    """Write the sheet of the most textured ``ROWS`` photos at ``quality`` to ``path`` (PNG)."""
    rows = sorted(rows, key=lambda d: -float(local_deviation(d.images["true photo"].mean(axis=2)).mean()))[:ROWS]
    cell = CROP * ZOOM
    header = columns(rows[0])
    sheet = Image.new("RGB", (len(header) * (cell + 4), LABEL + len(rows) * (cell + 4)), (32, 32, 32))
    pen = ImageDraw.Draw(sheet)
    for column, (label, _) in enumerate(header):
        pen.text((column * (cell + 4) + 4, 3), f"{label} (QF {quality})" if column == 1 else label, fill=(255, 255, 0))
    for row, decodes in enumerate(rows):
        top, left = textured_crop_origin(decodes.images["true photo"])
        for column, (_, image) in enumerate(columns(decodes)):
            crop = np.clip(np.round(image[top : top + CROP, left : left + CROP]), 0, 255).astype(np.uint8)
            tile = Image.fromarray(crop).resize((cell, cell), Image.Resampling.NEAREST)
            sheet.paste(tile, (column * (cell + 4), LABEL + row * (cell + 4)))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path
