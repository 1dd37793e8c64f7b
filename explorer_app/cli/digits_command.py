"""``jpeg-explorer digits IN.jpg --box X,Y,W,H -o DIR [--letters] [--json]``: one consistent hypothesis per
digit (or capital letter) of a segment display, and what the file says about them.

Writes DIR/0.png … DIR/9.png (DIR/A.png … DIR/Z.png with --letters), each a verified export with its JSON
report, and prints the verdict and the hypotheses ranked (possible first, by residual):
{"verdict": "…", "hypotheses": [{"digit", "label", "score", "possible", "residual", "reads_as",
"consistent", "path"}, …]} ("digit" for digits only). The files are a set: none may be the input under any
name, and when one cannot be written none is left.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..codec import JpegError, read_jpeg
from ..decoder.registry import MODEL_NAMES, ModelNotFoundError
from ..decoder.selection import choose_decoder
from ..devices import DeviceError, pick_device
from ..engine.glyphs.hypotheses import Box, glyph_hypotheses, glyph_verdict
from ..engine.glyphs.segments import ALPHABETS, SegmentFont
from ..engine.session import Session
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="the JPEG file")
    parser.add_argument("--box", required=True, help="X,Y,W,H of the digit, in pixels of the stored image")
    parser.add_argument("-o", "--output", required=True, help="folder for the PNGs and their reports")
    parser.add_argument(
        "--letters", action="store_true", help="capital letters of a fourteen-segment display instead of digits"
    )
    parser.add_argument("--json", action="store_true", help="print the verdict and the ranked hypotheses as JSON")
    parser.add_argument("--model", choices=MODEL_NAMES, default="explorable")
    parser.add_argument("--size", choices=("auto", "full", "lite"), default="auto")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--bit-depth", type=int, choices=(16, 8), default=16)


def output_paths(folder: Path, classes: list[str]) -> dict[str, tuple[Path, Path]]:
    """The PNG and its report for each class: ``DIR/7.png`` and ``DIR/7.png.json``."""
    return {label: (folder / f"{label}.png", report_path(folder / f"{label}.png")) for label in classes}


def run(args: argparse.Namespace) -> int:
    folder = Path(args.output)
    font = ALPHABETS["letters" if args.letters else "digits"]
    try:
        code = read_jpeg(args.input)
        box = parse_box(args.box, code.height, code.width)
        device = pick_device(args.device)
        chosen = choose_decoder(args.model, args.size, device)
        targets = output_paths(folder, font.labels)
        check_not_inputs([path for pair in targets.values() for path in pair], [Path(args.input)])
        created = prepare_folder(folder)
    except (JpegError, BoxError, DeviceError, ModelNotFoundError, OutputError) as error:
        return fail(str(error))
    written = [path for pair in targets.values() for path in pair]
    try:
        verdict, rows = _export_hypotheses(Session(code, chosen.decoder, device), font, box, targets, args.bit_depth)
    except (ExportError, OSError) as error:
        remove_set(written, folder, created)
        reason = str(error) if isinstance(error, ExportError) else f"cannot be written ({error.strerror or error})"
        return fail(f"{folder}: {reason}; no hypothesis was kept", EXIT_FAILED)
    except BaseException:
        remove_set(written, folder, created)
        raise
    if args.json:
        print(json.dumps({"verdict": verdict, "hypotheses": rows}, indent=2))
    else:
        if chosen.note:
            print(f"note: {chosen.note}")
        print(verdict)
        for row in rows:
            state = "possible " if row["possible"] else "ruled out"
            print(
                f"{row['label']}  {state}  residual {row['residual']:5.1f}  "
                f"{'verified' if row['consistent'] else 'NOT VERIFIED'}  {row['path']}"
            )
    return EXIT_OK if all(row["consistent"] for row in rows) else EXIT_FAILED


def _export_hypotheses(
    session: Session, font: SegmentFont, box: Box, targets: dict[str, tuple[Path, Path]], bit_depth: int
) -> tuple[str, list[dict[str, object]]]:
    """Make, rank and export every class's candidate; the verdict and the rows of the JSON output, best first."""
    result, ranked = glyph_hypotheses(session, font, box)
    rows = []
    for hypothesis in ranked:
        path = targets[hypothesis.label][0]
        record = {
            **result.record,
            "candidate": hypothesis.index,
            "hypothesis": hypothesis.label,
            "possible": hypothesis.possible,
            "residual": round(hypothesis.residual, 3),
        }
        report = session.export(path, bit_depth, hypothesis.patch, record)
        row: dict[str, object] = {"label": hypothesis.label}
        if hypothesis.label.isdigit():
            row["digit"] = int(hypothesis.label)
        row |= {
            "score": round(hypothesis.score, 6),
            "possible": hypothesis.possible,
            "residual": round(hypothesis.residual, 3),
            "reads_as": hypothesis.reads_as,
            "consistent": report.verified,
            "path": str(path),
        }
        rows.append(row)
    noun = "letter" if not ranked[0].label.isdigit() else "digit"
    return glyph_verdict(ranked, noun), rows
