"""Does the sampler span the room the file leaves? Spread, coverage and the ambiguity map against the truth.

Random z drawn from the explorable decoder's prior should give decodes that differ from each other about as
much as the faithful decode differs from the truth (a calibrated sampler), more where the photo is
textured than where it is flat, without grain or block edges, each still a plausible photo. For
scikit-image's colour photos (crops of ``--size`` px; they are the training pack's scikit-image part, so read
the figures as "photos like the training ones"), written by libjpeg (Pillow) at each ``--qualities`` with
4:2:0 chroma, and for every sampler of ``--samplers`` (a sampling temperature and a texture exponent,
decoder/texture_prior.py; the model's own by default), on luma:

* ``ratio``: RMS(z = 0 − truth) ÷ the per-pixel standard deviation of ``--samples`` random-z decodes, in the
  textured quarter of the pixels (target ≤ 2; a calibrated sampler ≈ 1);
* ``coverage3`` / ``coverage8``: the share of textured pixels whose true value lies between the smallest and
  the largest of the first 3 / 8 decodes (≥ 40 % for 3);
* ``flat_over_textured``: the spread in the flat quarter ÷ the textured one (≤ 0.5);
* ``grain``: high-pass deviation of a decode where the truth is flat ÷ the truth's own (≤ 1.3);
  ``chroma_grain``: high-pass deviation (grey levels) of a decode's Cb and Cr over the whole image (colour
  speckle), next to ``truth_chroma_grain``, the truth's own (0 for a grey photo);
  ``blockiness`` of a decode (≤ 1.3);
* ``psnr_drop``: PSNR(z = 0) − the mean PSNR of the random decodes, RGB, dB (≤ 3.5: an exact posterior
  sample sits about 3 dB below the posterior mean);
* ``map_rank``: Spearman correlation of the ambiguity map (the decodes' spread, smoothed over a block) with
  |z = 0 − truth| smoothed the same way, over all pixels (≥ 0.6).

Baselines that the figures must tell apart: ``repeat`` (z = 0 offered as every sample: no spread, no
coverage) and ``noise`` (z = 0 plus Gaussian noise as large as its error: coverage, but grain and PSNR
fail), computed once per photo and quality.

    python benchmarks/sampler_spread.py [--samplers 0.8:0,0.3:1.5] [--qualities 10,20] [--photos calibration]
        [--json OUT] [--sheet OUT.png]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image
from scipy.stats import spearmanr

from explorer_app.codec import read_jpeg
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import JpegDecoder, random_control, zero_control
from explorer_app.decoder.selection import choose_decoder
from explorer_app.metrics.artifacts import blockiness, flat_grain, high_pass, texture_masks
from explorer_app.metrics.ssim import psnr
from explorer_app.ops.color import rgb_to_ycbcr

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry")
CALIBRATION = ("stereo_motorcycle", "camera", "brick", "grass", "gravel", "moon", "coins", "retina")
"""Photos the sampler's temperature and texture exponent are chosen on (``--photos calibration``); the
figures are reported on :data:`PHOTOS`, which the choice never saw."""


def photo_crop(name: str, size: int) -> np.ndarray:
    """(size, size, 3) uint8: the centre crop of a scikit-image photo (a grey one repeated in R, G and B)."""
    from skimage import data

    image = getattr(data, name)()
    image = image[0] if isinstance(image, tuple) else image  # stereo_motorcycle: (left, right, disparity)
    image = np.stack([image] * 3, -1) if image.ndim == 2 else image
    h, w = image.shape[:2]
    top, left = max(0, (h - size) // 2), max(0, (w - size) // 2)
    return np.ascontiguousarray(image[top : top + size, left : left + size, :3])


def jpeg_code(pixels: np.ndarray, quality: int, folder: Path) -> CodeTensors:
    """The file libjpeg (Pillow) writes for ``pixels`` at ``quality``, 4:2:0, as the decoder reads it."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality, subsampling=2)
    path = folder / "photo.jpg"
    path.write_bytes(buffer.getvalue())
    return CodeTensors.from_code(read_jpeg(path))


def ycbcr(rgb: np.ndarray) -> np.ndarray:
    """(3, H, W) float64 JFIF Y, Cb, Cr of (H, W, 3) RGB (ops.color's conversion)."""
    image = torch.from_numpy(np.asarray(rgb, np.float64)).permute(2, 0, 1)[None]
    return rgb_to_ycbcr(image)[0].numpy()


def luma(rgb: np.ndarray) -> np.ndarray:
    """(H, W) float luma of (H, W, 3) RGB."""
    return ycbcr(rgb)[0]


def chroma_grain(rgb: np.ndarray) -> float:
    """Standard deviation (grey levels) of the fine (high-pass) component of Cb and Cr, over the image."""
    planes = ycbcr(rgb)
    return float(np.mean([high_pass(planes[c]).std() for c in (1, 2)]))


def decode(decoder: JpegDecoder, tensors: CodeTensors, z: torch.Tensor) -> np.ndarray:
    """(H, W, 3) float RGB in [0, 255] of the decode at control ``z``."""
    with torch.no_grad():
        image = decoder(tensors, z).image[0].clamp(0, 255)
    return image.permute(1, 2, 0).numpy().astype(np.float64)


def smoothed(plane: np.ndarray) -> np.ndarray:
    return cv2.blur(plane, (8, 8), borderType=cv2.BORDER_REFLECT)


def figures(truth: np.ndarray, plain: np.ndarray, samples: list[np.ndarray]) -> dict[str, float]:
    """The figures of the module docstring for RGB (H, W, 3) truth, z = 0 decode and random decodes."""
    truth_y, plain_y = luma(truth), luma(plain)
    planes = np.stack([luma(s) for s in samples])
    flat, textured = texture_masks(truth_y)
    deviation = planes.std(0, ddof=1)
    rms = float(np.sqrt(np.mean((plain_y - truth_y)[textured] ** 2)))
    spread_textured, spread_flat = float(deviation[textured].mean()), float(deviation[flat].mean())

    def coverage(count: int) -> float:
        low, high = planes[:count].min(0), planes[:count].max(0)
        inside = (truth_y >= low - 0.5) & (truth_y <= high + 0.5)
        return float(inside[textured].mean())

    truth_grain = max(flat_grain(truth_y, flat), 1e-6)
    rank = spearmanr(smoothed(deviation).ravel(), smoothed(np.abs(plain_y - truth_y)).ravel())[0]
    return {
        "rms_z0_textured": round(rms, 2),
        "spread_textured": round(spread_textured, 2),
        "spread_flat": round(spread_flat, 2),
        "ratio": round(rms / max(spread_textured, 1e-6), 2),
        "coverage3": round(100 * coverage(3), 1),
        "coverage8": round(100 * coverage(len(samples)), 1),
        "flat_over_textured": round(spread_flat / max(spread_textured, 1e-6), 2),
        "grain": round(float(np.mean([flat_grain(p, flat) for p in planes])) / truth_grain, 2),
        "chroma_grain": round(float(np.mean([chroma_grain(s) for s in samples])), 2),
        "truth_chroma_grain": round(chroma_grain(truth), 2),
        "blockiness": round(float(np.mean([blockiness(p) for p in planes])), 2),
        "psnr_drop": round(psnr(plain, truth) - float(np.mean([psnr(s, truth) for s in samples])), 2),
        "map_rank": round(float(rank), 2) if np.isfinite(rank) else 0.0,
    }


def sheet_row(truth: np.ndarray, plain: np.ndarray, samples: list[np.ndarray], crop: int = 96) -> np.ndarray:
    """(3·crop + 6, 6·(3·crop + 6), 3) uint8: the most textured crop of truth | z = 0 | three samples | the
    samples' per-pixel spread (luma std × 8, grey), each at 3× with a white border."""
    deviation = cv2.blur(luma(truth), (9, 9))
    h, w = deviation.shape
    _, _, _, (x, y) = cv2.minMaxLoc(cv2.blur(np.abs(luma(truth) - deviation), (crop, crop)))
    top, left = min(max(0, y - crop // 2), h - crop), min(max(0, x - crop // 2), w - crop)
    spread = np.stack([luma(s) for s in samples]).std(0, ddof=1)
    tiles = [truth, plain, *samples[:3], np.repeat(np.clip(8 * spread, 0, 255)[..., None], 3, -1)]
    cut = [np.clip(t[top : top + crop, left : left + crop], 0, 255).astype(np.uint8) for t in tiles]
    big = [np.pad(np.kron(c, np.ones((3, 3, 1), np.uint8)), ((3, 3), (3, 3), (0, 0)), constant_values=255) for c in cut]
    return np.concatenate(big, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--qualities", default="10,20")
    parser.add_argument(
        "--samplers",
        default=None,
        help="samplers to compare as T:exponent pairs, e.g. 0.8:0,0.3:1.5 (sampling temperature and texture "
        "exponent, texture_prior.py; default: the model's own)",
    )
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--photos", choices=("held-out", "calibration"), default="held-out")
    parser.add_argument(
        "--sheet",
        help="contact sheet PNG: per photo and sampler at the first quality, a 96-px "
        "crop at 3x: truth | z = 0 | three random decodes | the ambiguity map",
    )
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    decoder = choose_decoder("explorable", "lite", torch.device("cpu")).decoder
    samplers = (
        [(decoder.sample_temperature, decoder.texture_exponent)]
        if args.samplers is None
        else [(float(t), float(e)) for t, e in (pair.split(":") for pair in args.samplers.split(","))]
    )
    photos = PHOTOS if args.photos == "held-out" else CALIBRATION
    rows = []
    sheet_rows: list[np.ndarray] = []
    start = time.perf_counter()
    scratch = tempfile.TemporaryDirectory()
    folder = Path(scratch.name)
    for name in photos:
        truth = photo_crop(name, args.size).astype(np.float64)
        for quality in (int(q) for q in args.qualities.split(",")):
            tensors = jpeg_code(truth.astype(np.uint8), quality, folder)
            plain = decode(decoder, tensors, zero_control(tensors))
            error = float(np.sqrt(np.mean((plain - truth) ** 2)))
            rng = np.random.default_rng(quality)
            baselines = {
                "repeat": figures(truth, plain, [plain] * args.samples),
                "noise": figures(
                    truth,
                    plain,
                    [np.clip(plain + rng.normal(0, error, plain.shape), 0, 255) for _ in range(args.samples)],
                ),
            }
            for label, found in baselines.items():
                rows.append({"photo": name, "quality": quality, "sampler": label, **found})
            for temperature, exponent in samplers:
                decoder.texture_exponent = exponent
                samples = [
                    decode(
                        decoder, tensors, decoder.sample_control(tensors, random_control(tensors, seed), temperature)
                    )
                    for seed in range(args.samples)
                ]
                found = figures(truth, plain, samples)
                sampler = f"T={temperature:g} e={exponent:g}"
                rows.append({"photo": name, "quality": quality, "sampler": sampler, **found})
                if quality == int(args.qualities.split(",")[0]):
                    sheet_rows.append(sheet_row(truth, plain, samples))
                print(name, quality, sampler, json.dumps(found), flush=True)
    summary = summarize(rows)
    print(json.dumps(summary, indent=1))
    print(f"{time.perf_counter() - start:.0f} s")
    scratch.cleanup()
    if args.sheet:
        Image.fromarray(np.concatenate(sheet_rows, 0)).save(args.sheet)
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


def summarize(rows: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """Per sampler and quality, the mean of each figure over the photos."""
    keys = [k for k in rows[0] if k not in ("photo", "quality", "sampler")]
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for row in rows:
        summary.setdefault(row["sampler"], {}).setdefault(f"q{row['quality']}", {})
    for sampler, by_quality in summary.items():
        for label in by_quality:
            chosen = [r for r in rows if r["sampler"] == sampler and f"q{r['quality']}" == label]
            by_quality[label] = {k: round(float(np.mean([r[k] for r in chosen])), 2) for k in keys}
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
