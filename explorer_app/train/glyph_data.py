"""Training and validation crops of glyphs: placed, coloured, blurred, noised and JPEG-damaged.

A crop imitates the box a user marks around one character of a blurred clock, plate or sign:
the glyph roughly centred, maybe rotated or sheared, parts of its neighbours at the edges, any
colours, and the damage of a low-quality JPEG whose 8×8 grid does not line up with the box.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np
import torch
from PIL import Image

from explorer_app.engine.classifiers.preprocess import LUMA_WEIGHTS, luminance, resize_square

BOX_HEIGHT = (18, 72)  # px, the user's box
BOX_ASPECT = (0.55, 1.2)  # box width / height
GLYPH_FILL = (0.6, 0.95)  # glyph ink height / box height
JITTER = (0.12, 0.08)  # max offset of the glyph centre from the box centre, as a fraction of box (w, h)
STRETCH = (0.85, 1.15)  # horizontal scale of the glyph beyond its font's proportions
MAX_SHEAR = 0.15  # horizontal shear (italic-like), in x per y
NEIGHBOUR_GAP = (0.05, 0.5)  # gap between glyph and neighbour, as a fraction of glyph height
LOW_CONTRAST_TOP = 40.0  # grey levels of luma: below this a crop counts as low-contrast
MAX_CONTRAST = 230.0
RESAMPLE_FACTOR = (1.5, 3.0)  # down- then up-sampling by this factor imitates a low-resolution source
PAD = 16  # px of canvas around the box, so blur, neighbours and JPEG blocks reach into it
MAX_VALUE = 255.0


class GlyphSource(Protocol):
    """Something that draws a labelled glyph mask and two glyphs that may stand beside it."""

    def draw(self, rng: np.random.Generator) -> "Draw": ...


@dataclass(frozen=True)
class Draw:
    """A glyph (float32 coverage in [0, 1], cropped to its ink), its class index, two neighbours."""

    glyph: np.ndarray
    label: int
    neighbours: tuple[np.ndarray, np.ndarray]


class FontSource:
    """Glyphs from many fonts: a folder (one font package) is picked uniformly, then a font in it."""

    def __init__(self, fonts_by_folder: Sequence[Sequence[dict[str, np.ndarray]]], classes: Sequence[str]) -> None:
        self.folders = [list(fonts) for fonts in fonts_by_folder if fonts]
        self.classes = list(classes)

    def draw(self, rng: np.random.Generator) -> Draw:
        fonts = self.folders[rng.integers(len(self.folders))]
        font = fonts[rng.integers(len(fonts))]
        label, left, right = rng.integers(len(self.classes), size=3)
        return Draw(font[self.classes[label]], int(label), (font[self.classes[left]], font[self.classes[right]]))


class MaskSource:
    """Glyphs given as masks with labels (handwriting); neighbours are other random samples."""

    def __init__(self, masks: Sequence[np.ndarray], labels: Sequence[int]) -> None:
        self.masks = list(masks)
        self.labels = list(labels)

    def draw(self, rng: np.random.Generator) -> Draw:
        i, left, right = rng.integers(len(self.masks), size=3)
        return Draw(self.masks[i], self.labels[i], (self.masks[left], self.masks[right]))


@dataclass(frozen=True)
class Degradation:
    """How crops are damaged: probabilities per crop; contrast in grey levels of luma."""

    p_jpeg: float = 0.85
    jpeg_quality: tuple[int, int] = (5, 40)
    p_blur: float = 0.5
    p_noise: float = 0.5
    p_resample: float = 0.3
    p_stroke: float = 0.3
    p_shading: float = 0.3
    p_low_contrast: float = 0.3
    min_contrast: float = 12.0
    p_neighbours: float = 0.5
    max_rotation: float = 10.0


TRAINING = Degradation()
CLEAN = Degradation(p_jpeg=0.0, p_blur=0.0, p_noise=0.0, p_resample=0.0, p_shading=0.0, p_low_contrast=0.0)
HEAVY_JPEG = Degradation(p_jpeg=1.0, jpeg_quality=(5, 15))
# At quality ≤ 15 a glyph 12–40 grey levels from its background often leaves no trace at all.
HEAVY_JPEG_CONTRASTED = Degradation(p_jpeg=1.0, jpeg_quality=(5, 15), p_low_contrast=0.0)


def warp_glyph(
    mask: np.ndarray, canvas: tuple[int, int], centre: np.ndarray, height: float, stretch: float, rotation: np.ndarray
) -> np.ndarray:
    """Scale `mask` to `height` px of ink (width × `stretch`), apply `rotation` (2×2, includes shear),
    centre it at `centre` (x, y) on a canvas of shape `canvas` (h, w); returns float32 coverage."""
    h, w = mask.shape
    size = (max(1, round(w * height / h * stretch)), max(1, round(height)))
    scaled = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
    offset = centre - rotation @ np.array([(size[0] - 1) / 2, (size[1] - 1) / 2])
    matrix = np.hstack([rotation, offset[:, None]])
    return cv2.warpAffine(scaled, matrix, (canvas[1], canvas[0]), flags=cv2.INTER_LINEAR, borderValue=0.0)


def layout(
    rng: np.random.Generator,
    draw: Draw,
    box: tuple[int, int],
    origin: tuple[int, int],
    canvas: tuple[int, int],
    d: Degradation,
) -> np.ndarray:
    """Coverage (canvas h, w) of the glyph placed in the box (h, w) at `origin` (y, x), plus neighbours."""
    box_h, box_w = box
    height = box_h * rng.uniform(*GLYPH_FILL)
    stretch = rng.uniform(*STRETCH)
    width = draw.glyph.shape[1] * height / draw.glyph.shape[0] * stretch
    if width > 0.95 * box_w:  # wide glyphs (W, M) still fit the box
        height, width = height * 0.95 * box_w / width, 0.95 * box_w
    angle = np.deg2rad(rng.uniform(-d.max_rotation, d.max_rotation))
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, rng.uniform(-MAX_SHEAR, MAX_SHEAR)], [0.0, 1.0]])
    centre = np.array([origin[1] + box_w / 2, origin[0] + box_h / 2])
    centre += rng.uniform(-1, 1, size=2) * np.array(JITTER) * np.array([box_w, box_h])
    coverage = warp_glyph(draw.glyph, canvas, centre, height, stretch, rotation)
    along = np.array([cos, sin])  # the text line's direction
    for side, neighbour in zip((-1, 1), draw.neighbours):
        if rng.random() >= d.p_neighbours:
            continue
        n_width = neighbour.shape[1] * height / neighbour.shape[0] * stretch
        distance = width / 2 + rng.uniform(*NEIGHBOUR_GAP) * height + n_width / 2
        placed = warp_glyph(neighbour, canvas, centre + side * distance * along, height, stretch, rotation)
        coverage = np.maximum(coverage, placed)
    return coverage


def vary_stroke(rng: np.random.Generator, coverage: np.ndarray, glyph_height: int) -> np.ndarray:
    """Thicken or thin the strokes by about a pixel (thinning only for glyphs tall enough to survive it)."""
    kernel = np.ones((2, 2), np.uint8) if glyph_height < 40 else np.ones((3, 3), np.uint8)
    if glyph_height >= 28 and rng.random() < 0.4:
        return cv2.erode(coverage, kernel)
    return cv2.dilate(coverage, kernel)


def pick_colours(rng: np.random.Generator, d: Degradation) -> tuple[np.ndarray, np.ndarray]:
    """(background, foreground) RGB in [0, 255]: random tints whose luma differ by a random contrast."""
    low = rng.random() < d.p_low_contrast
    contrast = rng.uniform(d.min_contrast, LOW_CONTRAST_TOP) if low else rng.uniform(LOW_CONTRAST_TOP, MAX_CONTRAST)
    back = rng.uniform(0.0, MAX_VALUE)
    room_up, room_down = MAX_VALUE - back, back
    go_up = rng.random() < 0.5 if min(room_up, room_down) >= contrast else room_up > room_down
    fore = back + min(contrast, room_up) if go_up else back - min(contrast, room_down)

    def tinted(luma: float) -> np.ndarray:
        colour = rng.uniform(0.0, MAX_VALUE, size=3)
        chroma = colour - colour @ np.array(LUMA_WEIGHTS)
        return np.clip(luma + rng.uniform(0.0, 1.0) * chroma, 0.0, MAX_VALUE)

    return tinted(back), tinted(fore)


def shading(rng: np.random.Generator, shape: tuple[int, int], amplitude: float) -> np.ndarray:
    """(h, w) linear illumination ramp in a random direction, ±amplitude/2 grey levels."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xs / shape[1] + np.sin(angle) * ys / shape[0]
    return (ramp - ramp.mean()) * amplitude


def jpeg_roundtrip(image: np.ndarray, quality: int, subsampling: int) -> np.ndarray:
    """(h, w, 3) uint8 through Pillow's JPEG encoder and decoder (subsampling 0 = 4:4:4, 2 = 4:2:0)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality, subsampling=subsampling)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def render_sample(rng: np.random.Generator, draw: Draw, d: Degradation) -> np.ndarray:
    """One damaged crop, (box h, box w, 3) uint8 RGB, of `draw`'s glyph."""
    box_h = int(rng.integers(BOX_HEIGHT[0], BOX_HEIGHT[1] + 1))
    box_w = max(8, round(box_h * rng.uniform(*BOX_ASPECT)))
    origin = (PAD + int(rng.integers(8)), PAD + int(rng.integers(8)))  # moves the box against the 8×8 grid
    canvas = (origin[0] + box_h + PAD, origin[1] + box_w + PAD)
    coverage = layout(rng, draw, (box_h, box_w), origin, canvas, d)
    if rng.random() < d.p_stroke:
        coverage = vary_stroke(rng, coverage, box_h)
    back, fore = pick_colours(rng, d)
    image = back + coverage[..., None] * (fore - back)
    if rng.random() < d.p_shading:
        image += shading(rng, canvas, rng.uniform(0, 0.6) * abs(fore - back).max())[..., None]
    if rng.random() < d.p_blur:
        image = cv2.GaussianBlur(image, (0, 0), sigmaX=rng.uniform(0.3, max(0.4, 0.05 * box_h)))
    if rng.random() < d.p_resample:
        factor = rng.uniform(*RESAMPLE_FACTOR)
        small = cv2.resize(image, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)
        image = cv2.resize(small, (canvas[1], canvas[0]), interpolation=cv2.INTER_LINEAR)
    if rng.random() < d.p_noise:
        image = image + rng.normal(0.0, rng.uniform(1.0, 10.0), size=image.shape)
    image = np.clip(np.rint(image), 0, MAX_VALUE).astype(np.uint8)
    if rng.random() < d.p_jpeg:
        quality = int(rng.integers(d.jpeg_quality[0], d.jpeg_quality[1] + 1))
        image = jpeg_roundtrip(image, quality, subsampling=int(rng.choice([0, 2])))
    return image[origin[0] : origin[0] + box_h, origin[1] : origin[1] + box_w]


def crop_to_luma(crop: np.ndarray, size: int) -> torch.Tensor:
    """(h, w, 3) uint8 RGB -> (1, size, size) luma in [0, 255], exactly as the classifier sees it."""
    rgb = torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1)[None].float()
    return resize_square(luminance(rgb), size)[0]


def render_dataset(
    sources: Sequence[tuple[GlyphSource, float]], count: int, d: Degradation, seed: int, size: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` crops drawn from `sources` (chosen by weight) -> (count, 1, size, size) uint8 luma,
    (count,) int64 labels."""
    rng = np.random.default_rng(seed)
    weights = np.array([w for _, w in sources], dtype=np.float64)
    picks = rng.choice(len(sources), size=count, p=weights / weights.sum())
    images = torch.empty((count, 1, size, size), dtype=torch.uint8)
    labels = torch.empty(count, dtype=torch.int64)
    for i, pick in enumerate(picks):
        draw = sources[pick][0].draw(rng)
        images[i] = crop_to_luma(render_sample(rng, draw, d), size).round().clamp(0, MAX_VALUE).to(torch.uint8)
        labels[i] = draw.label
    return images, labels
