"""Reach of the drawing tools: does an imprinted word that the file allows come out as that word?

For scikit-image's photos (never in the training pack's validation split: they are the pack's scikit-image
part, so read the figures as "photos like the training ones"), compressed by libjpeg at IJG quality 10:
a white bold word ("SALE", DejaVu Sans Bold when installed) is composed over a region, and the result
projected onto the file's quantization boxes ``--margin`` (0.4) of a step inside them: the *consistent
target*, an image the file allows. Then the Imprint tool runs with its default budget, and for comparison
the same tool searching z alone (Adam on its objective, the way every tool worked before exact edits).
Figures, inside the word's box: the word's *ink contrast* (mean luma where the word has ink minus where it
has none, in grey levels: 0 when no word shows) in the unedited decode, in the consistent target (what the
file allows at that margin), and in each result; the result's contrast as a share of the target's (≥ 80 %:
the word the file allows comes out as legibly as the target shows it), and the PSNR to the target. The
contact sheet (per photo: decode | target | exact imprint, then decode | target | z alone) shows what the
contrast cannot: how clean the word is.

    python benchmarks/reach_edits.py [--json OUT] [--sheet OUT.png]
"""

from __future__ import annotations

import argparse
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from explorer_app.codec import read_jpeg
from explorer_app.decoder.selection import choose_decoder
from explorer_app.engine import regions, tools
from explorer_app.engine.file_projection import project_to_file
from explorer_app.engine.session import Session
from explorer_app.engine.view import WindowView

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class ZOnlyImprint(tools.Imprint):
    """The imprint tool as it was: it searches z for its objective instead of writing its target exactly."""

    def exact_targets(self, view: WindowView) -> None:  # type: ignore[override]
        return None


def contrast(image: torch.Tensor, ink: torch.Tensor, bare: torch.Tensor) -> float:
    """Mean luma (grey levels) of ``image`` (3, h, w) where the word has ink minus where it has none."""
    luma = 0.299 * image[0] + 0.587 * image[1] + 0.114 * image[2]
    return float(luma[ink].mean() - luma[bare].mean())


def word(text: str, height: int) -> tuple[np.ndarray, np.ndarray]:
    font = ImageFont.truetype(str(FONT), height) if FONT.exists() else ImageFont.load_default()
    left, top, right, bottom = font.getbbox(text)
    canvas = Image.new("L", (right - left + 4, bottom - top + 4))
    ImageDraw.Draw(canvas).text((2 - left, 2 - top), text, font=font, fill=255)
    ink = np.asarray(canvas, np.float32) / 255.0
    return np.full((*ink.shape, 3), 255.0, np.float32), ink


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", type=int, default=10)
    parser.add_argument("--margin", type=float, default=0.4)
    parser.add_argument("--json")
    parser.add_argument("--sheet")
    args = parser.parse_args(argv)
    import skimage.data

    decoder = choose_decoder("explorable", "lite", torch.device("cpu")).decoder
    rows, strips = [], []
    for name in PHOTOS:
        photo = getattr(skimage.data, name)()
        photo = np.asarray(Image.fromarray(photo).convert("RGB").resize((256, 256 * photo.shape[0] // photo.shape[1])))
        buffer = io.BytesIO()
        Image.fromarray(photo).save(buffer, "JPEG", quality=args.quality)
        path = Path(f"/tmp/reach-{name}.jpg")
        path.write_bytes(buffer.getvalue())
        code = read_jpeg(path)
        picture, alpha = word("SALE", 20)
        h, w = alpha.shape
        x, y = 96, 40
        region = regions.rectangle((code.height, code.width), x - 4, y - 4, w + 8, h + 8)
        position = (x + (w - 1) / 2, y + (h - 1) / 2)
        results = {}
        for label, kind in (("exact", tools.Imprint), ("z only", ZOnlyImprint)):
            session = Session(code, decoder)
            tool = kind(picture, position, alpha=alpha)
            view = session.edit(tool, region).view
            with torch.no_grad():
                target = project_to_file(tool.desired(view).clamp(0, 255), view.code, args.margin)
            top, left = view.origin
            wanted = target[0, :, y - top : y - top + h, x - left : x - left + w]
            tool.desired(view).clamp(0, 255)[0, :, y - top : y - top + h, x - left : x - left + w]
            before = session.image[0, :, y : y + h, x : x + w].clone()
            start = time.perf_counter()
            session.apply(tool, region)
            seconds = time.perf_counter() - start
            after = session.image[0, :, y : y + h, x : x + w]
            ink = torch.from_numpy(alpha > 0.5)
            bare = torch.from_numpy(alpha < 0.05)

            psnr = 10 * np.log10(255**2 / float((after.clamp(0, 255) - wanted).pow(2).mean()))
            results[label] = {
                "decode_contrast": round(contrast(before, ink, bare), 1),
                "target_contrast": round(contrast(wanted, ink, bare), 1),
                "contrast": round(contrast(after, ink, bare), 1),
                "of_target_pct": round(
                    100
                    * (contrast(after, ink, bare) - contrast(before, ink, bare))
                    / (contrast(wanted, ink, bare) - contrast(before, ink, bare)),
                    1,
                ),
                "psnr_to_target_db": round(float(psnr), 2),
                "seconds": round(seconds, 2),
            }
            strips.append((name, label, before, wanted, after))
        rows.append({"photo": name, **results})
        print(name, results, flush=True)
    summary = {
        label: {
            "of_target_pct_mean": round(float(np.mean([r[label]["of_target_pct"] for r in rows])), 1),
            "of_target_pct_min": round(float(np.min([r[label]["of_target_pct"] for r in rows])), 1),
            "contrast_mean": round(float(np.mean([r[label]["contrast"] for r in rows])), 1),
            "target_contrast_mean": round(float(np.mean([r[label]["target_contrast"] for r in rows])), 1),
            "psnr_to_target_db_mean": round(float(np.mean([r[label]["psnr_to_target_db"] for r in rows])), 2),
        }
        for label in ("exact", "z only")
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "photos": rows}, indent=1))
    if args.sheet:
        tiles = []
        for _, _, before, wanted, after in strips:
            row = torch.cat(
                [before, torch.full_like(before[:, :, :2], 255), wanted, torch.full_like(before[:, :, :2], 255), after],
                2,
            )
            tiles.append(row.clamp(0, 255).permute(1, 2, 0).numpy().astype(np.uint8))
            tiles.append(np.full((2, tiles[-1].shape[1], 3), 255, np.uint8))
        sheet = Image.fromarray(np.concatenate(tiles[:-1], 0))
        sheet.resize((sheet.width * 3, sheet.height * 3), Image.NEAREST).save(args.sheet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
