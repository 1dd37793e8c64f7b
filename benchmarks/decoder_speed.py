"""Adam steps per second over z for a whole image and for a region window, per decoder size.

    python benchmarks/decoder_speed.py --device cuda --sizes full,lite [--json OUT.json]

Measures the optimisation loop the exploration engine runs (decoder forward + backward to z + Adam,
through the engine's :class:`~explorer_app.engine.stepper.AdamStepper`), on a synthetic 4:2:0 code of
a 1-megapixel image (1024×1024) and on a window of a 256×256 region plus a halo of ``--halo`` blocks
each side. On a GPU each variant runs twice in the same process: eager (every step launched from
Python) and graphed (the engine's default: one captured CUDA graph replayed per step), in fp32 and
bf16 autocast (the engine's GPU default), each in the default and the channels-last layout.
Untrained weights: speed does not depend on their values.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import SIZES, JpegDecoder
from explorer_app.engine.stepper import EAGER_STEPS, AdamStepper


def synthetic_code(pixels: int, device: torch.device) -> CodeTensors:
    blocks = pixels // 8
    return CodeTensors(
        torch.randint(-20, 20, (1, 64, blocks, blocks)).float(),
        torch.full((1, 64, 1, 1), 12.0),
        torch.randint(-5, 5, (1, 128, blocks // 2, blocks // 2)).float(),
        torch.full((1, 128, 1, 1), 14.0),
        (2, 2),
        pixels,
        pixels,
    ).to(device)


def adam_steps_per_second(decoder: JpegDecoder, code: CodeTensors, steps: int, graphed: bool = True) -> float:
    """Steps per second of the engine's stepper (graphed=False: every step eager, as before graphs)."""
    z = torch.zeros(code.z_shape, device=code.y_q.device)

    def evaluate(param: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        image = decoder(code, param)["image"]
        return param.clone(), image, image.square().mean((1, 2, 3))

    stepper = AdamStepper(evaluate, z, lr=0.05, warmup=1, graph=graphed)
    for _ in range(EAGER_STEPS + 1):  # warm-up (and capture) are timed by the engine's own bench
        stepper.step()
    if code.y_q.is_cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        stepper.step()
    if code.y_q.is_cuda:
        torch.cuda.synchronize()
    return steps / (time.perf_counter() - start)


def profile_step(decoder: JpegDecoder, code: CodeTensors) -> None:
    """Print where one whole-image Adam step spends its time (torch.profiler, CPU and CUDA)."""
    from torch.profiler import ProfilerActivity, profile

    adam_steps_per_second(decoder, code, 2, graphed=False)
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if code.y_q.is_cuda else [])
    with profile(activities=activities) as prof:
        adam_steps_per_second(decoder, code, 3, graphed=False)  # eager: a replayed graph hides its kernels
    key = "cuda_time_total" if code.y_q.is_cuda else "cpu_time_total"
    print(prof.key_averages().table(sort_by=key, row_limit=18, max_name_column_width=40), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--sizes", default="full,lite")
    parser.add_argument("--halo", type=int, default=8, help="blocks of context around the 256-px region")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--json")
    parser.add_argument("--profile", action="store_true", help="print the top operators of one full-size step")
    args = parser.parse_args()
    device = torch.device(args.device)
    results = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"}
    cuda = device.type == "cuda"
    variants = [("fp32", None, torch.contiguous_format)]
    if cuda:
        variants += [
            ("bf16", torch.bfloat16, torch.contiguous_format),
            ("fp32_channels_last", None, torch.channels_last),
            ("bf16_channels_last", torch.bfloat16, torch.channels_last),
        ]
    for name in args.sizes.split(","):
        for precision, dtype, layout in variants:
            decoder = JpegDecoder(SIZES[name]).to(device, memory_format=layout).eval().requires_grad_(False)
            decoder.luma.compute_dtype = decoder.chroma.compute_dtype = dtype
            for graphed in (True, False) if cuda else (False,):
                whole = adam_steps_per_second(decoder, synthetic_code(1024, device), args.steps, graphed)
                region = adam_steps_per_second(
                    decoder, synthetic_code(256 + 16 * args.halo, device), args.steps, graphed
                )
                key = f"{name}_{precision}" + ("_graphed" if graphed else "_eager") * cuda
                results[key] = {
                    "whole_1mp_steps_per_s": round(whole, 1),
                    "region_256px_steps_per_s": round(region, 1),
                    "region_256px_50_steps_s": round(50 / region, 3),
                }
                print(key, results[key], flush=True)
    if args.profile:
        profile_step(JpegDecoder(SIZES["full"]).to(device).eval().requires_grad_(False), synthetic_code(1024, device))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
