"""The PNG writer against OpenCV's encoder on a 12-MP photo's samples, 8 and 16 bits: seconds, size, and
the longest stall of a thread that wakes every 2 ms meanwhile (the window's event loop while an export
encodes).

    python benchmarks/png_writer.py [--json OUT] [--rounds 3]

The photo is the GUI journey's 4000×3000 composite (benchmarks/gui_journey_12mp.py); its 16-bit samples
carry the sub-level detail a decode has (Gaussian, σ 0.7 grey levels). Both encoders' PNGs are decoded
back and compared sample for sample.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gui_journey_12mp import camera_like_photo

from explorer_app.verify.png_io import decode_png
from explorer_app.verify.png_writer import encode_png


def opencv_png(samples: np.ndarray) -> bytes:
    """What the exporter used before: OpenCV's PNG encoder (default settings)."""
    order = samples[:, :, ::-1] if samples.shape[2] == 3 else samples
    ok, buffer = cv2.imencode(".png", np.ascontiguousarray(order))
    if not ok:
        raise OSError("PNG encoding failed")
    return buffer.tobytes()


def timed_with_stall(encode: Callable[[np.ndarray], bytes], samples: np.ndarray) -> tuple[bytes, float, float]:
    """(PNG bytes, seconds, longest gap in ms between the 2-ms wake-ups of this thread meanwhile)."""
    result: list[bytes] = []
    worker = threading.Thread(target=lambda: result.append(encode(samples)))
    start = last = time.perf_counter()
    worst = 0.0
    worker.start()
    while worker.is_alive():
        time.sleep(0.002)
        now = time.perf_counter()
        worst, last = max(worst, now - last), now
    worker.join()
    return result[0], time.perf_counter() - start, 1000 * worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    photo = camera_like_photo().astype(np.float64)
    noise = np.random.default_rng(0).normal(0.0, 0.7, photo.shape)
    samples = {
        8: np.round(photo).astype(np.uint8),
        16: np.round(np.clip(photo + noise, 0, 255) * 257).astype(np.uint16),
    }
    figures: dict[str, object] = {
        "photo": "4000x3000 journey composite (benchmarks/gui_journey_12mp.py)",
        "cpu": platform.processor() or platform.machine(),
        "os_cpu_count": os.cpu_count(),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
    }
    for depth, image in samples.items():
        for name, encode in (("opencv", opencv_png), ("png_writer", encode_png)):
            rows = []
            for _ in range(args.rounds):
                data, seconds, stall = timed_with_stall(encode, image)
                back, read_depth = decode_png(data, name)
                assert read_depth == depth and np.array_equal(back, image), f"{name} did not round-trip"
                rows.append(
                    {"seconds": round(seconds, 3), "mib": round(len(data) / 2**20, 2), "stall_ms": round(stall, 1)}
                )
            figures[f"{name}_{depth}bit"] = rows
            print(depth, name, rows, flush=True)
    figures["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
