"""The README's example of a digit the file does not decide: the glyph benchmark's display 8 (DSEG7 Classic,
IJG quality 6, 4:2:0), its second digit (a 9). Writes ambiguous-digit.png (the file's plain decode, the
explorable decode, and every possible candidate, 4× zoom) and each possible candidate as a verified PNG
with its report.

    python docs/glyphs/make_example.py [OUT_FOLDER]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from glyph_benchmark import compress, make_display

from explorer_app.codec import plain_decode, read_jpeg
from explorer_app.decoder.selection import choose_decoder
from explorer_app.engine.glyphs.hypotheses import glyph_hypotheses, glyph_verdict
from explorer_app.engine.glyphs.segments import SEVEN_SEGMENT
from explorer_app.engine.session import Session

DISPLAY, DIGIT, QUALITY, SEED = 8, 1, 6, 2026


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for index in range(DISPLAY):
        make_display(rng, "digits", index)  # the benchmark's displays are drawn in order from one generator
    display = make_display(rng, "digits", DISPLAY)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clock.jpg"
        path.write_bytes(compress(display.image(display.text), QUALITY, 2))
        (out / "ambiguous-digit.jpg").write_bytes(path.read_bytes())
        code = read_jpeg(path)
        plain = plain_decode(path)
    session = Session(code, choose_decoder("explorable", "lite", torch.device("cpu")).decoder)
    box = display.box(DIGIT)
    result, ranked = glyph_hypotheses(session, SEVEN_SEGMENT, box)
    print(f"truth {display.text[DIGIT]}, box {box}: {glyph_verdict(ranked)}")
    x, y, w, h = box
    tiles = [plain[y : y + h, x : x + w], session.image[0].permute(1, 2, 0).clamp(0, 255).numpy()[y : y + h, x : x + w]]
    for hypothesis in ranked:
        if not hypothesis.possible:
            continue
        report = session.export(out / f"candidate-{hypothesis.label}.png", 8, hypothesis.patch, result.record)
        print(f"candidate {hypothesis.label}: residual {hypothesis.residual:.1f}, {report.summary()}")
        window, (top, left) = session.patched_window(hypothesis.patch)
        tiles.append(window[0].permute(1, 2, 0).clamp(0, 255).numpy()[y - top : y - top + h, x - left : x - left + w])
    gap = np.full((h, 3, 3), 255.0)
    strip = np.concatenate([part for tile in tiles for part in (tile.astype(np.float32), gap)][:-1], 1)
    picture = Image.fromarray(strip.round().astype(np.uint8))
    picture.resize((picture.width * 4, picture.height * 4), Image.NEAREST).save(out / "ambiguous-digit.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
