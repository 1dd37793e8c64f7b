"""Train a glyph classifier on CPU: `python -m explorer_app.train.glyph_train --classes digits --out models/`."""

import argparse
import math
import shlex
import string
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from explorer_app.engine.classifiers import GlyphClassifier, GlyphNet, save_classifier
from explorer_app.engine.classifiers.store import classifier_path
from explorer_app.train import glyph_data as data
from explorer_app.train.glyph_card import TrainingReport, render_card
from explorer_app.train.glyph_fonts import find_font_files, load_font_glyphs, split_fonts
from explorer_app.train.glyph_handwritten import (
    OPENCV_VALIDATION_COLUMNS,
    SKLEARN_UPSCALE,
    opencv_digits,
    sklearn_digits,
)

DEFAULT_FONT_FOLDERS = [
    "/usr/share/fonts/truetype/dseg",
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/truetype/freefont",
    "/usr/share/fonts/truetype/ocr-a",
    "/usr/share/fonts/opentype/ocr-b",
]
FONT_PACKAGES = "fonts-dseg fonts-dejavu-core fonts-liberation fonts-noto-core fonts-ocr-a fonts-ocr-b"
OPENCV_DIGITS = "/usr/share/doc/opencv-doc/examples/data/digits.png"
FONT_WEIGHT, OPENCV_WEIGHT, SKLEARN_WEIGHT = 0.7, 0.2, 0.1  # share of training crops per source
LABEL_SMOOTHING = 0.05
WARMUP_STEPS = 200

LumaSet = tuple[torch.Tensor, torch.Tensor]  # (N, 1, S, S) uint8 luma crops, (N,) int64 labels
Scores = dict[str, tuple[float, int]]  # validation set name -> (accuracy, crop count)


@dataclass(frozen=True)
class ClassSet:
    """The characters a classifier tells apart, fonts unfit for them, whether handwriting exists."""

    chars: str
    exclude_fonts: tuple[str, ...]
    handwritten: bool


# OCR-B's E and X cuts draw glyphs inverted inside a box; DSEG7 has no real letters (K, M, W, X).
CLASS_SETS = {
    "digits": ClassSet(string.digits, ("OCRBE", "OCRBX"), handwritten=True),
    "letters": ClassSet(string.ascii_uppercase, ("OCRBE", "OCRBX", "DSEG7"), handwritten=False),
}


def setup_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--classes", choices=sorted(CLASS_SETS), required=True)
    parser.add_argument("--out", type=Path, default=Path("models"), help="folder for the weights and model card")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--train-samples", type=int, default=160_000, help="crops rendered before training")
    parser.add_argument("--val-samples", type=int, default=2000, help="crops per validation set")
    parser.add_argument("--fonts", type=Path, nargs="+", default=[Path(p) for p in DEFAULT_FONT_FOLDERS])
    parser.add_argument("--exclude-fonts", nargs="*", help="skip font files whose name contains any of these")
    parser.add_argument("--opencv-digits", type=Path, default=Path(OPENCV_DIGITS), help="OpenCV's digits.png")
    parser.add_argument("--widths", type=int, nargs=3, default=[16, 48, 96])
    parser.add_argument("--input-size", type=int, default=32)
    parser.add_argument("--eval-every", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    return parser


def load_fonts(args: argparse.Namespace, class_set: ClassSet) -> tuple[data.FontSource, data.FontSource, list[str]]:
    """(training, validation) font sources and a line per folder for the model card."""
    exclude = class_set.exclude_fonts if args.exclude_fonts is None else args.exclude_fonts
    fonts = find_font_files(args.fonts, exclude)
    if not fonts:
        folders = " ".join(str(f) for f in args.fonts)
        sys.exit(f"no .ttf/.otf fonts in {folders}; install them (apt-get install {FONT_PACKAGES}) or pass --fonts")
    train, val = split_fonts(fonts)
    lines, train_sets, val_sets = [], [], []
    for folder in fonts:
        train_glyphs = [g for g in (load_font_glyphs(p, class_set.chars) for p in train[folder]) if g is not None]
        val_glyphs = [g for g in (load_font_glyphs(p, class_set.chars) for p in val[folder]) if g is not None]
        train_sets.append(train_glyphs)
        val_sets.append(val_glyphs)
        lines.append(f"fonts in {folder}: {len(train_glyphs)} for training, {len(val_glyphs)} held out")
    if not any(train_sets) or not any(val_sets):
        sys.exit(f"too few usable fonts for {class_set.chars!r} in {' '.join(map(str, fonts))}")
    return data.FontSource(train_sets, class_set.chars), data.FontSource(val_sets, class_set.chars), lines


def load_handwriting(
    args: argparse.Namespace,
) -> tuple[dict[str, tuple[data.GlyphSource, float]], data.GlyphSource, list[str]]:
    """Weighted training sources by name, the validation source and card lines for the handwritten digits."""
    if not args.opencv_digits.is_file():
        sys.exit(
            f"{args.opencv_digits} not found: `apt-get download opencv-doc && dpkg -x opencv-doc_*.deb x`, "
            "then pass --opencv-digits x/usr/share/doc/opencv-doc/examples/data/digits.png"
        )
    cv_train, sk_train = opencv_digits(args.opencv_digits, False), sklearn_digits(False)
    cv_val, sk_val = opencv_digits(args.opencv_digits, True), sklearn_digits(True)
    val = data.MaskSource(cv_val[0] + sk_val[0], cv_val[1] + sk_val[1])
    lines = [
        f"OpenCV digits.png (opencv-doc): {len(cv_train[0])} for training, {len(cv_val[0])} held out "
        f"(last {OPENCV_VALIDATION_COLUMNS} columns)",
        f"scikit-learn load_digits (8×8, upscaled {SKLEARN_UPSCALE}×): {len(sk_train[0])} for training, "
        f"{len(sk_val[0])} held out",
    ]
    train: dict[str, tuple[data.GlyphSource, float]] = {
        "OpenCV": (data.MaskSource(*cv_train), OPENCV_WEIGHT),
        "scikit-learn": (data.MaskSource(*sk_train), SKLEARN_WEIGHT),
    }
    return train, val, lines


def accuracy(model: GlyphClassifier, images: torch.Tensor, labels: torch.Tensor, batch: int = 500) -> float:
    """Top-1 accuracy of `model` on (N, 1, S, S) uint8 luma crops."""
    model.eval()
    with torch.no_grad():
        hits = sum(
            (model.forward_luma(images[i : i + batch].float()).argmax(1) == labels[i : i + batch]).sum().item()
            for i in range(0, len(images), batch)
        )
    model.train()
    return hits / len(images)


def evaluate(model: GlyphClassifier, val_sets: dict[str, LumaSet]) -> Scores:
    """Accuracy and size of every validation set, plus all of them pooled as "overall"."""
    results = {name: (accuracy(model, x, y), len(y)) for name, (x, y) in val_sets.items()}
    total = sum(n for _, n in results.values())
    results["overall"] = (sum(acc * n for acc, n in results.values()) / total, total)
    return results


def learning_rate_factor(step: int, steps: int) -> float:
    """Linear warm-up over WARMUP_STEPS, then cosine decay to zero at `steps`."""
    if step < WARMUP_STEPS:
        return (step + 1) / WARMUP_STEPS
    return 0.5 * (1 + math.cos(math.pi * (step - WARMUP_STEPS) / max(1, steps - WARMUP_STEPS)))


def train(
    model: GlyphClassifier,
    images: torch.Tensor,
    labels: torch.Tensor,
    args: argparse.Namespace,
    val_sets: dict[str, LumaSet],
) -> Scores:
    """Adam on random batches of the pre-rendered crops, reporting validation accuracy as it goes;
    returns the last report (always taken after the final step)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: learning_rate_factor(step, args.steps))
    generator = torch.Generator().manual_seed(args.seed)
    model.train()
    started, running = time.time(), 0.0
    for step in range(1, args.steps + 1):
        index = torch.randint(len(images), (args.batch,), generator=generator)
        logits = model.forward_luma(images[index].float())
        loss = F.cross_entropy(logits, labels[index], label_smoothing=LABEL_SMOOTHING)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        running += loss.item()
        if step % args.eval_every == 0 or step == args.steps:
            results = evaluate(model, val_sets)
            scores = ", ".join(f"{name} {acc:.2%}" for name, (acc, _) in results.items())
            elapsed = time.time() - started
            print(f"step {step}: loss {running / args.eval_every:.3f}, {elapsed:.0f} s; {scores}", flush=True)
            running = 0.0
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = setup_args().parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    class_set = CLASS_SETS[args.classes]
    train_fonts, val_fonts, data_lines = load_fonts(args, class_set)
    train_sources: dict[str, tuple[data.GlyphSource, float]] = {"fonts": (train_fonts, FONT_WEIGHT)}
    val_sources: dict[str, tuple[data.GlyphSource, data.Degradation]] = {
        "clean fonts": (val_fonts, data.CLEAN),
        "mixed fonts": (val_fonts, data.TRAINING),
        "heavy JPEG fonts": (val_fonts, data.HEAVY_JPEG),
        f"heavy JPEG fonts, contrast ≥ {data.LOW_CONTRAST_TOP:g}": (val_fonts, data.HEAVY_JPEG_CONTRASTED),
    }
    if class_set.handwritten:
        hand_train, hand_val, hand_lines = load_handwriting(args)
        train_sources |= hand_train
        data_lines += hand_lines
        val_sources |= {
            "mixed handwriting": (hand_val, data.TRAINING),
            "heavy JPEG handwriting": (hand_val, data.HEAVY_JPEG),
        }
    shares = ", ".join(f"{name} {weight:.0%}" for name, (_, weight) in train_sources.items())
    data_lines.append(f"{args.train_samples} training crops ({shares})")

    started = time.time()
    images, labels = data.render_dataset(
        list(train_sources.values()), args.train_samples, data.TRAINING, args.seed, args.input_size
    )
    val_sets = {
        name: data.render_dataset(
            [(source, 1.0)], args.val_samples, degradation, 10_000 + args.seed + i, args.input_size
        )
        for i, (name, (source, degradation)) in enumerate(val_sources.items())
    }
    render_s = time.time() - started
    print(
        f"rendered {len(images)} training and {len(val_sets)}×{args.val_samples} validation crops in {render_s:.0f} s",
        flush=True,
    )

    model = GlyphClassifier(list(class_set.chars), GlyphNet(len(class_set.chars), tuple(args.widths)), args.input_size)
    started = time.time()
    results = train(model, images, labels, args, val_sets)
    train_s = time.time() - started

    args.out.mkdir(parents=True, exist_ok=True)
    weights = classifier_path(args.classes, args.out)
    save_classifier(model.eval(), weights, {"name": args.classes, "steps": str(args.steps)})
    report = TrainingReport(
        name=args.classes,
        classes=model.classes,
        command="python -m explorer_app.train.glyph_train " + shlex.join(argv if argv is not None else sys.argv[1:]),
        parameters=sum(p.numel() for p in model.parameters()),
        widths=tuple(args.widths),
        input_size=args.input_size,
        data=data_lines,
        steps=args.steps,
        batch=args.batch,
        learning_rate=args.lr,
        render_s=render_s,
        train_s=train_s,
        cpu_s=time.process_time(),
        threads=args.threads,
        validation=results,
    )
    weights.with_suffix(".md").write_text(render_card(report, weights))
    print(f"wrote {weights} and {weights.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
