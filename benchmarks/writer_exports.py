"""Time exports repaired for a named writer (``export_verified(..., writer=)``, ``decode --encoder``) against
the default export of the same decode: files written by jpeglib's builds of IJG 9e (islow, 4:2:0: scaled-DCT
chroma), libjpeg-turbo 2.1 float and ifast, and turbo islow (no writer attempt: libjpeg is today's target).

    python benchmarks/writer_exports.py [--large] [--json OUT.json]

Photos: a 512×512 crop of benchmarks/gui_journey_12mp.py's camera-like composite at IJG quality 30 and 85,
and with --large the whole 4000×3000 at quality 85 (IJG 9e only: rounding breaks thousands of MCUs there,
so the writer's attempt is declined after its screening and the export takes the default path). Decoded
once per file by the shipped ``explorable`` lite decoder on the CPU; only the exports are timed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import jpeglib
import numpy as np
import torch
from jpeglib._cenum import DCTMethod

sys.path.append(str(Path(__file__).resolve().parents[1]))  # after PYTHONPATH: a baseline checkout wins

from explorer_app.codec import read_jpeg
from explorer_app.decoder.inference import decode_code
from explorer_app.decoder.selection import choose_decoder
from explorer_app.export.exporter import export_verified
from explorer_app.verify.encoders import BY_KEY

sys.path.append(str(Path(__file__).resolve().parent))
from gui_journey_12mp import camera_like_photo

WRITERS = {  # key: (jpeglib build, DCT method)
    "ijg-scaled": ("9e", "JDCT_ISLOW"),
    "libjpeg-float": ("turbo210", "JDCT_FLOAT"),
    "libjpeg-ifast": ("turbo210", "JDCT_IFAST"),
    "libjpeg": ("turbo210", "JDCT_ISLOW"),
}


def write(key: str, pixels: np.ndarray, quality: int, path: Path) -> None:
    build, method = WRITERS[key]
    with jpeglib.version(build):
        image = jpeglib.from_spatial(np.ascontiguousarray(pixels))
        image.samp_factor = np.array([[2, 2], [1, 1], [1, 1]])
        image.write_spatial(str(path), qt=quality, dct_method=DCTMethod[method])


def timed_exports(key: str, pixels: np.ndarray, quality: int, folder: Path) -> dict[str, object]:
    source = folder / f"{key}-{quality}.jpg"
    write(key, pixels, quality, source)
    code = read_jpeg(source)
    output = decode_code(choose_decoder("explorable", "lite", torch.device("cpu")).decoder, code)
    row: dict[str, object] = {"writer": key, "quality": quality, "size": f"{code.width}x{code.height}"}
    for mode, writer in (("default", None), ("named", BY_KEY[key])):
        start = time.perf_counter()
        report = export_verified(output, code, folder / f"{key}-{mode}.png", None, writer=writer)
        row[mode] = {
            "seconds": round(time.perf_counter() - start, 2),
            "verified": report.verified,
            "bit_depth": report.image["bit_depth"],
            "repaired_for": report.repaired_for,
            "reproduced_by": report.reproduced_by,
            "notes": report.notes,
        }
    print(json.dumps(row), flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    photo = camera_like_photo()
    rows = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        crop = photo[1000:1512, 1500:2012]
        rows += [timed_exports(key, crop, quality, folder) for quality in (30, 85) for key in WRITERS]
        if args.large:
            rows.append(timed_exports("ijg-scaled", photo, 85, folder))
    figures = {"load": os.getloadavg(), "rows": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
