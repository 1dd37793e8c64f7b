"""``jpeg-explorer models``: the shipped decoders, their sizes, hashes and model cards."""
from __future__ import annotations

import argparse
import json

from ..decoder.registry import shipped_models
from .errors import EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    rows = [{"name": m.name, "size": m.size, "files": [s.name for s in m.shards], "bytes": m.total_bytes(),
             "sha256": m.sha256(), "card": str(m.card) if m.card.exists() else None} for m in shipped_models()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print("no trained decoders are shipped in this installation")
    for row in rows:
        print(f"{row['name']:<11} {row['size']:<5} {row['bytes'] / 2**20:6.1f} MiB  sha256 {row['sha256'][:16]}  "
              f"card: {row['card'] or 'missing'}")
    return EXIT_OK
