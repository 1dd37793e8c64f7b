"""How far committed edits spread, per optimisation halo: what Budget.halo can be without visible loss.

    PYTHONPATH=. python benchmarks/halo_reach.py [--sizes lite,full] [--device cpu] [--threads 1]
        [--tools variance,brightness,scribble,tv] [--full-tools ...] [--json OUT.json]

On the bundled example (512×512, IJG quality 12, 4:2:0), for each shipped explorable decoder, each tool
and each halo (blocks of network context around the editable blocks; None: the decoder's whole reach),
one edit of a 128×128 region near the centre is optimized (50 Adam steps, no early stop) in a fresh
session and committed exactly (the session recomputes every pixel z can reach). Measured on the whole
committed image against the image before the edit:

* objective: the tool's own objective rebuilt on a whole-image view (exact before-image as initial, so
  targets and goals are the same for every halo);
* per distance band from the region's edge (px, Euclidean, pixels outside the region): the max and the
  99.9th percentile over pixels of the absolute change (grey levels, max over the RGB channels);
* beyond_window_max: the max change of pixels outside the optimisation window (never seen by the hold);
* reach_1: the farthest distance (px) from the region at which some pixel changed by ≥ 1 grey level;
* vs_full: |committed − committed with halo None| outside the region (max, and per band as above);
  its floor is measured by a control run ("ctl"): the full-reach edit again from z + 1e-5·N(0, 1);
* preview_err: max |live preview − committed| inside the region (what the user saw vs what was kept);
* edit_s / commit_s: wall time of building + optimizing the edit, and of the exact commit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from scipy.ndimage import distance_transform_edt

from explorer_app.decoder.selection import choose_decoder
from explorer_app.devices import pick_device
from explorer_app.engine import Budget, Session, regions, tools
from explorer_app.engine.block_window import aligned_window
from explorer_app.engine.optimize import run_to_end
from explorer_app.engine.regions import Region
from explorer_app.engine.state import initial_state
from explorer_app.engine.tools.base import Tool
from explorer_app.engine.view import WindowView

IMAGE = Path(__file__).resolve().parent.parent / "assets" / "examples" / "example.jpg"
REGION_XYWH = (192, 192, 128, 128)
HALOS: list[int | None] = [2, 4, 6, 8, 12, None]
BANDS = [(0, 16), (16, 32), (32, 64), (64, 128), (128, None)]
STEPS = 50
FLOOR_NOISE = 1e-5
"""z perturbation (z is ~N(0, 1)) of the control run: a second full-reach edit from a z that differs by
float-rounding size, whose distance to the first is the floor of every |committed − halo None| figure."""
TOOLS: dict[str, Tool] = {
    "variance": tools.Variance(factor=2.0),
    "brightness": tools.Brightness(30.0),
    "scribble": tools.Scribble((tools.Stroke("pen", ((208.0, 216.0), (256.0, 244.0), (304.0, 224.0)), width=6.0),)),
    "tv": tools.TotalVariation(),
}


def whole_view(session: Session, region: Region, before: torch.Tensor) -> WindowView:
    """A view of the whole image (origin (0, 0)) with ``before`` (1, C, H, W) as the initial image."""
    grid = session.state.z.shape[2:]
    window = aligned_window(0, grid[0], 0, grid[1], grid, session.tensors.chroma_factor)
    mask = torch.from_numpy(region.mask).to(before)[None, None]
    return WindowView(window, session.tensors, mask, before, before)


def band_label(band: tuple[int, int | None]) -> str:
    """ "0-16", …, ">128" (px)."""
    low, high = band
    return f">{low}" if high is None else f"{low}-{high}"


def spread(change: np.ndarray, outside: np.ndarray, distance: np.ndarray) -> dict[str, object]:
    """Max and 99.9th percentile of a per-pixel change (H, W) (grey levels) outside the region per distance
    band (px), and reach_1: the farthest distance of a change ≥ 1."""
    bands = {}
    for low, high in BANDS:
        pick = outside & (distance > low) & (True if high is None else distance <= high)
        values = change[pick]
        bands[band_label((low, high))] = {
            "max": round(float(values.max()), 3),
            "p999": round(float(np.percentile(values, 99.9)), 3),
        }
    far = distance[outside & (change >= 1.0)]
    return {"bands": bands, "reach_1": round(float(far.max()), 1) if far.size else 0.0}


def run_edit(session: Session, tool: Tool, region: Region, distance: np.ndarray, halo: int | None) -> dict[str, object]:
    """Optimize and commit one edit; returns its figures and, as "_after", the committed image (1, C, H, W).
    ``distance``: (H, W) px from each pixel to the region (0 inside)."""
    before = session.image.clone()
    start = time.perf_counter()
    edit = session.edit(tool, region, Budget(steps=STEPS, patience=0, halo=halo))
    result = run_to_end(edit)
    optimized = time.perf_counter()
    session.commit(result)
    committed = time.perf_counter()
    after = session.image
    height, width = session.shape
    per_pixel = (after - before).abs().amax(1)[0].cpu().numpy()  # (H, W)
    outside = ~region.mask
    rows, cols = edit.window.pixels(height, width)
    beyond = np.ones((height, width), bool)
    beyond[rows, cols] = False
    inside = torch.from_numpy(region.mask).to(after.device)
    preview = result.preview[0:1]
    committed_window = after[:, :, rows, cols]
    preview_err = ((preview - committed_window).abs().amax(1)[0] * inside[rows, cols]).max()
    objective = tool.objective(whole_view(session, region, before))
    return {
        "halo": halo,
        "window_blocks": edit.window.describe(),
        "objective": round(float(objective(after)[0]), 6),
        **spread(per_pixel, outside, distance),
        "beyond_window_max": round(float(per_pixel[beyond].max()), 3) if beyond.any() else None,
        "preview_err": round(float(preview_err), 3),
        "edit_s": round(optimized - start, 2),
        "commit_s": round(committed - optimized, 2),
        "_after": after,
    }


def study(size: str, tool_names: list[str], device: torch.device) -> dict[str, object]:
    """All tools × halos for one decoder size."""
    chosen = choose_decoder("explorable", size, device)
    base = Session.open(IMAGE, chosen.decoder, device)
    region = regions.rectangle(base.shape, *REGION_XYWH)
    outside = ~region.mask
    distance = distance_transform_edt(outside)
    figures: dict[str, object] = {
        "decoder": chosen.describe(),
        "note": chosen.note,
        "receptive_radius_blocks": chosen.decoder.receptive_radius_blocks,
        "tools": {},
    }
    noise = torch.randn(base.state.z.shape, generator=torch.Generator().manual_seed(0)).to(base.state.z)
    perturbed = initial_state(chosen.decoder, base.tensors, base.state.z + FLOOR_NOISE * noise)
    run_to_end(base.edit(TOOLS[tool_names[0]], region, Budget(steps=2, patience=0, halo=2)))  # warm-up, untimed
    start = time.perf_counter()
    before = base.image
    for name in tool_names:
        tool = TOOLS[name]
        runs = []
        for halo in sorted(HALOS, key=lambda h: h is not None):  # the full reach first: the reference
            session = Session(base.code, chosen.decoder, device, state=base.state.clone())
            run = run_edit(session, tool, region, distance, halo)
            runs.append(run)
            print_row(size, name, run)
        control = run_edit(
            Session(base.code, chosen.decoder, device, state=perturbed.clone()), tool, region, distance, None
        )
        control["z_noise"] = FLOOR_NOISE
        print_row(size, name, control)
        reference = runs[0]["_after"]
        for run in [*runs, control]:
            differs = (run.pop("_after") - reference).abs().amax(1)[0].cpu().numpy()
            run["vs_full"] = {"max": round(float(differs[outside].max()), 3), **spread(differs, outside, distance)}
        objective_before = float(tool.objective(whole_view(base, region, before))(before)[0])
        print(
            f"{size:4} {name:10} objective before {objective_before:.3g}; |committed - committed with halo None|, "
            "max per band: "
            + "; ".join(
                f"{run_label(r)}: " + " ".join(f"{b['max']:.2f}" for b in r["vs_full"]["bands"].values())
                for r in [control, *runs[1:]]
            ),
            flush=True,
        )
        figures["tools"][name] = {
            "objective_before": round(objective_before, 6),
            "runs": runs[1:] + runs[:1],
            "floor_control": control,
        }
    figures["seconds"] = round(time.perf_counter() - start, 1)
    return figures


def run_label(run: dict[str, object]) -> str:
    """The halo, or "ctl" for the floor control run."""
    return "ctl" if "z_noise" in run else str(run["halo"])


def print_row(size: str, tool: str, run: dict[str, object]) -> None:
    """One line of the table: per band max/p99.9, then the window, reach and timing figures."""
    bands = "  ".join(f"{b['max']:6.2f}/{b['p999']:5.2f}" for b in run["bands"].values())
    beyond = "-" if run["beyond_window_max"] is None else f"{run['beyond_window_max']:.2f}"
    print(
        f"{size:4} {tool:10} {run_label(run):>4} {run['objective']:9.3g}  {bands}  {beyond:>6} "
        f"{run['reach_1']:6.1f} {run['preview_err']:6.2f} {run['edit_s']:6.1f}s",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="lite,full")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"any of {','.join(TOOLS)}")
    parser.add_argument("--full-tools", help="tools for the full size (default: --tools)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    bands = "  ".join(f"{band_label(b):>12}" for b in BANDS)
    print(f"size tool       halo objective {bands}  beyond reach1 prev_e   edit   (band: max/p99.9 grey levels)")
    results: dict[str, object] = {
        "command": "python benchmarks/halo_reach.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "image": str(IMAGE.relative_to(IMAGE.parents[2])),
        "region_xywh": list(REGION_XYWH),
        "budget": {"steps": STEPS, "patience": 0, "other": "Budget defaults"},
        "tools": {name: repr(tool) for name, tool in TOOLS.items()},
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu, {args.threads} thread(s)",
        "torch": torch.__version__,
        "load_average_1min": {"start": os.getloadavg()[0]},
        "notes": [],
        "sizes": {},
    }
    if args.full_tools:
        results["notes"].append(f"full size: tools {args.full_tools} only, to bound the CPU time")
    for size in args.sizes.split(","):
        names = (args.full_tools if size == "full" and args.full_tools else args.tools).split(",")
        results["sizes"][size] = study(size, names, device)
    results["load_average_1min"]["end"] = os.getloadavg()[0]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
