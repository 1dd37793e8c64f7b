"""The model card written next to a trained glyph classifier."""

import os
import platform
import textwrap
from dataclasses import dataclass
from pathlib import Path

import torch

from explorer_app.train import glyph_data as data
from explorer_app.train.glyph_fonts import VALIDATION_EVERY


@dataclass(frozen=True)
class TrainingReport:
    """What a training run did and measured; times in seconds, accuracies in [0, 1]."""

    name: str
    classes: list[str]
    command: str
    parameters: int
    widths: tuple[int, int, int]
    input_size: int
    data: list[str]  # one line per data source
    steps: int
    batch: int
    learning_rate: float
    render_s: float  # wall clock
    train_s: float  # wall clock
    cpu_s: float  # CPU time of the whole run, all threads
    threads: int
    validation: dict[str, tuple[float, int]]  # set name -> (accuracy, sample count)


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo, or what `platform` knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def describe_crops() -> str:
    """The training crops in words, from the constants that make them."""
    t = data.TRAINING
    return (
        "All synthetic crops imitate a box marked around one character: box height "
        f"{data.BOX_HEIGHT[0]}–{data.BOX_HEIGHT[1]} px, aspect {data.BOX_ASPECT[0]:g}–{data.BOX_ASPECT[1]:g}, "
        f"glyph height {data.GLYPH_FILL[0]:.0%}–{data.GLYPH_FILL[1]:.0%} of the box, centre jitter, "
        f"±{t.max_rotation:g}° rotation, shear, stretch, partial neighbours at the sides "
        f"({t.p_neighbours:.0%} of the time each side), random tinted colours of either polarity "
        f"({t.p_low_contrast:.0%} at a luma contrast of only {t.min_contrast:g}–{data.LOW_CONTRAST_TOP:g} grey "
        f"levels), stroke thickening/thinning, shading, Gaussian blur, "
        f"{data.RESAMPLE_FACTOR[0]:g}–{data.RESAMPLE_FACTOR[1]:g}× down/up-sampling, noise, and "
        f"Pillow JPEG at quality {t.jpeg_quality[0]}–{t.jpeg_quality[1]} ({t.p_jpeg:.0%} of crops; 4:4:4 or "
        "4:2:0; the 8×8 grid is not aligned with the box)."
    )


def render_card(report: TrainingReport, weights: Path) -> str:
    """Markdown model card for `report`, describing the weights file at `weights`."""
    rows = "\n".join(f"| {name} | {acc:.2%} | {count} |" for name, (acc, count) in report.validation.items())
    sources = "\n".join(f"- {line}" for line in report.data)
    return f"""# Glyph classifier `{report.name}`

Classes ({len(report.classes)}): {" ".join(report.classes)}

The glyph benchmark's second reader (benchmarks/glyph_benchmark.py): it reads the allowed consistent
glyphs and the tool's candidates, which nothing steers with it (the glyph tool draws by analysis by
synthesis, docs/glyphs.md; a classifier that steered a candidate could not judge it).
`load_classifier("{report.name}")(images)` maps (N, 3, H, W) RGB in
[0, 255], any H and W, to (N, {len(report.classes)}) logits and is differentiable w.r.t. the pixels.
Inside: JFIF luma, antialiased bilinear resize to {report.input_size}×{report.input_size} (aspect not kept),
per-crop standardization with polarity from the sign of the skewness, then a CNN (widths
{report.widths}, {report.parameters:,} parameters, SiLU, max pooling, global average pooling).

Weights: `{weights.name}` ({weights.stat().st_size / 1024:.0f} KiB, safetensors; class list and input size in
its metadata).

## Data
{textwrap.fill(describe_crops(), width=100)}

Validation uses held-out fonts (every {VALIDATION_EVERY}th font file of each folder), held-out
handwriting and separate random seeds.

{sources}

## Training
`{report.command}`

Adam, learning rate {report.learning_rate:g} with warm-up and cosine decay, batch {report.batch}, {report.steps} steps,
cross-entropy with label smoothing 0.05. Rendering took {report.render_s / 60:.1f} min and training
{report.train_s / 60:.1f} min of wall-clock time on a shared {os.cpu_count()}-core {cpu_name()}, {report.threads} torch
thread(s), {report.cpu_s / 60:.1f} min of CPU time in all (torch {torch.__version__}, no GPU).

## Validation
| set | accuracy | crops |
|---|---|---|
{rows}

"clean": no blur, noise, resampling, shading or JPEG, contrast ≥ {data.LOW_CONTRAST_TOP:g} grey levels
(rotation, neighbours and colours as in training). "mixed": the training distribution. "heavy JPEG": every crop
JPEG-compressed at quality {data.HEAVY_JPEG.jpeg_quality[0]}–{data.HEAVY_JPEG.jpeg_quality[1]}, the rest as in \
training; "contrast ≥ {data.LOW_CONTRAST_TOP:g}" drops the low-contrast share, whose glyphs such quality often erases
entirely.

## Limits
Only luma is used: a glyph isoluminant with its background is invisible. One character per box;
no "not a glyph" class, so the logits of an empty box are meaningless.
"""
