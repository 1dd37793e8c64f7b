"""Do exports of ordinary photos verify at 8 and 16 bits? At coarse qualities (10, 20, 30 by default)
the decoder moves the image farthest from the file's plain decode, within boxes that are widest there.

    python benchmarks/photo_exports.py [--qualities 10 20 30] [--json OUT.json]

scikit-image's astronaut, coffee, chelsea and rocket (whole photos, 0.14-0.27 MP, two of them not multiples of
the MCU), compressed by Pillow and by OpenCV at each quality, 4:2:0 and 4:4:4, decoded by the shipped
faithful-lite model (z = 0) and exported at 8 bits (repaired for libjpeg's pipeline) and at 16 bits
(reference encoder). Prints every case that does not verify and the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import skimage.data
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from explorer_app.codec import read_jpeg
from explorer_app.decoder.inference import decode_code
from explorer_app.decoder.selection import choose_decoder
from explorer_app.export.exporter import export_verified

from conftest import SAMPLINGS, compress  # the verdict tests' encoder (tests/ is on the path)

PHOTOS = {
    "astronaut": skimage.data.astronaut,
    "coffee": skimage.data.coffee,
    "chelsea": skimage.data.chelsea,
    "rocket": skimage.data.rocket,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--qualities", type=int, nargs="*", default=[10, 20, 30])
    parser.add_argument("--json")
    args = parser.parse_args()
    decoder = choose_decoder("faithful", "lite", torch.device("cpu")).decoder
    figures: dict[str, object] = {"load_average_before": os.getloadavg(), "failures": [], "cases": 0, "seconds": {}}
    seconds: dict[int, float] = {8: 0.0, 16: 0.0}
    with tempfile.TemporaryDirectory() as folder:
        for name, load in PHOTOS.items():
            pixels = load()
            for quality in args.qualities:
                for codec in ("pillow", "opencv"):
                    for sampling in SAMPLINGS:
                        jpeg = Path(folder) / "photo.jpg"
                        jpeg.write_bytes(compress(pixels, codec, quality, sampling))
                        code = read_jpeg(jpeg)
                        output = decode_code(decoder, code)
                        for depth in (8, 16):
                            start = time.perf_counter()
                            report = export_verified(output, code, Path(folder) / "out.png", depth)
                            seconds[depth] += time.perf_counter() - start
                            figures["cases"] += 1
                            if not report.verified:
                                case = f"{name} QF {quality} {codec} {sampling} {depth}-bit: {report.summary()}"
                                figures["failures"].append(case)
                                print(case, flush=True)
    figures["seconds"] = {f"{depth}_bit_total": round(total, 1) for depth, total in seconds.items()}
    figures["load_average_after"] = os.getloadavg()
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
