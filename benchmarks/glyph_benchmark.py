"""Glyph benchmark: do digit and letter hypotheses show the glyph the file allows, and only those?

Held-out displays: clock faces and words drawn with the DSEG fonts (Debian's fonts-dseg: seven- and
fourteen-segment shapes the tool's own renderer never saw), compressed by libjpeg (Pillow) at low quality.
For every character box and every class c:

* **ground truth**: draw c in the true font, place and colours over the clean display, project it onto
  the file's quantization boxes well inside them (``--margin`` of a step, 0.35 by default) and read the
  result with the *true-font reader* (template matching with the true font's masks at the true place,
  colours fitted): c is *allowed* when that consistent image still reads as c with at least half its ink
  contrast;
* **the tool**: :func:`~explorer_app.engine.glyphs.hypotheses.glyph_hypotheses` with the shipped
  explorable decoder; each candidate is read by the same true-font reader (the tool never sees the true
  font), and the tool's *possible* set is compared with the allowed set;
* **the decoder's reach**: for every allowed class, the Imprint tool (an exact edit, docs/decoder.md
  "Reach beyond z") draws the true font's clean glyph over the box of the session; the result is read by
  the true-font reader. A decoder that can only show ghosts of what the file allows fails it;
* **a second reader** of another kind: the shipped glyph classifier (``models/glyphs_<alphabet>``, a CNN
  trained on many fonts and handwriting, which no candidate was steered by), reading a crop as its most
  probable class when that class has at least :data:`CLASSIFIER_CONFIDENCE`; it reads the allowed
  consistent glyphs and the candidates alike, so a candidate legible only to the template reader shows.

Figures: candidates that read as their class where c is allowed (target ≥ 90 %), ruled out where it is
not, boxes whose possible set equals the allowed set (≥ 90 %), truth in the possible set (100 %), seconds
per box. Baselines that must fail it: the unedited decode offered as every class's candidate, and that
decode plus noise. ``--sheet`` writes a contact sheet (per box: truth | decode | allowed clean glyphs |
candidates, framed green when possible, red when ruled out).

    python benchmarks/glyph_benchmark.py [--alphabet digits|letters] [--displays 12] [--json OUT]
        [--sheet OUT.png] [--only 4,8]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from explorer_app.codec import read_jpeg
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.selection import choose_decoder
from explorer_app.engine.classifiers import GlyphClassifier, load_classifier
from explorer_app.engine.file_projection import project_to_file
from explorer_app.engine.glyphs.fit import ink_level, reads_as
from explorer_app.engine.glyphs.hypotheses import glyph_hypotheses
from explorer_app.engine.glyphs.segments import ALPHABETS
from explorer_app.engine.regions import rectangle
from explorer_app.engine.session import Session
from explorer_app.engine.tools import Imprint

FONT_FOLDER = Path("/usr/share/fonts/truetype/dseg")
FONTS = {
    "digits": [
        "DSEG7Classic-Regular.ttf",
        "DSEG7Classic-Bold.ttf",
        "DSEG7Classic-Italic.ttf",
        "DSEG7Modern-Regular.ttf",
    ],
    "letters": ["DSEG14Classic-Regular.ttf", "DSEG14Classic-Bold.ttf", "DSEG14Modern-Regular.ttf"],
}
COLOURS = [  # (ink, background): LED red and green on black, an LCD's dark ink on grey-green, amber
    ((235, 40, 30), (20, 12, 12)),
    ((60, 230, 90), (10, 20, 14)),
    ((40, 45, 40), (170, 185, 160)),
    ((250, 170, 40), (30, 20, 10)),
]


@dataclass
class Display:
    """A clean display: text drawn in a font; image (H, W, 3) uint8; cells: (x, y, w, h) per character."""

    font: ImageFont.FreeTypeFont
    text: str
    ink: tuple[int, int, int]
    background: tuple[int, int, int]
    origin: tuple[int, int]
    advance: float
    size: tuple[int, int]

    def coverage(self, text: str) -> np.ndarray:
        """(H, W) float ink coverage of ``text`` drawn at this display's place."""
        canvas = Image.new("L", self.size[::-1])
        draw = ImageDraw.Draw(canvas)
        for k, char in enumerate(text):
            draw.text((self.origin[0] + k * self.advance, self.origin[1]), char, font=self.font, fill=255)
        return np.asarray(canvas, np.float32) / 255.0

    def image(self, text: str) -> np.ndarray:
        ink = self.coverage(text)[..., None]
        return (np.array(self.background) * (1 - ink) + np.array(self.ink) * ink).round().astype(np.uint8)

    def box(self, k: int) -> tuple[int, int, int, int]:
        """The cell of character k (the ink box of a full glyph there) grown by 2 px."""
        full = "8" if self.text[k].isdigit() else "W"
        mask = self.coverage(" " * k + full + " " * (len(self.text) - k - 1)) > 0.05
        ys, xs = np.nonzero(mask)
        x0, y0 = max(0, xs.min() - 2), max(0, ys.min() - 2)
        x1, y1 = min(self.size[1], xs.max() + 3), min(self.size[0], ys.max() + 3)
        return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def make_display(rng: np.random.Generator, alphabet: str, index: int) -> Display:
    font_name = FONTS[alphabet][index % len(FONTS[alphabet])]
    points = int(rng.integers(18, 29))
    font = ImageFont.truetype(str(FONT_FOLDER / font_name), points)
    labels = ALPHABETS[alphabet].labels
    text = "".join(labels[int(i)] for i in rng.integers(0, len(labels), 4))
    ink, background = COLOURS[index % len(COLOURS)]
    advance = font.getlength("8" if alphabet == "digits" else "W") + int(rng.integers(2, 6))
    height = int(font.getbbox("8")[3]) + 16
    width = int(advance * 4) + 16
    return Display(font, text, ink, background, (8, 6), advance, (height, width))


def reader(display: Display, k: int, labels: list[str], crop: np.ndarray, box) -> str | None:
    """The true-font reader on a box crop (h, w, 3): the engine's segment-reading rule (``reads_as``) with
    the true font's glyphs at the true place and the display's true colours. None: nothing legible."""
    x, y, w, h = box
    masks = []
    for label in labels:
        text = display.text[:k] + label + display.text[k + 1 :]
        masks.append(display.coverage(text)[y : y + h, x : x + w])
    masks_t = torch.from_numpy(np.stack(masks))[:, None]
    image = torch.from_numpy(crop.astype(np.float32)).permute(2, 0, 1)[None]
    ink = torch.tensor(display.ink, dtype=torch.float32)[None]
    background = torch.tensor(display.background, dtype=torch.float32)[None]
    found = {labels[i] for i in reads_as(masks_t, ink_level(image, ink, background)[0])}
    return found.pop() if len(found) == 1 else None


def imprint_reads(code, decoder, drawn: np.ndarray, box, display: Display, k: int, labels: list[str]) -> str | None:
    """What the true-font reader sees after the Imprint tool draws the box of ``drawn`` (H, W, 3), the
    display with another glyph in box k, over a fresh session of the file ``code``."""
    x, y, w, h = box
    session = Session(code, decoder)
    picture = drawn[y : y + h, x : x + w].astype(np.float32)
    session.apply(Imprint(picture, (x + (w - 1) / 2, y + (h - 1) / 2)), rectangle(session.shape, x, y, w, h))
    crop = session.image[0].permute(1, 2, 0).clamp(0, 255).numpy()[y : y + h, x : x + w]
    return reader(display, k, labels, crop, box)


CLASSIFIER_CONFIDENCE = 0.5
"""The classifier reads a crop as its most probable class only with at least this probability."""


def classifier_reader(classifier: GlyphClassifier, crop: np.ndarray) -> str | None:
    """The classifier's reading of a box crop (h, w, 3) in [0, 255]; None when it is not sure enough."""
    with torch.no_grad():
        image = torch.from_numpy(np.ascontiguousarray(crop, dtype=np.float32)).permute(2, 0, 1)[None]
        probabilities = torch.softmax(classifier(image), 1)[0]
    best = int(probabilities.argmax())
    return classifier.classes[best] if float(probabilities[best]) >= CLASSIFIER_CONFIDENCE else None


def compress(image: np.ndarray, quality: int, subsampling: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality, subsampling=subsampling)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alphabet", choices=("digits", "letters"), default="digits")
    parser.add_argument("--displays", type=int, default=12)
    parser.add_argument("--qualities", default="6,8,10,12")
    parser.add_argument("--margin", type=float, default=0.35)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json")
    parser.add_argument("--sheet")
    parser.add_argument("--only", help="comma-separated display indexes to run (the others are drawn, not run)")
    args = parser.parse_args(argv)
    only = None if args.only is None else {int(i) for i in args.only.split(",")}
    torch.manual_seed(0)
    rng = np.random.default_rng(args.seed)
    font = ALPHABETS[args.alphabet]
    labels = font.labels
    decoder = choose_decoder("explorable", "lite", torch.device("cpu")).decoder
    classifier = load_classifier(args.alphabet)
    qualities = [int(q) for q in args.qualities.split(",")]
    rows, sheet_rows, seconds = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(args.displays):
            display = make_display(rng, args.alphabet, index)
            if only is not None and index not in only:
                continue
            # colours cycle with the index; the quality moves on by one more each cycle, so that every
            # colour meets several qualities (index % 4 alone gave red LEDs quality 6 every time)
            quality = qualities[(index + index // len(COLOURS)) % len(qualities)]
            subsampling = 2 if index % 3 else 0  # 4:2:0 twice in three, 4:4:4 once
            clean = display.image(display.text)
            path = Path(folder) / f"display{index}.jpg"
            path.write_bytes(compress(clean, quality, subsampling))
            code = read_jpeg(path)
            tensors = CodeTensors.from_code(code)
            session = Session(code, decoder)
            decode = session.image[0].permute(1, 2, 0).clamp(0, 255).numpy()
            for k in range(len(display.text)):
                box = display.box(k)
                x, y, w, h = box
                truth = display.text[k]
                allowed, allowed_by_classifier, imprinted = {}, {}, {}
                clean_glyphs = []
                for label in labels:
                    drawn = display.image(display.text[:k] + label + display.text[k + 1 :])
                    picture = torch.from_numpy(drawn.astype(np.float32)).permute(2, 0, 1)[None]
                    consistent = project_to_file(picture, tensors, args.margin)[0].permute(1, 2, 0).clamp(0, 255)
                    crop = consistent.numpy()[y : y + h, x : x + w]
                    allowed[label] = reader(display, k, labels, crop, box) == label
                    allowed_by_classifier[label] = classifier_reader(classifier, crop) == label
                    if allowed[label]:
                        imprinted[label] = imprint_reads(code, decoder, drawn, box, display, k, labels) == label
                    clean_glyphs.append(crop)
                session = Session(code, decoder)
                start = time.perf_counter()
                _, hypotheses = glyph_hypotheses(session, font, box)
                seconds.append(time.perf_counter() - start)
                candidates, reads, classifier_reads = {}, {}, {}
                for hyp in hypotheses:
                    window, (top, left) = session.patched_window(hyp.patch)
                    crop = (
                        window[0].permute(1, 2, 0).clamp(0, 255).numpy()[y - top : y - top + h, x - left : x - left + w]
                    )
                    candidates[hyp.label] = (crop, hyp.possible)
                    reads[hyp.label] = reader(display, k, labels, crop, box) == hyp.label
                    classifier_reads[hyp.label] = classifier_reader(classifier, crop) == hyp.label
                decoded_read = reader(display, k, labels, decode[y : y + h, x : x + w], box)
                noisy = decode[y : y + h, x : x + w] + np.random.default_rng(k).normal(0, 20, (h, w, 3))
                noisy_read = reader(display, k, labels, noisy, box)
                possible = {hyp.label for hyp in hypotheses if hyp.possible}
                rows.append(
                    {
                        "display": index,
                        "font": Path(display.font.path).name,
                        "quality": quality,
                        "sampling": "4:2:0" if subsampling == 2 else "4:4:4",
                        "height_px": h,
                        "truth": truth,
                        "allowed": sorted(c for c, ok in allowed.items() if ok),
                        "possible": sorted(possible),
                        "candidates_read": sorted(c for c, ok in reads.items() if ok),
                        "imprint_reads": sorted(c for c, ok in imprinted.items() if ok),
                        "allowed_by_classifier": sorted(c for c, ok in allowed_by_classifier.items() if ok),
                        "candidates_read_by_classifier": sorted(c for c, ok in classifier_reads.items() if ok),
                        "decode_read_by_classifier": classifier_reader(classifier, decode[y : y + h, x : x + w]),
                        "noise_read_by_classifier": classifier_reader(classifier, noisy),
                        "decode_reads": decoded_read,
                        "noise_reads": noisy_read,
                        "residual": {hyp.label: round(hyp.residual, 2) for hyp in hypotheses},
                    }
                )
                sheet_rows.append(
                    (clean[y : y + h, x : x + w], decode[y : y + h, x : x + w], clean_glyphs, allowed, candidates)
                )
                print(
                    f"display {index} q{quality} {rows[-1]['sampling']} box {k} truth {truth}: allowed "
                    f"{''.join(rows[-1]['allowed'])} possible {''.join(rows[-1]['possible'])} read "
                    f"{''.join(rows[-1]['candidates_read'])} "
                    f"classifier {''.join(rows[-1]['candidates_read_by_classifier'])} "
                    f"({seconds[-1]:.2f} s)",
                    flush=True,
                )
    summary = summarize(rows, labels, seconds)
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "boxes": rows}, indent=1))
    if args.sheet:
        contact_sheet(hardest_first(sheet_rows), labels).save(args.sheet)
    return 0


def summarize(rows: list[dict], labels: list[str], seconds: list[float]) -> dict[str, object]:
    allowed_pairs = [(r, c) for r in rows for c in r["allowed"]]
    ruled_pairs = [(r, c) for r in rows for c in labels if c not in r["allowed"]]
    other_pairs = [(r, c) for r, c in allowed_pairs if c != r["truth"]]

    def share(hits: int, total: int) -> float:
        return round(100.0 * hits / max(1, total), 1)

    return {
        "boxes": len(rows),
        "allowed_pairs": len(allowed_pairs),
        "candidates_read_where_allowed_pct": share(
            sum(c in r["candidates_read"] for r, c in allowed_pairs), len(allowed_pairs)
        ),
        "allowed_pairs_not_truth": len(other_pairs),
        "candidates_read_where_allowed_not_truth_pct": share(
            sum(c in r["candidates_read"] for r, c in other_pairs), len(other_pairs)
        ),
        "ruled_out_where_not_allowed_pct": share(sum(c not in r["possible"] for r, c in ruled_pairs), len(ruled_pairs)),
        "possible_equals_allowed_pct": share(sum(r["possible"] == r["allowed"] for r in rows), len(rows)),
        "truth_possible_pct": share(sum(r["truth"] in r["possible"] for r in rows), len(rows)),
        "truth_allowed_pct": share(sum(r["truth"] in r["allowed"] for r in rows), len(rows)),
        "baseline_decode_read_where_allowed_pct": share(
            sum(r["decode_reads"] == c for r, c in allowed_pairs), len(allowed_pairs)
        ),
        "baseline_noise_read_where_allowed_pct": share(
            sum(r["noise_reads"] == c for r, c in allowed_pairs), len(allowed_pairs)
        ),
        "imprint_reads_where_allowed_pct": share(
            sum(c in r["imprint_reads"] for r, c in allowed_pairs), len(allowed_pairs)
        ),
        "imprint_reads_where_allowed_not_truth_pct": share(
            sum(c in r["imprint_reads"] for r, c in other_pairs), len(other_pairs)
        ),
        "classifier_reads_allowed_glyph_pct": share(
            sum(c in r["allowed_by_classifier"] for r, c in allowed_pairs), len(allowed_pairs)
        ),
        "classifier_reads_candidate_where_allowed_pct": share(
            sum(c in r["candidates_read_by_classifier"] for r, c in allowed_pairs), len(allowed_pairs)
        ),
        "classifier_reads_candidate_where_allowed_not_truth_pct": share(
            sum(c in r["candidates_read_by_classifier"] for r, c in other_pairs), len(other_pairs)
        ),
        "classifier_reads_candidate_where_not_allowed_pct": share(
            sum(c in r["candidates_read_by_classifier"] for r, c in ruled_pairs), len(ruled_pairs)
        ),
        "classifier_baseline_decode_read_where_allowed_pct": share(
            sum(r["decode_read_by_classifier"] == c for r, c in allowed_pairs), len(allowed_pairs)
        ),
        "classifier_baseline_noise_read_where_allowed_pct": share(
            sum(r["noise_read_by_classifier"] == c for r, c in allowed_pairs), len(allowed_pairs)
        ),
        "seconds_per_box_mean": round(float(np.mean(seconds)), 2) if seconds else None,
        "seconds_per_box_max": round(float(np.max(seconds)), 2) if seconds else None,
    }


SHEET_ROWS = 16
"""Boxes on the contact sheet."""


def hardest_first(sheet_rows: list) -> list:
    """The boxes the sheet shows: those whose file allows the most classes first (where the tool must draw
    classes the decode does not show), in run order among equals, at most :data:`SHEET_ROWS`."""
    order = sorted(range(len(sheet_rows)), key=lambda i: (-sum(sheet_rows[i][3].values()), i))
    return [sheet_rows[i] for i in order[:SHEET_ROWS]]


def contact_sheet(sheet_rows, labels: list[str], zoom: int = 3) -> Image.Image:
    """Per box, one row: truth | decode | each class's clean glyph projected onto the file, framed green
    when the true-font reader reads it (allowed) | the tool's candidate per class, framed green when the
    tool calls it possible, red when ruled out."""
    cell_h = max(r[0].shape[0] for r in sheet_rows)
    cell_w = max(r[0].shape[1] for r in sheet_rows)
    columns = 2 + 2 * len(labels)
    sheet = Image.new("RGB", ((cell_w + 4) * zoom * columns, (cell_h + 4) * zoom * len(sheet_rows)), (255, 255, 255))
    for row, (truth, decode, glyphs, allowed, candidates) in enumerate(sheet_rows):
        tiles = [(truth, None), (decode, None)]
        tiles += [(g, (0, 170, 0) if allowed[c] else (200, 0, 0)) for c, g in zip(labels, glyphs, strict=True)]
        tiles += [(candidates[c][0], (0, 170, 0) if candidates[c][1] else (200, 0, 0)) for c in labels]
        for col, (tile, frame) in enumerate(tiles):
            picture = Image.fromarray(np.clip(tile, 0, 255).astype(np.uint8)).resize(
                (tile.shape[1] * zoom, tile.shape[0] * zoom), Image.NEAREST
            )
            left, top = col * (cell_w + 4) * zoom, row * (cell_h + 4) * zoom
            if frame is not None:
                ImageDraw.Draw(sheet).rectangle(
                    (left, top, left + picture.width + 2 * zoom - 1, top + picture.height + 2 * zoom - 1), fill=frame
                )
            sheet.paste(picture, (left + zoom, top + zoom))
    return sheet


if __name__ == "__main__":
    raise SystemExit(main())
