"""Time the default export of a 12-MP photo (bit depth left to choose, as the Export button and ``decode``
without --bit-depth do) and how long a cancel takes to take effect at several moments of it: the path a
default export takes is decided by counts, so its time on a large photo is what bounds the user's wait.

    python benchmarks/default_export_12mp.py [--rounds 2] [--cancel-at 1 3 5] [--json OUT.json]

The photo is benchmarks/gui_journey_12mp.py's camera-like 4000×3000 composite (Pillow quality 85, 4:2:0),
decoded once by the shipped ``explorable`` lite decoder on the CPU; only the export is timed. The package
is imported from PYTHONPATH first, so the same script times another checkout (a baseline) in the same run.
A cancel at t s: ``cancelled()`` turns true t s after the export starts; its delay is the time from then to
ExportCancelled (or to the export's end, had it none).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

sys.path.append(str(Path(__file__).resolve().parents[1]))  # after PYTHONPATH: a baseline checkout wins

import explorer_app
from explorer_app.codec import read_jpeg
from explorer_app.decoder.inference import decode_code
from explorer_app.decoder.selection import choose_decoder
from explorer_app.export.exporter import ExportCancelled, export_verified

sys.path.append(str(Path(__file__).resolve().parent))
from gui_journey_12mp import camera_like_photo


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cancel-at", type=float, nargs="*", default=[1.0, 3.0])
    parser.add_argument("--photo", default="")
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    figures: dict[str, object] = {"package": str(Path(explorer_app.__file__).parent), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(args.photo or Path(folder) / "photo.jpg")
        if not args.photo:
            Image.fromarray(camera_like_photo()).save(photo, quality=85, subsampling=2)
        code = read_jpeg(photo)
        output = decode_code(choose_decoder("explorable", "lite", torch.device("cpu")).decoder, code)
        exports = []
        for index in range(args.rounds):
            start = time.perf_counter()
            report = export_verified(output, code, Path(folder) / f"out{index}.png", None)
            exports.append(
                {
                    "seconds": round(time.perf_counter() - start, 2),
                    "verified": report.verified,
                    "bit_depth": report.image["bit_depth"],
                    "note": report.notes[-1],
                }
            )
            print(exports[-1], flush=True)
        cancels = []
        for at in args.cancel_at:
            start = time.perf_counter()
            try:
                export_verified(
                    output,
                    code,
                    Path(folder) / "cancelled.png",
                    None,
                    cancelled=lambda at=at, start=start: time.perf_counter() - start >= at,
                )
                took = {"cancel_at_s": at, "cancelled": False, "delay_s": round(time.perf_counter() - start - at, 2)}
            except ExportCancelled:
                took = {"cancel_at_s": at, "cancelled": True, "delay_s": round(time.perf_counter() - start - at, 3)}
            took["left_a_file"] = (Path(folder) / "cancelled.png").exists()
            cancels.append(took)
            print(took, flush=True)
    figures |= {"exports": exports, "cancels": cancels, "load_after": os.getloadavg()}
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
