"""Time `jpeg-explorer decode` on high-quality files, whole commands as a user runs them: fine quality
is where 8-bit samples leave the search least room and saturated blocks appear, so an export tries most there.

    python benchmarks/high_quality_export.py [--tree DIR] [--cases NAME ...] [--json OUT.json]

Files are made here from bundled photos with Pillow: scikit-image's astronaut (512×512, with saturated
whites and blacks) and Hubble deep field (1000×872, mostly black) at quality 95 4:4:4 and quality 100
4:4:4. Each case runs `decode` in a fresh process (the shipped faithful-lite model, CPU, one thread), once
with the default bit depth and once with `--bit-depth 8`, and records the wall time, the exit code, the bit
depth written and the verdict line. ``--tree`` runs another checkout's code (e.g. the code before this
change, from `git archive`), so that both are timed the same way; the load average is recorded before and
after, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import skimage.data
from PIL import Image

PHOTOS = {"astronaut": skimage.data.astronaut, "hubble": skimage.data.hubble_deep_field}
FILES = {"q95-444": {"quality": 95, "subsampling": 0}, "q100-444": {"quality": 100, "subsampling": 0}}
DEPTHS = {"default": [], "8-bit": ["--bit-depth", "8"]}


def run_case(tree: Path, jpeg: Path, output: Path, flags: list[str]) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "explorer_app.cli.main",
        "decode",
        str(jpeg),
        "-o",
        str(output),
        "--device",
        "cpu",
        "--size",
        "lite",
        *flags,
    ]
    environment = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=tree)
    seconds = time.perf_counter() - start
    lines = done.stdout.splitlines()
    verdict = next((line for line in lines if "VERIFIED" in line), done.stderr.strip())
    written = next((line for line in lines if line.startswith("wrote")), "")
    return {
        "seconds": round(seconds, 2),
        "exit_code": done.returncode,
        "wrote": written,
        "verdict": verdict,
        "remedy": next((line for line in lines if line.startswith("remedy:")), ""),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--cases", nargs="*", help="photo/file/depth names to run, e.g. astronaut/q95-444/default")
    parser.add_argument("--json")
    args = parser.parse_args()
    figures: dict[str, object] = {"tree": args.tree, "load_average_before": os.getloadavg(), "cases": {}}
    with tempfile.TemporaryDirectory() as folder:
        for photo, load in PHOTOS.items():
            pixels = Image.fromarray(load())
            for file, options in FILES.items():
                jpeg = Path(folder) / f"{photo}-{file}.jpg"
                pixels.save(jpeg, **options)
                for depth, flags in DEPTHS.items():
                    name = f"{photo}/{file}/{depth}"
                    if args.cases and name not in args.cases:
                        continue
                    result = run_case(Path(args.tree), jpeg, Path(folder) / f"{photo}-{file}-{depth}.png", flags)
                    figures["cases"][name] = result
                    print(name, json.dumps(result), flush=True)
    figures["load_average_after"] = os.getloadavg()
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
