"""``jpeg-explorer bench [--json] [--device auto|cpu|cuda]``: time the interactive paths on this machine.

On a synthetic 1024×1024 4:2:0 JPEG: the network decode against Pillow's plain decode, variance edits
of a 128×128-px region (50 Adam steps, with the default halo and with the decoder's whole reach) and
of a 256×256-px region, Adam steps of an engine edit over the whole image (the steady rate once its
step is captured, and the whole edit with its setup), and the ten digit hypotheses of a 24×32-px box.
Every edit is timed whole, commit included: on a GPU that includes its eager warm-up step and the
graph capture. The session's warm-up (what the window runs while opening a file, to pay the device's
one-time start-up) and the first edit after it (a default brightness edit) are timed on their own.
Without shipped weights it times an untrained decoder of the lite size (same cost) and says so.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..codec import read_jpeg
from ..decoder.inference import decode_code
from ..decoder.model import SIZES, JpegDecoder
from ..decoder.registry import ModelNotFoundError
from ..decoder.selection import choose_decoder
from ..devices import DeviceError, pick_device
from ..engine import Budget, Session, regions, tools
from ..engine.glyphs.hypotheses import glyph_hypotheses
from ..engine.glyphs.segments import SEVEN_SEGMENT
from ..engine.stepper import EAGER_STEPS
from .errors import EXIT_OK, fail

SIDE = 1024
EDIT_BOX = (448, 448, 128, 128)
LARGE_EDIT_BOX = (384, 384, 256, 256)
DIGIT_BOX = (500, 496, 24, 32)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")


def bench_jpeg(folder: Path, side: int = SIDE) -> Path:
    """A side×side 4:2:0 quality-30 JPEG of smooth shapes, edges and noise."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:side, 0:side] / side
    picture = np.stack([128 + 90 * np.sin(9 * xx + 3 * yy), 128 + 90 * np.cos(7 * yy), 255 * xx * yy], -1)
    picture += rng.normal(0, 12, picture.shape)
    path = folder / "bench.jpg"
    Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8)).save(path, quality=30, subsampling=2)
    return path


def synchronize(device: torch.device) -> None:
    """Wait for the GPU's queued work (nothing to wait for on a CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(work: Callable[[], object], device: torch.device, repeats: int = 1) -> float:
    """Median wall time in seconds of ``work`` over ``repeats`` runs (GPU work included)."""
    times = []
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        work()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pick_decoder(device: torch.device, notes: list[str]) -> JpegDecoder:
    try:
        chosen = choose_decoder("explorable", "auto", device)
        return chosen.decoder
    except ModelNotFoundError:
        size = "full" if device.type == "cuda" else "lite"
        notes.append(f"no shipped explorable weights: timed an untrained {size} decoder (same cost)")
        return JpegDecoder(SIZES[size], name=f"untrained-{size}").to(device).eval()


def whole_image_edit(session: Session, steps: int) -> tuple[float, float]:
    """An engine edit whose region is the whole image (z free everywhere): (Adam steps per second once
    the step runs from its captured graph, wall seconds of the whole edit with its setup)."""
    height, width = session.shape
    region = regions.rectangle(session.shape, 0, 0, width, height)
    edit = session.edit(tools.Variance(factor=2.0), region, Budget(steps=steps, patience=0))
    synchronize(session.device)
    start = steady_start = time.perf_counter()
    first_steady = last = 1
    for progress in edit.run():
        last = progress.step
        if last == EAGER_STEPS + 2:  # the host has seen the eager and the capturing step end
            steady_start, first_steady = time.perf_counter(), last
    synchronize(session.device)
    end = time.perf_counter()
    return (last - first_steady + 1) / (end - steady_start), end - start


def measure(device: torch.device) -> dict[str, object]:
    notes: list[str] = []
    decoder = pick_decoder(device, notes)
    with tempfile.TemporaryDirectory() as folder:
        path = bench_jpeg(Path(folder))
        code = read_jpeg(path)
        decode_code(decoder, code, device=device)  # warm-up
        decode_s = timed(lambda: decode_code(decoder, code, device=device), device, 3)
        libjpeg_s = timed(lambda: Image.open(path).load(), device, 5)
    session = Session(code, decoder, device)
    warm_up_s = timed(session.warm_up, device)
    first_edit_s = timed(lambda: session.apply(tools.Brightness(), regions.rectangle(session.shape, *EDIT_BOX)), device)

    def edit(box: tuple[int, int, int, int], halo: int | None) -> None:
        budget = Budget(steps=50, patience=0, halo=halo)
        session.apply(tools.Variance(factor=2.0), regions.rectangle(session.shape, *box), budget)

    default_halo = Budget().halo
    edit_s = timed(lambda: edit(EDIT_BOX, default_halo), device)
    edit_full_reach_s = timed(lambda: edit(EDIT_BOX, None), device)
    edit_256_s = timed(lambda: edit(LARGE_EDIT_BOX, default_halo), device)
    steps = 100 if device.type == "cuda" else 5
    steps_per_s, whole_edit_s = whole_image_edit(session, steps)
    digits_s = timed(lambda: glyph_hypotheses(session, SEVEN_SEGMENT, DIGIT_BOX), device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    return {
        "device": name,
        "model": decoder.name,
        "image": f"{SIDE}x{SIDE} 4:2:0 q30",
        "decode_1mp_s": round(decode_s, 4),
        "libjpeg_decode_1mp_s": round(libjpeg_s, 4),
        "warm_up_s": round(warm_up_s, 3),
        "first_edit_s": round(first_edit_s, 3),
        "edit_128px_50it_s": round(edit_s, 3),
        "edit_128px_50it_full_reach_s": round(edit_full_reach_s, 3),
        "edit_256px_50it_s": round(edit_256_s, 3),
        "adam_steps_1mp_per_s": round(steps_per_s, 3),
        f"whole_1mp_edit_{steps}_steps_s": round(whole_edit_s, 3),
        "digits_10_hypotheses_s": None if digits_s is None else round(digits_s, 3),
        "notes": notes,
    }


def run(args: argparse.Namespace) -> int:
    try:
        device = pick_device(args.device)
    except DeviceError as error:
        return fail(str(error))
    figures = measure(device)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>26}: {value}")
    return EXIT_OK
