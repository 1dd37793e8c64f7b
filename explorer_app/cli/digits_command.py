"""``jpeg-explorer digits IN.jpg --box X,Y,W,H -o DIR [--json]``: ten consistent digit hypotheses.

Writes DIR/0.png … DIR/9.png (each a verified export with its JSON report) and prints the hypotheses
ranked by plausibility: {"hypotheses": [{"digit", "score", "consistent", "path"}, …]}.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..codec import JpegError, read_jpeg
from ..decoder.registry import MODEL_NAMES, ModelNotFoundError
from ..decoder.selection import choose_decoder
from ..devices import DeviceError, pick_device
from ..engine.hypotheses import glyph_hypotheses
from ..engine.session import Session
from ..engine.tools.glyphs import Box, Classifier
from ..export.exporter import ExportError
from .errors import EXIT_FAILED, EXIT_OK, fail


class BoxError(ValueError):
    """The --box argument is malformed or outside the image."""


def parse_box(text: str, height: int, width: int) -> Box:
    """"X,Y,W,H" → (x, y, w, h), checked to be a non-empty box inside a width×height image."""
    try:
        x, y, w, h = (int(part) for part in text.split(","))
    except ValueError:
        raise BoxError(f"--box {text!r}: expected four integers X,Y,W,H") from None
    if w < 4 or h < 4 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise BoxError(f"--box {text!r}: must be at least 4×4 px and inside the {width}×{height} image")
    return x, y, w, h


def load_digit_classifier() -> Classifier:
    """The shipped digit classifier; raises FileNotFoundError when it is not installed."""
    try:
        from ..engine.classifiers import load_classifier
    except ImportError as error:
        raise FileNotFoundError(f"the glyph classifiers are not part of this installation ({error})") from None
    return load_classifier("digits")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="the JPEG file")
    parser.add_argument("--box", required=True, help="X,Y,W,H of the digit, in pixels of the stored image")
    parser.add_argument("-o", "--output", required=True, help="folder for the ten PNGs and their reports")
    parser.add_argument("--json", action="store_true", help="print the ranked hypotheses as JSON")
    parser.add_argument("--model", choices=MODEL_NAMES, default="explorable")
    parser.add_argument("--size", choices=("auto", "full", "lite"), default="auto")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--bit-depth", type=int, choices=(16, 8), default=16)


def run(args: argparse.Namespace) -> int:
    try:
        code = read_jpeg(args.input)
        box = parse_box(args.box, code.height, code.width)
        device = pick_device(args.device)
        chosen = choose_decoder(args.model, args.size, device)
        classifier = load_digit_classifier().to(device)
    except (JpegError, BoxError, DeviceError, ModelNotFoundError, FileNotFoundError) as error:
        return fail(str(error))
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        return fail(f"{folder}: exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    session = Session(code, chosen.decoder, device)
    result, ranked = glyph_hypotheses(session, classifier, box)
    rows = []
    try:
        for hypothesis in ranked:
            path = folder / f"{hypothesis.label}.png"
            record = {**result.record, "candidate": hypothesis.index, "hypothesis": hypothesis.label,
                      "score": hypothesis.score, "confidence": hypothesis.confidence}
            report = session.export(path, args.bit_depth, hypothesis.patch, record)
            rows.append({"digit": int(hypothesis.label), "score": round(hypothesis.score, 6),
                         "consistent": report.verified, "path": str(path)})
    except ExportError as error:
        return fail(str(error), EXIT_FAILED)
    if args.json:
        print(json.dumps({"hypotheses": rows}, indent=2))
    else:
        if chosen.note:
            print(f"note: {chosen.note}")
        for row in rows:
            print(f"{row['digit']}  score {row['score']:.3f}  {'verified' if row['consistent'] else 'NOT VERIFIED'}  "
                  f"{row['path']}")
    return EXIT_OK if all(row["consistent"] for row in rows) else EXIT_FAILED
