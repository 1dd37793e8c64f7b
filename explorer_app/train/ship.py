"""Copy a trained decoder into a models folder as shipped weights, with the sampling temperature chosen on
the validation photos and the faithful model it started from recorded in its metadata.

    python -m explorer_app.train.ship --weights runs/prior-lite/models/explorable-lite.safetensors \
        --name explorable --size lite --temperature 0.6 --started-from models/faithful-lite.safetensors \
        --models models
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from safetensors import safe_open
from safetensors.torch import load_file

from ..decoder.registry import decoder_from_state, save_decoder


def setup_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m explorer_app.train.ship", description=__doc__.splitlines()[0])
    parser.add_argument("--weights", required=True, type=Path, help="the run's decoder (one safetensors file)")
    parser.add_argument("--name", required=True, choices=("explorable", "faithful"))
    parser.add_argument("--size", required=True)
    parser.add_argument("--temperature", type=float, default=1.0, help="σ of random z for this model")
    parser.add_argument(
        "--texture-exponent",
        type=float,
        default=0.0,
        help="how much more room textured blocks give a random z (decoder/texture_prior.py; chosen with "
        "benchmarks/sampler_spread.py --photos calibration)",
    )
    parser.add_argument(
        "--started-from",
        type=Path,
        default=None,
        help="the faithful weights the prior phase started from (recorded by SHA-256)",
    )
    parser.add_argument("--models", required=True, type=Path, help="the models folder to write into")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = setup_args().parse_args(argv)
    with safe_open(str(args.weights), "pt") as handle:
        training = (handle.metadata() or {}).get("training", "[]")
    decoder = decoder_from_state(load_file(str(args.weights)), f"{args.name}-{args.size}")
    decoder.sample_temperature = args.temperature
    decoder.texture_exponent = args.texture_exponent
    metadata = {"training": training}
    if args.started_from is not None:
        metadata["started_from"] = json.dumps(
            {"file": args.started_from.name, "sha256": hashlib.sha256(args.started_from.read_bytes()).hexdigest()}
        )
    for path in save_decoder(decoder, args.models, args.name, args.size, metadata):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
