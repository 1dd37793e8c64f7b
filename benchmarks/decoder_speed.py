"""Adam steps per second over z for a whole image and for a region window, per decoder size.

    python benchmarks/decoder_speed.py --device cuda --sizes full,lite [--json OUT.json]

Measures the optimisation loop the exploration engine runs (decoder forward + backward to z + Adam),
on a synthetic 4:2:0 code of a 1-megapixel image (1024×1024) and on a window of a 256×256 region plus
a halo of ``--halo`` blocks each side. Untrained weights: speed does not depend on their values.
"""
from __future__ import annotations

import argparse
import json
import time

import torch

from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import SIZES, JpegDecoder


def synthetic_code(pixels: int, device: torch.device) -> CodeTensors:
    blocks = pixels // 8
    return CodeTensors(torch.randint(-20, 20, (1, 64, blocks, blocks)).float(), torch.full((1, 64, 1, 1), 12.0),
                       torch.randint(-5, 5, (1, 128, blocks // 2, blocks // 2)).float(),
                       torch.full((1, 128, 1, 1), 14.0), (2, 2), pixels, pixels).to(device)


def adam_steps_per_second(decoder: JpegDecoder, code: CodeTensors, steps: int) -> float:
    z = torch.zeros(code.z_shape, device=code.y_q.device, requires_grad=True)
    optimizer = torch.optim.Adam([z], lr=0.05)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        decoder(code, z)["image"].square().mean().backward()
        optimizer.step()

    for _ in range(3):
        step()
    if code.y_q.is_cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if code.y_q.is_cuda:
        torch.cuda.synchronize()
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--sizes", default="full,lite")
    parser.add_argument("--halo", type=int, default=8, help="blocks of context around the 256-px region")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--json")
    args = parser.parse_args()
    device = torch.device(args.device)
    results = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"}
    for name in args.sizes.split(","):
        decoder = JpegDecoder(SIZES[name]).to(device).eval()
        for precision, dtype in (("fp32", None), ("bf16", torch.bfloat16 if device.type == "cuda" else None)):
            if precision == "bf16" and dtype is None:
                continue
            decoder.luma.compute_dtype = decoder.chroma.compute_dtype = dtype
            whole = adam_steps_per_second(decoder, synthetic_code(1024, device), args.steps)
            window = synthetic_code(256 + 16 * args.halo, device)
            region = adam_steps_per_second(decoder, window, args.steps)
            results[f"{name}_{precision}"] = {"whole_1mp_steps_per_s": round(whole, 1),
                                              "region_256px_steps_per_s": round(region, 1),
                                              "region_256px_50_steps_s": round(50 / region, 3)}
            print(name, precision, results[f"{name}_{precision}"], flush=True)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
