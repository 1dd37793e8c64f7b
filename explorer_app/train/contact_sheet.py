"""Contact sheets: grids of labelled thumbnails for eyeballing what the photo filter kept or dropped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

CELL = 160  # px, side of one thumbnail cell
LABEL_HEIGHT = 24  # px of text under each thumbnail
COLUMNS = 8
PER_SHEET = 48


def fit_thumbnail(rgb: np.ndarray, side: int = CELL) -> Image.Image:
    """(H, W, 3) uint8 -> PIL image whose long side is `side` (never upscaled)."""
    image = Image.fromarray(rgb)
    image.thumbnail((side, side), Image.Resampling.BOX)
    return image


def draw_sheet(items: list[tuple[str, np.ndarray]]) -> Image.Image:
    """One grid of (label, (H, W, 3) uint8 thumbnail) items, labels cut to two short lines."""
    rows = max(1, -(-len(items) // COLUMNS))
    sheet = Image.new("RGB", (COLUMNS * CELL, rows * (CELL + LABEL_HEIGHT)), (40, 40, 40))
    pen = ImageDraw.Draw(sheet)
    for index, (label, thumb) in enumerate(items):
        x = (index % COLUMNS) * CELL
        y = (index // COLUMNS) * (CELL + LABEL_HEIGHT)
        sheet.paste(fit_thumbnail(thumb), (x, y))
        pen.text((x + 2, y + CELL + 1), label[:28], fill=(255, 255, 0))
        pen.text((x + 2, y + CELL + 12), label[28:56], fill=(255, 255, 0))
    return sheet


def save_sheets(items: list[tuple[str, np.ndarray]], folder: Path, stem: str) -> list[Path]:
    """Write `items` as numbered PNG sheets `<stem>_NN.png` in `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, start in enumerate(range(0, len(items), PER_SHEET)):
        path = folder / f"{stem}_{number:02d}.png"
        draw_sheet(items[start : start + PER_SHEET]).save(path)
        paths.append(path)
    return paths
