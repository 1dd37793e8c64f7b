"""Validation report of trained decoders on the held-out photos of a pack.

    python -m explorer_app.train.validate --pack data/pack --out report.json [--models DIR] [--sizes lite,full]

Each validation photo is written by libjpeg (Pillow) at QF 5, 10, 20, 30, 50 with 4:2:0 chroma, read
back, and decoded four ways: libjpeg's plain decode, the faithful model (z = 0), and the explorable
model (z = 0 and a random z). Figures: RGB PSNR and SSIM against the photo, NIQE (lower is more
natural), and the consistency of every network output's verified 16-bit export.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..codec import read_jpeg
from ..codec.jpeg_code import plain_decode
from ..decoder.inference import decode_code
from ..decoder.registry import load_decoder
from ..export.exporter import export_verified
from ..metrics.niqe import niqe
from ..metrics.ssim import psnr, ssim
from .photo_pack import PhotoPack

QUALITIES = (5, 10, 20, 30, 50)


def setup_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m explorer_app.train.validate", description=__doc__.splitlines()[0])
    parser.add_argument("--pack", required=True)
    parser.add_argument("--out", required=True, help="JSON report to write")
    parser.add_argument("--models", default=None, help="folder of the decoders (default: the shipped ones)")
    parser.add_argument("--sizes", default="lite,full")
    parser.add_argument("--max-images", type=int, default=0, help="0: all validation photos")
    parser.add_argument("--max-side", type=int, default=512, help="centre-crop photos to at most this side")
    parser.add_argument("--qualities", default=",".join(map(str, QUALITIES)))
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    return parser


def centre_crop(image: np.ndarray, side: int) -> np.ndarray:
    height, width = image.shape[:2]
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    return image[top:top + side, left:left + side]


def _pixels(output: dict) -> np.ndarray:
    return output["image"][0].permute(1, 2, 0).clamp(0, 255).numpy()


def evaluate(decoders: dict[str, torch.nn.Module], photos: list[np.ndarray], qualities: Sequence[int],
             folder: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Mean figures per quality and per method: {"10": {"plain": {...}, "faithful-lite": {...}}}."""
    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    for quality in qualities:
        table = results.setdefault(str(quality), {})
        for index, photo in enumerate(photos):
            path = folder / f"q{quality}_{index}.jpg"
            Image.fromarray(photo).save(path, quality=quality, subsampling=2)
            code = read_jpeg(path)
            outputs = {"plain libjpeg": plain_decode(path).astype(np.float64)}
            consistent: dict[str, bool] = {}
            for name, decoder in decoders.items():
                seeds = (None, 0) if name.startswith("explorable") else (None,)
                for seed in seeds:
                    label = name if seed is None else f"{name} (random z)"
                    result = decode_code(decoder, code, seed)
                    outputs[label] = _pixels(result)
                    report = export_verified(result, code, folder / "export.png", 16)
                    consistent[label] = report.verified
            for label, image in outputs.items():
                row = table.setdefault(label, {"psnr": [], "ssim": [], "niqe": [], "consistent": []})
                row["psnr"].append(psnr(image, photo))
                row["ssim"].append(ssim(image, photo))
                row["niqe"].append(niqe(np.round(image).astype(np.uint8)))
                row["consistent"].append(float(consistent.get(label, True)))
            print(f"QF {quality} photo {index + 1}/{len(photos)} done at {time.strftime('%H:%M:%S')}", flush=True)
    return {q: {m: {k: float(np.mean(v)) for k, v in row.items()} for m, row in t.items()} for q, t in results.items()}


def markdown(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = ["| QF | decoder | RGB PSNR (dB) | SSIM | NIQE ↓ | consistent |", "|---|---|---|---|---|---|"]
    for quality, table in results.items():
        for method, row in table.items():
            lines.append(f"| {quality} | {method} | {row['psnr']:.2f} | {row['ssim']:.4f} | {row['niqe']:.2f} | "
                         f"{row['consistent'] * 100:.0f}% |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = setup_args().parse_args(argv)
    torch.set_num_threads(args.threads)
    pack = PhotoPack(args.pack, "val")
    count = len(pack) if args.max_images == 0 else min(args.max_images, len(pack))
    photos = [centre_crop(pack.load(i), args.max_side) for i in range(count)]
    folder = Path(args.models) if args.models else None
    decoders = {f"{name}-{size}": load_decoder(name, size, folder)
                for size in args.sizes.split(",") for name in ("faithful", "explorable")}
    with tempfile.TemporaryDirectory() as scratch:
        results = evaluate(decoders, photos, [int(q) for q in args.qualities.split(",")], Path(scratch))
    report = {"photos": count, "max_side": args.max_side, "results": results,
              "models": {name: getattr(d, "sha256", "") for name, d in decoders.items()}}
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
