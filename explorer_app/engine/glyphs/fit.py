"""Analysis by synthesis: fit a segment display's style to a box, then each class's clean glyph to the file.

1. :func:`fit_style` estimates the display from the current decode of the box: where the character cell
   lies, its stroke thickness, slant and gap, the ink and background colours, and which glyph it shows,
   by a coarse search over cells and every glyph, refined by gradient descent (colours are solved in closed
   form for each trial).
2. :func:`fit_to_file` then draws every class's clean glyph in that style over the box and moves the cell a
   little (a few pixels, a tenth of its size) to where the file contradicts it least (the colours stay the
   style's: fading a glyph would always lower the contradiction, so its contrast is no free choice): the
   *residual* is the energy that projecting the drawing onto the file's quantization boxes removes (paper
   eq. 2), in grey levels RMS over the box. It is how close the nearest consistent image comes to a clean
   glyph of that class.
3. :func:`read_glyph` is the reader: it reads an image as a person reads a segment display (see
   :func:`reads_as`), with the glyphs drawn in the fitted cell. A class is *possible* when its candidate,
   the projection of its clean glyph, still reads as it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ...decoder.code_tensors import CodeTensors
from ..block_window import expand_code
from ..file_projection import inconsistency, project_to_file
from .render import GAP, HEIGHT, LEFT, SLANT, THICKNESS, TOP, WIDTH, Segments, coverage

Box = tuple[int, int, int, int]
"""(x, y, width, height) in window pixels."""

SEARCH_CHUNK = 512
"""Trial glyphs rendered at once in the coarse search (bounds its memory to tens of MB)."""
REFINE_STEPS = 60
"""Gradient steps of the style's refinement on the decode."""
FILE_STEPS = 30
"""Gradient steps moving every class's cell towards what the file allows."""


@dataclass(frozen=True)
class Style:
    """A display's style in a box: geometry (7,) in window pixels (see render.py), ink and background
    colours (C,) in [0, 255], and the glyph label the decode shows best."""

    geometry: torch.Tensor
    ink: torch.Tensor
    background: torch.Tensor
    label: str


def solve_colours(masks: torch.Tensor, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Least-squares background b and ink i per glyph and channel so that image ≈ b + (i − b)·mask:
    masks (N, 1, h, w), image (1 or N, C, h, w) → (background (N, C), ink (N, C), squared error (N,))."""
    m = masks.flatten(2)  # (N, 1, P)
    x = image.flatten(2).expand(m.shape[0], -1, -1)  # (N, C, P)
    count = m.shape[2]
    s1, s2 = m.sum(2), (m * m).sum(2)  # (N, 1)
    sx, smx = x.sum(2), (m * x).sum(2)  # (N, C)
    det = (count * s2 - s1 * s1).clamp_min(1e-6)
    contrast = (count * smx - s1 * sx) / det
    background = (sx - contrast * s1) / count
    error = ((x - background[..., None] - contrast[..., None] * m) ** 2).sum((1, 2))
    return background, background + contrast, error


def paint(masks: torch.Tensor, ink: torch.Tensor, background: torch.Tensor) -> torch.Tensor:
    """Clean glyphs (N, C, h, w): ``background`` (N, C) where masks (N, 1, h, w) are 0, ``ink`` where 1."""
    return background[:, :, None, None] + (ink - background)[:, :, None, None] * masks


def _trial_cells(box_size: tuple[int, int]) -> torch.Tensor:
    """The coarse search's cells (G, 7) for a box of (h, w) pixels, in box coordinates."""
    h, w = box_size
    cells = []
    for share, aspect, slant in itertools.product((0.6, 0.75, 0.9, 1.0), (0.4, 0.52, 0.64), (0.0, 0.1, 0.2)):
        height = share * h
        width = aspect * height
        thickness = max(1.5, 0.13 * height)
        span = width + slant * height
        for top in torch.arange(-0.5, h - height + 1.0, 2.0).tolist():
            for left in torch.arange(0.0, max(1.0, w - span + 1.0), 2.0).tolist():
                cells.append([left, top, width, height, thickness, slant, 0.3 * thickness])
    return torch.tensor(cells)


BOX_PADDING = 0.08
"""The cell is expected to fill the user's box but for this share of the box height on every side."""
BOX_PRIOR = 0.5
"""Weight of the box prior: the fit's squared error is multiplied by 1 + BOX_PRIOR × (the squared shares of
the box by which the cell's width and height miss the padded box). A glyph that does not show its cell (a
1 shows only its right edge) takes the box's; a glyph that does is hardly moved by it."""


def box_prior(geometry: torch.Tensor, box_size: tuple[int, int]) -> torch.Tensor:
    """(N,) the factor of :data:`BOX_PRIOR` for cells (N, 7) in a box of (h, w) pixels."""
    h, w = box_size
    pad = max(1.0, BOX_PADDING * h)
    span = geometry[:, WIDTH] + geometry[:, SLANT].abs() * geometry[:, HEIGHT]
    miss_w = (span - (w - 2 * pad)) / w
    miss_h = (geometry[:, HEIGHT] - (h - 2 * pad)) / h
    return 1.0 + BOX_PRIOR * (miss_w**2 + miss_h**2)


SEARCH_HEIGHT = 32
"""The style is fitted on the box scaled down (area averaging) to at most this many pixels tall: a cell's
geometry is found as well there, at a fraction of the work for a large box."""


def fit_style(segments: Segments, crop: torch.Tensor) -> Style:
    """The display style that explains ``crop`` (1, C, h, w), the box of the current decode, best: coarse
    search over cells × every glyph variant, then :data:`REFINE_STEPS` gradient steps from the 4 best, both
    on the box scaled to at most :data:`SEARCH_HEIGHT` pixels tall; the squared error is weighed by
    :func:`box_prior`."""
    size = (crop.shape[2], crop.shape[3])
    scale = max(1.0, size[0] / SEARCH_HEIGHT)
    small = crop if scale == 1.0 else F.interpolate(crop, scale_factor=1 / scale, mode="area")
    small_size = (small.shape[2], small.shape[3])
    cells = _trial_cells(small_size).to(crop)
    variants = segments.lit.shape[0]
    scored = []
    with torch.no_grad():
        geometry = cells.repeat_interleave(variants, 0)
        lit = segments.lit.to(crop).repeat(cells.shape[0], 1)
        for start in range(0, geometry.shape[0], SEARCH_CHUNK):
            chunk = geometry[start : start + SEARCH_CHUNK]
            masks = coverage(segments, lit[start : start + SEARCH_CHUNK], chunk, small_size)
            scored.append(solve_colours(masks, small)[2] * box_prior(chunk, small_size))
    error = torch.cat(scored)
    best = torch.topk(-error, min(4, error.numel())).indices
    geometry, lit = _refine_on_image(segments, lit[best], geometry[best], small)
    geometry = geometry * torch.tensor([scale, scale, scale, scale, scale, 1.0, scale]).to(crop)
    with torch.no_grad():
        background, ink, error = solve_colours(coverage(segments, lit, geometry, size), crop)
    winner = int((error * box_prior(geometry, size)).argmin())
    label = segments.labels[int(best[winner]) % variants]
    return Style(geometry[winner], ink[winner], background[winner], label)


def _refine_on_image(
    segments: Segments, lit: torch.Tensor, geometry: torch.Tensor, crop: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient steps on the cells (N, 7) to fit ``crop`` with closed-form colours; (cells, lit)."""
    size = (crop.shape[2], crop.shape[3])
    free = geometry.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([free], lr=0.1)
    for _ in range(REFINE_STEPS):
        optimizer.zero_grad()
        cells = _valid(free)
        _, _, error = solve_colours(coverage(segments, lit, cells, size), crop)
        (error * box_prior(cells, size)).sum().backward()
        optimizer.step()
    return _valid(free).detach(), lit


def _valid(geometry: torch.Tensor) -> torch.Tensor:
    """Cells kept drawable: size at least 3 px, thickness 1 px to a third of the width, gap under it."""
    g = geometry
    width, height = g[:, WIDTH].clamp_min(3.0), g[:, HEIGHT].clamp_min(3.0)
    thickness = torch.minimum(g[:, THICKNESS].clamp_min(1.0), width / 3)
    gap = torch.minimum(g[:, GAP].clamp_min(0.0), thickness)
    return torch.stack([g[:, LEFT], g[:, TOP], width, height, thickness, g[:, SLANT].clamp(-0.3, 0.4), gap], 1)


@dataclass(frozen=True)
class ClassFit:
    """Every glyph variant drawn clean over the box and fitted to the file.

    geometry (V, 7) in window pixels; ink, background (V, C); drawings (V, C, h, w): the window with the
    clean glyph painted over the box; residual (V,) grey levels RMS over the box that the projection onto the
    file removes; labels (V,)."""

    geometry: torch.Tensor
    ink: torch.Tensor
    background: torch.Tensor
    drawings: torch.Tensor
    residual: torch.Tensor
    labels: list[str]


MOVES = (2.0, 2.0, 0.1, 0.1, 0.3, 0.06, 0.5)
"""How far :func:`fit_to_file` may move each geometry number from the style: pixels for left and top,
shares of the style's width, height and thickness (the gap: of the thickness), and slant."""


def fit_to_file(segments: Segments, style: Style, window: torch.Tensor, code: CodeTensors, box: Box) -> ClassFit:
    """Each variant's clean glyph in ``style`` over ``box`` of the window image (1, C, h, w) whose file is
    ``code``, with the cell moved (within :data:`MOVES`) to where the file contradicts it least."""
    x, y, bw, bh = box
    variants = segments.lit.shape[0]
    base = style.geometry[None].expand(variants, -1)
    reach = torch.tensor(MOVES, dtype=window.dtype, device=window.device)
    scale = torch.stack(
        [
            reach[0].expand(variants),
            reach[1].expand(variants),
            reach[2] * base[:, WIDTH],
            reach[3] * base[:, HEIGHT],
            reach[4] * base[:, THICKNESS],
            reach[5].expand(variants),
            reach[6] * base[:, THICKNESS],
        ],
        1,
    )
    free = torch.zeros_like(base, requires_grad=True)
    colours = torch.stack([style.background, style.ink])[None].repeat(variants, 1, 1)
    optimizer = torch.optim.Adam([free], lr=0.25)
    lit = segments.lit.to(window)

    def draw() -> tuple[torch.Tensor, torch.Tensor]:
        geometry = _valid(base + scale * torch.tanh(free))
        masks = coverage(segments, lit, geometry, (bh, bw))
        glyphs = paint(masks, colours[:, 1].clamp(0, 255), colours[:, 0].clamp(0, 255))
        drawings = window.expand(variants, -1, -1, -1).clone()
        drawings[:, :, y : y + bh, x : x + bw] = glyphs
        return geometry, drawings

    box_code = expand_code(code, variants)
    scale_rms = window.shape[2] * window.shape[3] / (bw * bh)
    for _ in range(FILE_STEPS):
        optimizer.zero_grad()
        _, drawings = draw()
        inconsistency(drawings, box_code).sum().backward()
        optimizer.step()
    with torch.no_grad():
        geometry, drawings = draw()
        residual = torch.sqrt(inconsistency(drawings, box_code) * scale_rms)
        geometry = geometry + torch.tensor([x, y, 0, 0, 0, 0, 0], dtype=geometry.dtype, device=geometry.device)
    return ClassFit(
        geometry,
        colours[:, 1].clamp(0, 255),
        colours[:, 0].clamp(0, 255),
        drawings,
        residual,
        segments.labels,
    )


def ink_level(image: torch.Tensor, ink: torch.Tensor, background: torch.Tensor) -> torch.Tensor:
    """How inked each pixel of ``image`` (N, C, h, w) is: 0 at ``background``, 1 at ``ink`` (N, C), measured
    along the colour direction between them → (N, h, w)."""
    direction = ink - background
    norm = direction.pow(2).sum(1).clamp_min(1.0)
    return ((image - background[:, :, None, None]) * direction[:, :, None, None]).sum(1) / norm[:, None, None]


VISIBLE_LEVEL = 0.25
"""A glyph whose ink is on average fainter than this share of the clean contrast reads as nothing."""
SMALLEST_DIFFERENCE = 0.06
"""Pixels where two glyphs differ count only when they are at least this share of the glyph's ink (a
segment is a seventh of an 8, half of a 1): rasterizing draws a few pixels of shared strokes differently
per glyph."""
FIT_TOLERANCE = 1
"""Pixels by which a fitted cell may miss the glyph it was fitted to (on a blurred decode): the engine's
reader looks that far around for ink that must be absent."""
OWN_DIFFERENCE = 0.02
"""The engine reads with glyphs of its own renderer, whose shared strokes are drawn alike in every glyph, so
smaller differences count (a fourteen-segment B and D differ by half a bar)."""
CLEAR_COVERAGE = 0.05
"""A pixel is one glyph's and not another's only where the other's coverage is below this: the slivers
that anti-aliasing inks differently for two glyphs sharing a stroke are no difference between them."""


def reads_as(
    masks: torch.Tensor, level: torch.Tensor, smallest_difference: float = SMALLEST_DIFFERENCE, misplaced: int = 0
) -> list[int]:
    """The reader's rule, as a person reads a segment display: glyph k (masks (K, 1, h, w), ink coverage)
    reads in an ink-level map (h, w) when its ink is visible (mean level over its pixels ≥ VISIBLE_LEVEL)
    and, against every other glyph j, the pixels k inks and j leaves clear are at least half as inked as k's
    pixels on average, and the pixels j inks and k leaves clear are less than half, as is the background
    (the pixels every glyph leaves clear). So a faint ghost of another glyph does not change the reading, a
    dim display reads as well as a bright one, and noise reads as nothing. Differences smaller than
    ``smallest_difference`` of glyph k's ink are ignored. ``misplaced``: how many pixels the masks may be
    off the image's glyphs; ink that must be absent is then looked for that far around (the strongest
    level within), so a misplaced mask cannot miss a ghost.
    Returns the indices that read (usually one or none; several only for glyphs that draw the same)."""
    on = masks[:, 0] > 0.5  # (K, h, w)
    clear = masks[:, 0] < CLEAR_COVERAGE  # not even touched by the glyph's anti-aliased edge
    size = 2 * misplaced + 1
    if misplaced:  # look around only where that cannot reach the glyph's own ink
        around = F.max_pool2d(level[None, None], size, 1, misplaced)[0, 0]
        clear = F.max_pool2d((~clear).float()[:, None], size, 1, misplaced)[:, 0] == 0
    else:
        around = level
    background = clear.all(0)
    found = []
    for k in range(on.shape[0]):
        ink = int(on[k].sum())
        if ink < 2:
            continue
        smallest = max(2, round(smallest_difference * ink))
        lit = float(level[on[k]].mean())
        half = 0.5 * lit
        fine = lit >= VISIBLE_LEVEL
        if int(background.sum()) >= smallest and float(around[background].mean()) >= half:
            fine = False
        for j in range(on.shape[0]):
            if not fine:
                break
            if j == k:
                continue
            mine, theirs = on[k] & (masks[j, 0] < CLEAR_COVERAGE), on[j] & clear[k]
            if int(mine.sum()) >= smallest and float(level[mine].mean()) < half:
                fine = False
            if int(theirs.sum()) >= smallest and float(around[theirs].mean()) >= half:
                fine = False
        if fine:
            found.append(k)
    return found


def read_glyph(
    segments: Segments, image: torch.Tensor, geometry: torch.Tensor, ink: torch.Tensor, background: torch.Tensor
) -> str | None:
    """What the reader sees in ``image`` (1, C, h, w): the label of the glyph drawn in the cell ``geometry``
    (7,) (image pixels) that :func:`reads_as` finds, with ``ink`` and ``background`` (C,) the clean glyph's
    colours; None when no glyph of the display reads (or glyphs of different labels do)."""
    variants = segments.lit.shape[0]
    size = (image.shape[2], image.shape[3])
    with torch.no_grad():
        masks = coverage(segments, segments.lit.to(image), geometry[None].expand(variants, -1), size)
        level = ink_level(image, ink[None], background[None])[0]
    labels = {segments.labels[k] for k in reads_as(masks, level, OWN_DIFFERENCE, FIT_TOLERANCE)}
    return labels.pop() if len(labels) == 1 else None


def projected(drawings: torch.Tensor, code: CodeTensors) -> torch.Tensor:
    """The drawings (N, C, h, w) projected onto the file (eq. 2): the nearest consistent images."""
    with torch.no_grad():
        return project_to_file(drawings.clamp(0, 255), expand_code(code, drawings.shape[0]))


__all__ = [
    "ClassFit",
    "Style",
    "fit_style",
    "fit_to_file",
    "ink_level",
    "paint",
    "projected",
    "read_glyph",
    "reads_as",
    "solve_colours",
]
