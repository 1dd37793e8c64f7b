"""Fonts for glyph training: find them, keep those with real Latin glyphs, split train/validation."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_SUFFIXES = (".ttf", ".otf")
# A font is used only if it draws all of these: script fonts that merely borrow Latin digits,
# and symbol fonts that put icons on the digit code points, are left out.
LATIN_ALPHANUMERICS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MISSING_PROBE = "\uffff"  # not a character: fonts draw their .notdef box for it
RENDER_SIZE = 64  # px, font size at which glyph masks are rasterised before any scaling
VALIDATION_EVERY = 4  # every 4th font of each folder (sorted by name) is held out


def find_font_files(folders: Sequence[Path], exclude: Sequence[str] = ()) -> dict[Path, list[Path]]:
    """Font files under each folder (recursively), minus names containing any `exclude` string."""
    found = {}
    for folder in folders:
        files = sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in FONT_SUFFIXES)
        files = [p for p in files if not any(word in p.name for word in exclude)]
        if files:
            found[Path(folder)] = files
    return found


def glyph_mask(font: ImageFont.FreeTypeFont, char: str) -> np.ndarray | None:
    """(h, w) float32 coverage in [0, 1] of `char`, cropped to its ink; None when nothing is drawn."""
    canvas = Image.new("L", (3 * RENDER_SIZE, 3 * RENDER_SIZE))
    ImageDraw.Draw(canvas).text((RENDER_SIZE, RENDER_SIZE), char, font=font, fill=255)
    box = canvas.getbbox()
    if box is None:
        return None
    return np.asarray(canvas.crop(box), dtype=np.float32) / 255.0


def load_font_glyphs(path: Path, chars: str) -> dict[str, np.ndarray] | None:
    """Masks of `chars` drawn with the font at `path`; None if it lacks any Latin alphanumeric."""
    font = ImageFont.truetype(str(path), RENDER_SIZE)
    missing = glyph_mask(font, MISSING_PROBE)
    masks = {}
    for char in dict.fromkeys(LATIN_ALPHANUMERICS + chars):
        mask = glyph_mask(font, char)
        if mask is None or (missing is not None and mask.shape == missing.shape and np.array_equal(mask, missing)):
            return None
        masks[char] = mask
    return {char: masks[char] for char in chars}


def split_fonts(fonts: dict[Path, list[Path]]) -> tuple[dict[Path, list[Path]], dict[Path, list[Path]]]:
    """(training, validation) fonts per folder: every VALIDATION_EVERY-th file of a folder is held out."""
    train, val = {}, {}
    for folder, files in fonts.items():
        train[folder] = [p for i, p in enumerate(files) if i % VALIDATION_EVERY != VALIDATION_EVERY - 1]
        val[folder] = [p for i, p in enumerate(files) if i % VALIDATION_EVERY == VALIDATION_EVERY - 1]
    return train, val
