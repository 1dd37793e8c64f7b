"""Clock-digit evaluation of the digit hypotheses (issue 4, "Must show").

Renders seven-segment clock faces ("HH:MM") in random colours, compresses them with libjpeg at IJG
quality 6–12, and for every digit box asks the engine for its ten hypotheses. Reports how often the
true digit is ranked first and among the first three, how many hypotheses verify, and, as a baseline,
how often the classifier alone reads the plain (z = 0) decode correctly.

    python benchmarks/clock_digits_eval.py [--faces 20] [--qualities 6,8,10,12] [--device auto] [--json]

It uses whatever is shipped: the explorable decoder (an untrained lite one, said so, when none is) and
the digit classifier (required). Verification exports go to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from explorer_app.cli.bench_command import pick_decoder
from explorer_app.cli.digits_command import load_digit_classifier
from explorer_app.codec import read_jpeg
from explorer_app.devices import pick_device
from explorer_app.engine import Session, glyph_hypotheses
from explorer_app.engine.tools.glyphs import box_crop

SEGMENTS = {  # a, b, c, d, e, f, g (clockwise from the top, then the middle bar)
    0: "abcdef",
    1: "bc",
    2: "abdeg",
    3: "abcdg",
    4: "bcfg",
    5: "acdfg",
    6: "acdefg",
    7: "abc",
    8: "abcdefg",
    9: "abcdfg",
}
DIGIT_W, DIGIT_H, GAP, MARGIN = 24, 40, 8, 12


def draw_digit(canvas: np.ndarray, digit: int, x: int, y: int, colour: np.ndarray, stroke: int) -> None:
    """Paint a seven-segment ``digit`` with its top-left at (x, y) into ``canvas`` (H, W, 3)."""
    w, h, half = DIGIT_W, DIGIT_H, DIGIT_H // 2
    bars = {
        "a": (x, y, w, stroke),
        "d": (x, y + h - stroke, w, stroke),
        "g": (x, y + half - stroke // 2, w, stroke),
        "f": (x, y, stroke, half),
        "e": (x, y + half, stroke, half),
        "b": (x + w - stroke, y, stroke, half),
        "c": (x + w - stroke, y + half, stroke, half),
    }
    for name in SEGMENTS[digit]:
        bx, by, bw, bh = bars[name]
        canvas[by : by + bh, bx : bx + bw] = colour


def clock_face(rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, tuple[int, int, int, int]]]]:
    """A uint8 clock face "HH:MM" and its digits with their boxes (x, y, w, h)."""
    hours, minutes = int(rng.integers(0, 24)), int(rng.integers(0, 60))
    digits = [hours // 10, hours % 10, minutes // 10, minutes % 10]
    width = 2 * MARGIN + 4 * DIGIT_W + 3 * GAP + GAP
    height = 2 * MARGIN + DIGIT_H
    background = rng.uniform(0, 60, 3)
    canvas = np.broadcast_to(background, (height, width, 3)).copy()
    colour = rng.uniform(150, 255, 3)
    stroke = int(rng.integers(4, 7))
    placed = []
    x = MARGIN
    for index, digit in enumerate(digits):
        draw_digit(canvas, digit, x, MARGIN, colour, stroke)
        placed.append((digit, (x - 2, MARGIN - 2, DIGIT_W + 4, DIGIT_H + 4)))
        x += DIGIT_W + GAP + (GAP if index == 1 else 0)
    canvas += rng.normal(0, 4, canvas.shape)
    return np.clip(canvas, 0, 255).astype(np.uint8), placed


def evaluate(faces: int, qualities: list[int], device: torch.device, seed: int = 0) -> dict[str, object]:
    notes: list[str] = []
    decoder = pick_decoder(device, notes)
    classifier = load_digit_classifier().to(device)
    rng = np.random.default_rng(seed)
    counts = {"digits": 0, "top1": 0, "top3": 0, "plain_top1": 0, "hypotheses": 0, "verified": 0}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for face in range(faces):
            picture, placed = clock_face(rng)
            quality = qualities[face % len(qualities)]
            path = Path(folder) / f"face{face}.jpg"
            Image.fromarray(picture).save(path, quality=quality, subsampling=2)
            session = Session(read_jpeg(path), decoder, device)
            for digit, box in placed:
                with torch.no_grad():
                    plain = classifier(box_crop(session.image, box, (0, 0))).argmax(1).item()
                _, ranked = glyph_hypotheses(session, classifier, box)
                labels = [int(h.label) for h in ranked]
                counts["digits"] += 1
                counts["top1"] += labels[0] == digit
                counts["top3"] += digit in labels[:3]
                counts["plain_top1"] += int(classifier.classes[plain]) == digit
                for h in ranked:
                    report = session.export(Path(folder) / "hypothesis.png", patch=h.patch)
                    counts["hypotheses"] += 1
                    counts["verified"] += report.verified
            print(
                f"face {face + 1}/{faces} (QF {quality}): top-3 so far {counts['top3']}/{counts['digits']}",
                file=sys.stderr,
            )
    n = max(1, counts["digits"])
    return {
        "decoder": decoder.name,
        "device": str(device),
        "qualities": qualities,
        "digits": counts["digits"],
        "top1_accuracy": counts["top1"] / n,
        "top3_accuracy": counts["top3"] / n,
        "plain_decode_classifier_top1": counts["plain_top1"] / n,
        "hypotheses_verified": f"{counts['verified']}/{counts['hypotheses']}",
        "seconds": round(time.perf_counter() - start, 1),
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, default=20, help="clock faces (4 digits each)")
    parser.add_argument("--qualities", default="6,8,10,12", help="IJG qualities, cycled over the faces")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        figures = evaluate(args.faces, [int(q) for q in args.qualities.split(",")], pick_device(args.device), args.seed)
    except FileNotFoundError as error:
        print(f"clock_digits_eval: {error}", file=sys.stderr)
        return 2
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
