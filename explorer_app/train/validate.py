"""Validation report of trained decoders on the held-out photos of a pack: figures that grain cannot fool.

    python -m explorer_app.train.validate --pack data/pack --out report.json [--models DIR] [--sizes lite]
        [--sheets docs/validation]

Each validation photo is written by libjpeg (Pillow) at QF 5, 10, 20, 30, 50 with 4:2:0 chroma, read back
and decoded: libjpeg's plain decode, the faithful model (z = 0), the explorable model at z = 0, at
``--seeds`` random z drawn at the model's sampling temperature, and at its **reach**: z* from
``--reach-steps`` Adam steps on L1 to the true photo (how much of the real image the decoder can produce,
which is what exploration needs). Per output: RGB PSNR and SSIM to the photo; **blockiness** (luma steps
across 8-px block edges ÷ inside blocks; a photo ≈ 1.0); **flat grain** (high-pass deviation where the photo
is flat, ÷ the photo's own); NIQE (no-reference, lower = "more natural", fooled by grain: never the judge
alone); consistency (the verified 16-bit export re-quantizes to every coefficient). Between seeds: mean
|difference| and the per-pixel spread in textured and flat areas. ``--sheets`` writes one contact sheet per
QF (truth | libjpeg | faithful | explorable z = 0 | three random z; crops at 3× zoom) to look at.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..codec import read_jpeg
from ..codec.jpeg_code import JpegCode, plain_decode
from ..decoder.code_tensors import CodeTensors
from ..decoder.model import JpegDecoder, random_control, zero_control
from ..decoder.registry import load_decoder
from ..export.exporter import export_verified
from ..metrics.artifacts import blockiness, flat_grain, seed_spread, texture_masks
from ..metrics.niqe import niqe
from ..metrics.ssim import psnr, ssim
from ..ops.color import luminance
from .objectives import l1
from .photo_pack import PhotoPack
from .validation_sheet import save_validation_sheet

QUALITIES = (5, 10, 20, 30, 50)
TRUTH, PLAIN = "true photo", "plain libjpeg"


def setup_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m explorer_app.train.validate", description=__doc__.splitlines()[0])
    parser.add_argument("--pack", required=True)
    parser.add_argument("--out", required=True, help="JSON report to write")
    parser.add_argument("--models", default=None, help="folder of the decoders (default: the shipped ones)")
    parser.add_argument("--sizes", default="lite,full")
    parser.add_argument("--max-images", type=int, default=0, help="0: all validation photos")
    parser.add_argument("--max-side", type=int, default=384, help="centre-crop photos to at most this side")
    parser.add_argument("--qualities", default=",".join(map(str, QUALITIES)))
    parser.add_argument("--seeds", type=int, default=3, help="random z per explorable decode")
    parser.add_argument(
        "--temperature",
        type=float,
        default=None,
        help="temperature of the random z (default: each model's own sampling temperature)",
    )
    parser.add_argument("--reach-steps", type=int, default=100, help="Adam steps of z* (0: skip the reach)")
    parser.add_argument("--reach-qualities", default="10", help="QFs at which the reach is measured (it is slow)")
    parser.add_argument("--sheets", default=None, help="folder for one contact sheet per QF")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    return parser


def centre_crop(image: np.ndarray, side: int) -> np.ndarray:
    height, width = image.shape[:2]
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    return image[top : top + side, left : left + side]


def photo_luma(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) RGB on [0, 255] → (H, W) float64 JFIF luma."""
    tensor = torch.from_numpy(np.asarray(rgb, dtype=np.float64)).permute(2, 0, 1)[None]
    return luminance(tensor)[0, 0].numpy()


def image_of(output: dict) -> np.ndarray:
    """A decoder forward dict (N = 1) → (H, W, 3) float64 on [0, 255], clipped like a display would."""
    return output["image"][0].permute(1, 2, 0).clamp(0, 255).double().numpy()


def reach(decoder: JpegDecoder, tensors: CodeTensors, truth: np.ndarray, steps: int, lr: float = 0.1) -> dict:
    """The decoder's output at z* = argmin_z L1(ψ(X_Q, z), truth) after ``steps`` Adam steps from z = 0."""
    target = torch.from_numpy(np.asarray(truth, np.float32)).permute(2, 0, 1)[None]
    z = zero_control(tensors).requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=True)
        l1(decoder(tensors, z)["image"], target).backward()
        optimizer.step()
    with torch.no_grad():
        return decoder(tensors, z.detach())


@dataclass
class Decodes:
    """Every decode of one photo at one QF: label → (H, W, 3) float64 image, and the random-z groups."""

    images: dict[str, np.ndarray]
    random: dict[str, list[np.ndarray]]
    consistent: dict[str, bool]


def decode_all(
    decoders: dict[str, JpegDecoder],
    code: JpegCode,
    path: Path,
    truth: np.ndarray,
    seeds: int,
    temperature: float | None,
    reach_steps: int,
    scratch: Path,
) -> Decodes:
    tensors = CodeTensors.from_code(code)
    images = {TRUTH: truth.astype(np.float64), PLAIN: plain_decode(path).astype(np.float64)}
    random: dict[str, list[np.ndarray]] = {}
    consistent: dict[str, bool] = {}

    def keep(label: str, output: dict) -> np.ndarray:
        images[label] = image_of(output)
        if label not in consistent:
            consistent[label] = export_verified(output, code, scratch / "export.png", 16).verified
        return images[label]

    for name, decoder in decoders.items():
        with torch.no_grad():
            output = decoder(tensors, zero_control(tensors))
        keep(name, output)
        if not name.startswith("explorable"):
            continue
        for seed in range(seeds):
            with torch.no_grad():
                output = decoder(tensors, decoder.sample_control(tensors, random_control(tensors, seed), temperature))
            random.setdefault(f"{name} (random z)", []).append(keep(f"{name} (random z)", output))
        if reach_steps:
            keep(f"{name} (reach)", reach(decoder, tensors, truth, reach_steps))
    return Decodes(images, random, consistent)


def figures(image: np.ndarray, truth: np.ndarray, flat: np.ndarray, truth_grain: float) -> dict[str, float]:
    luma = photo_luma(image)
    return {
        "psnr": psnr(image, truth),
        "ssim": ssim(image, truth),
        "blockiness": blockiness(luma),
        "grain_ratio": flat_grain(luma, flat) / max(truth_grain, 1e-6),
        "niqe": niqe(np.round(image).astype(np.uint8)),
    }


def evaluate(
    decoders: dict[str, JpegDecoder],
    photos: list[np.ndarray],
    qualities: Sequence[int],
    scratch: Path,
    seeds: int,
    temperature: float | None,
    reach_steps: int,
    reach_qualities: Sequence[int],
    sheets: Path | None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Mean figures per quality and per method: {"10": {"plain libjpeg": {...}, "explorable-lite": {...}}}."""
    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    for quality in qualities:
        table = results.setdefault(str(quality), {})
        sheet_rows: list[Decodes] = []
        for index, photo in enumerate(photos):
            path = scratch / f"q{quality}_{index}.jpg"
            Image.fromarray(photo).save(path, quality=quality, subsampling=2)
            steps = reach_steps if quality in reach_qualities else 0
            decodes = decode_all(decoders, read_jpeg(path), path, photo, seeds, temperature, steps, scratch)
            truth_luma = photo_luma(photo)
            flat, textured = texture_masks(truth_luma)
            truth_grain = flat_grain(truth_luma, flat)
            for label in decodes.images:
                group = decodes.random.get(label, [decodes.images[label]])
                rows = [figures(image, photo.astype(np.float64), flat, truth_grain) for image in group]
                row = table.setdefault(label, {})
                for key in rows[0]:
                    row.setdefault(key, []).append(float(np.mean([r[key] for r in rows])))
                row.setdefault("consistent", []).append(float(decodes.consistent.get(label, True)))
                if len(group) > 1:
                    for key, value in seed_spread([photo_luma(g) for g in group], flat, textured).items():
                        row.setdefault(key, []).append(value)
            sheet_rows.append(decodes)
            print(f"QF {quality} photo {index + 1}/{len(photos)} done at {time.strftime('%H:%M:%S')}", flush=True)
        if sheets is not None:
            save_validation_sheet(sheet_rows, quality, sheets / f"sheet_qf{quality:02d}.png")
    return {q: {m: {k: float(np.mean(v)) for k, v in row.items()} for m, row in t.items()} for q, t in results.items()}


def markdown(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| QF | decoder | PSNR (dB) | SSIM | blockiness | flat grain ÷ truth | seeds differ (textured / flat) "
        "| NIQE ↓ | consistent |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for quality, table in results.items():
        for method, row in table.items():
            spread = (
                f"{row['textured_abs_difference']:.2f} / {row['flat_abs_difference']:.2f}"
                if "textured_abs_difference" in row
                else ""
            )
            lines.append(
                f"| {quality} | {method} | {row['psnr']:.2f} | {row['ssim']:.4f} | {row['blockiness']:.2f} | "
                f"{row['grain_ratio']:.2f} | {spread} | {row['niqe']:.2f} | {row['consistent'] * 100:.0f}% |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = setup_args().parse_args(argv)
    torch.set_num_threads(args.threads)
    pack = PhotoPack(args.pack, "val")
    count = len(pack) if args.max_images == 0 else min(args.max_images, len(pack))
    photos = [centre_crop(pack.load(i), args.max_side) for i in range(count)]
    folder = Path(args.models) if args.models else None
    decoders = {
        f"{name}-{size}": load_decoder(name, size, folder)
        for size in args.sizes.split(",")
        for name in ("faithful", "explorable")
    }
    with tempfile.TemporaryDirectory() as scratch:
        results = evaluate(
            decoders,
            photos,
            [int(q) for q in args.qualities.split(",")],
            Path(scratch),
            args.seeds,
            args.temperature,
            args.reach_steps,
            [int(q) for q in args.reach_qualities.split(",")],
            Path(args.sheets) if args.sheets else None,
        )
    report = {
        "photos": count,
        "max_side": args.max_side,
        "seeds": args.seeds,
        "reach_steps": args.reach_steps,
        "temperature": {
            name: d.sample_temperature if args.temperature is None else args.temperature
            for name, d in decoders.items()
            if name.startswith("explorable")
        },
        "results": results,
        "models": {name: d.sha256 for name, d in decoders.items()},
    }
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
