"""``jpeg-explorer train`` (also ``python -m explorer_app.train``): train the decoders of one size.

One run trains, in order: the luminance net (L1), the chroma net (L1) → writes ``faithful-<size>``,
then the prior phase (z = 0 kept faithful, random z made natural; docs/decoder.md) and the optional
adversarial phase → write ``explorable-<size>``, into ``<out>/models``. ``--start-from DIR`` skips the L1
phases and starts from the ``faithful-<size>`` weights in DIR. Runs resume from
``<out>/checkpoint.safetensors``. Several GPUs: ``torchrun --nproc_per_node K -m explorer_app.train ...``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import torch
import torch.distributed as dist

from ..decoder.model import SIZES, DecoderSize, JpegDecoder
from ..devices import pick_device
from .critic import Critic
from .encoder import PosteriorEncoder
from .patches import PatchPool
from .phases import AdversarialPhase, ChromaPhase, LumaPhase, PriorPhase
from .trainer import Budget, ScheduledPhase, Trainer, is_main_process
from .warm_start import start_from_faithful


def setup_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jpeg-explorer train", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The training options, for this module's own parser and for ``jpeg-explorer train``."""
    parser.add_argument("--pack", required=True, help="a photo pack folder (python -m explorer_app.train.photo_pack)")
    parser.add_argument("--out", required=True, help="run folder: checkpoint, loss curves, models/")
    parser.add_argument("--size", default="lite", help=f"one of {sorted(SIZES)} or W,D,W,D (luma/chroma width,depth)")
    parser.add_argument("--batch", type=int, default=32, help="patches per step and per process")
    parser.add_argument("--patch", type=int, default=128, help="patch side in pixels (multiple of 16)")
    parser.add_argument("--pool", type=int, default=20000, help="random crops held on the device")
    parser.add_argument("--luma-steps", type=int, default=20000)
    parser.add_argument("--chroma-steps", type=int, default=10000)
    parser.add_argument("--prior-steps", type=int, default=20000)
    parser.add_argument("--adversarial-steps", type=int, default=0)
    parser.add_argument("--luma-seconds", type=float, default=float("inf"))
    parser.add_argument("--chroma-seconds", type=float, default=float("inf"))
    parser.add_argument("--prior-seconds", type=float, default=float("inf"))
    parser.add_argument("--adversarial-seconds", type=float, default=float("inf"))
    parser.add_argument(
        "--beta",
        type=float,
        default=1e-4,
        help="prior phase: weight of the KL (nats per luma block) against the L1 terms (0–1 scale)",
    )
    parser.add_argument(
        "--edges", type=float, default=4.0, help="prior phase: weight of the block-edge penalty on random-z decodes"
    )
    parser.add_argument(
        "--grain",
        type=float,
        default=12.0,
        help="prior phase: weight of the flat-area grain penalty on random-z decodes",
    )
    parser.add_argument(
        "--plausible", type=float, default=0.0, help="prior phase: weight of L1 to the truth on random-z decodes"
    )
    parser.add_argument(
        "--flat",
        type=float,
        default=1.0,
        help="prior phase: weight of L1 to the truth on random-z decodes where the truth is flat",
    )
    parser.add_argument(
        "--start-from",
        default=None,
        metavar="DIR",
        help="skip the L1 phases: start from faithful-<size> in DIR (e.g. models)",
    )
    parser.add_argument("--map-steps", type=int, default=10, help="Adam steps for z* per batch (paper: 10)")
    parser.add_argument("--critic", default="128,6", help="critic width,depth")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")


def parse_size(text: str) -> tuple[str, DecoderSize]:
    if text in SIZES:
        return text, SIZES[text]
    values = [int(v) for v in text.split(",")]
    if len(values) != 4:
        raise SystemExit(f"jpeg-explorer train: error: --size must be one of {sorted(SIZES)} or four integers")
    return "custom", DecoderSize(values[0], values[1], values[2], values[3])


def init_distributed(device: torch.device) -> torch.device:
    """Join the torchrun process group when launched by torchrun; each rank takes its own GPU."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return device
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    if device.type == "cuda":
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    return device


def main(argv: Sequence[str] | None = None) -> int:
    return run(setup_args().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Train as ``args`` say; a finished run says so instead of silently doing nothing."""
    from .photo_pack import PhotoPack

    if args.threads:
        torch.set_num_threads(args.threads)
    device = init_distributed(pick_device(args.device))
    size_name, size = parse_size(args.size)
    torch.manual_seed(args.seed)
    decoder = JpegDecoder(replace(size, learned_prior=True), name=size_name).to(device)
    critic_width, critic_depth = (int(v) for v in args.critic.split(","))
    critic = Critic(critic_width, critic_depth).to(device)
    encoder = PosteriorEncoder().to(device)
    compute_dtype = torch.bfloat16 if device.type == "cuda" else None
    decoder.luma.compute_dtype = decoder.chroma.compute_dtype = compute_dtype
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    rank = dist.get_rank() if dist.is_initialized() else 0
    pool = PatchPool(PhotoPack(args.pack, "train"), args.pool, args.patch, device, args.seed + rank)
    schedule = [
        ScheduledPhase(LumaPhase(decoder), Budget(args.luma_steps, args.luma_seconds)),
        ScheduledPhase(ChromaPhase(decoder), Budget(args.chroma_steps, args.chroma_seconds), saves="faithful"),
        ScheduledPhase(
            PriorPhase(
                decoder,
                encoder,
                beta=args.beta,
                plausible=args.plausible,
                flat=args.flat,
                edges=args.edges,
                grain=args.grain,
            ),
            Budget(args.prior_steps, args.prior_seconds),
            saves="explorable",
        ),
        ScheduledPhase(
            AdversarialPhase(decoder, critic, map_steps=args.map_steps, compute_dtype=compute_dtype),
            Budget(args.adversarial_steps, args.adversarial_seconds),
            saves="explorable",
        ),
    ]
    trainer = Trainer(
        decoder, critic, schedule, pool, Path(args.out), size_name, args.batch, args.patch, args.seed, encoder=encoder
    )
    if trainer.resume():
        if trainer.state.phase_index >= len(schedule):
            print(f"{args.out} is complete: its models are in {Path(args.out) / 'models'} (nothing to resume)")
            return 0
        if is_main_process():
            name = schedule[trainer.state.phase_index].phase.name
            print(f"resuming {args.out}: {name} phase, step {trainer.state.step}")
    elif args.start_from:
        start_from_faithful(decoder, Path(args.start_from), size_name)
        trainer.state.phase_index = 2
    trainer.run()
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
    return 0
