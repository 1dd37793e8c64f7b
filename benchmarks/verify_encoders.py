"""Time `verify` of a 12-megapixel image against files from each encoder family (the alternatives are tried
only when libjpeg's integer encoder misses, so each family takes another path), and the same image tampered
(a pasted patch), with the encoders each report says reproduced the file.

    PYTHONPATH=. python benchmarks/verify_encoders.py [--width 4000 --height 3000] [--json OUT.json]

The image is decode_12mp.py's synthetic photo (4000×3000), written by jpeglib's builds at IJG quality 30,
4:2:0: libjpeg-turbo 2.1 islow (libjpeg's integer encoder reproduces it: no other encoder is tried), IJG
9e (libjpeg's misses the chroma; IJG 7-9's pipeline is tried first), libjpeg-turbo 2.1 float, mozjpeg 4.0.3
(its own tables: mozjpeg is tried first); then the IJG 9e file against a tampered copy (every encoder
tried and screened, mozjpeg on the whole image). Times: verify_image on samples already in memory (the
PNG decode is not included), the file read by read_jpeg beforehand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import jpeglib
import numpy as np
from jpeglib._cenum import DCTMethod

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from decode_12mp import photo_like

from explorer_app.codec import read_jpeg
from explorer_app.verify.verifier import verify_image

WRITERS = {
    "libjpeg-turbo 2.1 islow": ("turbo210", "JDCT_ISLOW"),
    "IJG 9e": ("9e", "JDCT_ISLOW"),
    "libjpeg-turbo 2.1 float": ("turbo210", "JDCT_FLOAT"),
    "mozjpeg 4.0.3": ("mozjpeg403", None),
}


def write(path: str, pixels: np.ndarray, build: str, method: str | None) -> None:
    with jpeglib.version(build):
        image = jpeglib.from_spatial(pixels)
        image.samp_factor = np.array([[2, 2], [1, 1], [1, 1]])
        image.write_spatial(path, qt=30, **({} if method is None else {"dct_method": DCTMethod[method]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--json")
    args = parser.parse_args()
    pixels = photo_like(args.height, args.width)
    tampered = pixels.copy()
    tampered[1000:1064, 2000:2064] = pixels[1000:1064, 1000:1064]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        cases = [(name, name, pixels) for name in WRITERS] + [("IJG 9e, pasted patch", "IJG 9e", tampered)]
        for label, writer, image in cases:
            path = os.path.join(folder, "file.jpg")
            write(path, pixels, *WRITERS[writer])
            code = read_jpeg(path)
            start = time.perf_counter()
            report = verify_image(image, 8, code)
            seconds = time.perf_counter() - start
            row = {
                "case": label,
                "seconds": round(seconds, 2),
                "verified": report.verified,
                "reproduced_by": report.reproduced_by,
                "tried": [e.key for e in report.encoders],
                "screened_out": [e.key for e in report.encoders if getattr(e, "scope", "")],
                "load_average": os.getloadavg()[0],
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "width": args.width,
        "height": args.height,
        "quality": 30,
        "sampling": "4:2:0",
        "cases": rows,
        "peak_rss_mib": round(peak),
    }
    print(f"peak RSS {peak:.0f} MiB")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
