"""Kill exports over an existing output at random moments, many times, and count what they leave.

    python benchmarks/kill_exports.py [--kills 50] [--seed 0] [--json OUT.json]

Each run starts an export loop (tests/pair_kills.py: a tiny decoder exporting a 64×48 photo over the same
out.png, alternately at 8 and 16 bits), sends SIGKILL (or, every third run, SIGTERM) at a uniformly random
moment within 0.6 s of the first pair, and checks the folder: the PNG and its report must both be there, the
report's image.sha256 must be that PNG's, and nothing else (no .partial file) may be left.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pair_kills import kill_once  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    problems: list[str] = []
    counts = {"SIGKILL": 0, "SIGTERM": 0}
    for run in range(args.kills):
        number = signal.SIGTERM if run % 3 == 2 else signal.SIGKILL
        counts[number.name] += 1
        with tempfile.TemporaryDirectory() as folder:
            problem = kill_once(Path(folder), rng.uniform(0.0, 0.6), number)
        if problem:
            problems.append(f"run {run} ({number.name}): {problem}")
        print(f"run {run:2d} {number.name}: {problem or 'old or new pair, nothing else'}", flush=True)
    figures = {"kills": args.kills, **counts, "bad_pairs_or_leftovers": len(problems), "problems": problems}
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
