"""The model card written next to a trained glyph classifier."""

import os
import platform
from dataclasses import dataclass
from pathlib import Path

import torch


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


def render_card(report: TrainingReport, weights: Path) -> str:
    """Markdown model card for `report`, describing the weights file at `weights`."""
    rows = "\n".join(f"| {name} | {acc:.2%} | {count} |" for name, (acc, count) in report.validation.items())
    data = "\n".join(f"- {line}" for line in report.data)
    return f"""# Glyph classifier `{report.name}`

Classes ({len(report.classes)}): {" ".join(report.classes)}

Steers the explorer's glyph tool: `load_classifier("{report.name}")(images)` maps (N, 3, H, W) RGB in
[0, 255], any H and W, to (N, {len(report.classes)}) logits and is differentiable w.r.t. the pixels.
Inside: JFIF luma, antialiased bilinear resize to {report.input_size}×{report.input_size} (aspect not kept),
per-crop standardization with polarity from the sign of the skewness, then a CNN (widths
{report.widths}, {report.parameters:,} parameters, SiLU, max pooling, global average pooling).

Weights: `{weights.name}` ({weights.stat().st_size / 1024:.0f} KiB, safetensors; class list and input size in its metadata).

## Data
All synthetic crops imitate a box marked around one character: glyph height 60–95% of a 18–72 px
box, aspect 0.55–1.2, centre jitter, ±10° rotation, shear, stretch, partial neighbours at the sides
(half the time each side), random tinted colours of either polarity (30% at a luma contrast of only
12–40 grey levels), stroke thickening/thinning, shading, Gaussian blur, 1.5–3× down/up-sampling,
noise, and Pillow JPEG at quality 5–40 (85% of crops; 4:4:4 or 4:2:0; the 8×8 grid is not aligned
with the box). Validation uses held-out fonts (every 4th font file of each folder), held-out
handwriting and separate random seeds.

{data}

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

"clean": no blur, noise, resampling, shading or JPEG, contrast ≥ 40 grey levels (rotation,
neighbours and colours as in training). "mixed": the training distribution. "heavy JPEG": every
crop JPEG-compressed at quality 5–15, the rest as in training; "contrast ≥ 40" drops the
low-contrast share, whose glyphs such quality often erases entirely.

## Limits
Only luma is used: a glyph isoluminant with its background is invisible. One character per box;
no "not a glyph" class, so the logits of an empty box are meaningless.
"""
