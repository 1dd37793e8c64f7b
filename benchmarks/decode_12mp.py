"""Time reading + decoding a 12-megapixel JPEG with the `lite` and `full` decoder sizes, against Pillow's
plain decode of the same file in the same run, plus peak memory; optionally time export_verified.

    python benchmarks/decode_12mp.py [--sizes lite full] [--export lite] [--bit-depth 16|8|auto] [--json OUT.json]

The file is made here: a 4000×3000 synthetic photo-like image (smooth fields, an edge, texture), IJG quality
30, 4:2:0. Untrained weights (JpegDecoder(SIZES[...])) are used: the timing does not depend on the values.
Peak memory is the process's peak resident set size (ru_maxrss) after each stage, so it only grows: each
stage's figure is the peak of that stage and everything before it, and the growth is what the stage added.
The export's own peak is measured apart too (Linux: the peak is reset through /proc/self/clear_refs just
before it), next to the resident size it started from.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer_app.codec import read_jpeg  # noqa: E402
from explorer_app.decoder.inference import decode_code  # noqa: E402
from explorer_app.decoder.model import SIZES, JpegDecoder  # noqa: E402
from explorer_app.export.exporter import export_verified  # noqa: E402


def photo_like(height: int, width: int, seed: int = 0) -> np.ndarray:
    """uint8 (H, W, 3): smooth colour fields at three scales, an edge, fine texture, inside ~[16, 235]."""
    rng = np.random.default_rng(seed)
    image = np.zeros((height, width, 3), np.float32)
    for cells, amplitude in ((4, 32.0), (40, 14.0), (400, 6.0)):
        coarse = rng.normal(0.0, 1.0, (cells, cells * width // height, 3)).astype(np.float32)
        image += amplitude * cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    yy, xx = np.mgrid[0:height, 0:width]
    image += np.where(xx + 0.5 * yy > width / 2, 14.0, -14.0)[:, :, None].astype(np.float32)
    image += rng.normal(0.0, 4.0, image.shape).astype(np.float32)
    image = 125.5 + 110.0 * np.tanh(image / 110.0)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def write_photo(path: str, height: int, width: int) -> None:
    """Run in a child process, so that making the image does not count in this process's peak memory."""
    buffer = io.BytesIO()
    Image.fromarray(photo_like(height, width)).save(buffer, format="JPEG", quality=30, subsampling=2)
    Path(path).write_bytes(buffer.getvalue())


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def resident_mib() -> tuple[float, float] | None:
    """(current, peak since the last reset) resident set size in MiB, from /proc/self/status; None elsewhere."""
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    except OSError:
        return None
    return int(fields["VmRSS"].split()[0]) / 1024.0, int(fields["VmHWM"].split()[0]) / 1024.0


def reset_peak() -> bool:
    """Restart the peak resident set size (VmHWM) from the current one; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def timed(function, repeats: int = 1):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["lite", "full"], choices=sorted(SIZES))
    parser.add_argument(
        "--export",
        nargs="*",
        default=["lite"],
        choices=sorted(SIZES),
        help="sizes whose output is also written with export_verified (16-bit)",
    )
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--bit-depth",
        choices=("16", "8", "auto"),
        default="16",
        help="bit depth of the timed export (auto: 8 bits when libjpeg then reproduces the file)",
    )
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    folder = Path(tempfile.mkdtemp(prefix="bench12mp-"))
    path = folder / "photo.jpg"
    maker = multiprocessing.get_context("spawn").Process(target=write_photo, args=(str(path), args.height, args.width))
    maker.start()
    maker.join()
    figures: dict[str, object] = {
        "file": f"{args.width}x{args.height} synthetic photo, IJG quality 30, 4:2:0, "
        f"{path.stat().st_size / 2**20:.2f} MiB",
        "torch_threads": torch.get_num_threads(),
        "peak_rss_mib_start": round(peak_rss_mib()),
    }

    def pillow_decode() -> np.ndarray:
        with Image.open(path) as image:
            image.load()
            return np.asarray(image)

    pillow_s, _ = timed(pillow_decode, repeats=3)
    figures["pillow_decode_s"] = round(pillow_s, 3)
    read_s, code = timed(lambda: read_jpeg(path))
    figures["read_jpeg_s"] = round(read_s, 3)
    figures["peak_rss_mib_after_read"] = round(peak_rss_mib())
    for size in args.sizes:
        decoder = JpegDecoder(SIZES[size], name=f"untrained-{size}").eval()
        decode_s, output = timed(lambda: decode_code(decoder, code))
        total = read_s + decode_s
        figures[size] = {
            "decode_s": round(decode_s, 2),
            "read_plus_decode_s": round(total, 2),
            "ratio_to_pillow": round(total / pillow_s, 1),
            "peak_rss_mib_after": round(peak_rss_mib()),
        }
        if size in args.export:
            peak_before = peak_rss_mib()  # the reset below restarts ru_maxrss too
            own_peak = reset_peak()
            before = resident_mib()
            depth = None if args.bit_depth == "auto" else int(args.bit_depth)
            export_s, report = timed(lambda: export_verified(output, code, folder / f"{size}.png", depth))
            after = resident_mib()
            figures[size].update(
                {
                    f"export_verified_{args.bit_depth}bit_s": round(export_s, 2),
                    "verified": report.verified,
                    "bit_depth_written": report.image["bit_depth"],
                    "report_figures": {key: report.as_dict()[key] for key in ("verdict", "reproduced_by", "encoders")},
                    "export_notes": report.notes,
                    "peak_rss_mib_after_export": round(max(peak_before, peak_rss_mib())),
                }
            )
            if own_peak and before and after:
                figures[size].update(
                    {"rss_mib_before_export": round(before[0]), "export_own_peak_rss_mib": round(after[1])}
                )
        del output, decoder
        print(json.dumps({size: figures[size]}), flush=True)
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
