"""``jpeg-explorer digits IN.jpg --box X,Y,W,H -o DIR [--json]``: ten consistent digit hypotheses.

Writes DIR/0.png … DIR/9.png (each a verified export with its JSON report) and prints the hypotheses
ranked by plausibility: {"hypotheses": [{"digit", "score", "consistent", "path"}, …]}. The twenty files are
a set: none may be the input under any name, and when one cannot be written none is left.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from ..codec import JpegError, read_jpeg
from ..decoder.registry import MODEL_NAMES, ModelNotFoundError
from ..decoder.selection import choose_decoder
from ..devices import DeviceError, pick_device
from ..engine.hypotheses import glyph_hypotheses
from ..engine.session import Session
from ..engine.tools.glyphs import Box, Classifier
from ..export.exporter import ExportError, report_path
from .errors import EXIT_FAILED, EXIT_OK, fail
from .output_set import OutputError, check_not_inputs, prepare_folder, remove_set


class BoxError(ValueError):
    """The --box argument is malformed or outside the image."""


def parse_box(text: str, height: int, width: int) -> Box:
    """ "X,Y,W,H" → (x, y, w, h), checked to be a non-empty box inside a width×height image."""
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


def on_device(classifier: Classifier, device: torch.device) -> Classifier:
    """``classifier`` moved to ``device`` (the shipped ones are torch modules; Module.to moves in place)."""
    if isinstance(classifier, torch.nn.Module):
        classifier.to(device)
    return classifier


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="the JPEG file")
    parser.add_argument("--box", required=True, help="X,Y,W,H of the digit, in pixels of the stored image")
    parser.add_argument("-o", "--output", required=True, help="folder for the ten PNGs and their reports")
    parser.add_argument("--json", action="store_true", help="print the ranked hypotheses as JSON")
    parser.add_argument("--model", choices=MODEL_NAMES, default="explorable")
    parser.add_argument("--size", choices=("auto", "full", "lite"), default="auto")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--bit-depth", type=int, choices=(16, 8), default=16)


def output_paths(folder: Path, classes: list[str]) -> dict[str, tuple[Path, Path]]:
    """The PNG and its report for each class: ``DIR/7.png`` and ``DIR/7.png.json``."""
    return {label: (folder / f"{label}.png", report_path(folder / f"{label}.png")) for label in classes}


def run(args: argparse.Namespace) -> int:
    folder = Path(args.output)
    try:
        code = read_jpeg(args.input)
        box = parse_box(args.box, code.height, code.width)
        device = pick_device(args.device)
        chosen = choose_decoder(args.model, args.size, device)
        classifier = on_device(load_digit_classifier(), device)
        targets = output_paths(folder, classifier.classes)
        check_not_inputs([path for pair in targets.values() for path in pair], [Path(args.input)])
        created = prepare_folder(folder)
    except (JpegError, BoxError, DeviceError, ModelNotFoundError, FileNotFoundError, OutputError) as error:
        return fail(str(error))
    written = [path for pair in targets.values() for path in pair]
    try:
        rows = _export_hypotheses(Session(code, chosen.decoder, device), classifier, box, targets, args.bit_depth)
    except (ExportError, OSError) as error:
        remove_set(written, folder, created)
        reason = str(error) if isinstance(error, ExportError) else f"cannot be written ({error.strerror or error})"
        return fail(f"{folder}: {reason}; no hypothesis was kept", EXIT_FAILED)
    except BaseException:
        remove_set(written, folder, created)
        raise
    if args.json:
        print(json.dumps({"hypotheses": rows}, indent=2))
    else:
        if chosen.note:
            print(f"note: {chosen.note}")
        for row in rows:
            print(
                f"{row['digit']}  score {row['score']:.3f}  {'verified' if row['consistent'] else 'NOT VERIFIED'}  "
                f"{row['path']}"
            )
    return EXIT_OK if all(row["consistent"] for row in rows) else EXIT_FAILED


def _export_hypotheses(
    session: Session, classifier: Classifier, box: Box, targets: dict[str, tuple[Path, Path]], bit_depth: int
) -> list[dict[str, object]]:
    """Rank the hypotheses and export each to its target; the rows of the JSON output, best first."""
    result, ranked = glyph_hypotheses(session, classifier, box)
    rows = []
    for hypothesis in ranked:
        path = targets[hypothesis.label][0]
        record = {
            **result.record,
            "candidate": hypothesis.index,
            "hypothesis": hypothesis.label,
            "score": hypothesis.score,
            "confidence": hypothesis.confidence,
        }
        report = session.export(path, bit_depth, hypothesis.patch, record)
        rows.append(
            {
                "digit": int(hypothesis.label),
                "score": round(hypothesis.score, 6),
                "consistent": report.verified,
                "path": str(path),
            }
        )
    return rows
