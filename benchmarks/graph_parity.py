"""Every tool, replayed from a CUDA graph and launched eagerly: same result, both consistent, how fast.

    python benchmarks/graph_parity.py --device cuda --size full [--json OUT.json]

On the bundled example photo, each tool edits a 128×128-px region (50 Adam steps, no early stop) twice
from the same session state: once with the engine's default stepping (on a GPU: two eager steps, then
one captured graph replayed) and once with ``Budget(graph=False)`` (every step launched from Python).
Reports per tool: final loss of both, the largest pixel difference between the two results (two runs
of the same edit drift apart by a few grey levels anyway: the optimisation is sensitive to rounding),
both wall times, how far the graphed run's live preview (bfloat16 on a GPU) lay from the committed
float32 image inside the region, and the verification of the graphed result's export (re-compressed
under the file's tables: the fraction of coefficients that come back identical). On a CPU both runs are eager, which
makes this a smoke test of the script.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from explorer_app.cli.digits_command import load_digit_classifier
from explorer_app.decoder.selection import choose_decoder
from explorer_app.engine import Budget, Session, regions, run_to_end, tools
from explorer_app.engine.tools.base import Tool
from explorer_app.resources import example_jpeg

BOX = (192, 160, 128, 128)
"""(x, y, width, height) of the edited region in the 512×512 example."""


def tool_set(session: Session) -> dict[str, Tool]:
    """One instance of every tool, parameterised for the example photo's region."""
    x, y, _, _ = BOX
    reference = regions.rectangle(session.shape, 40, 40, 96, 96)
    stroke = tools.Stroke("pen", ((x + 10, y + 20), (x + 100, y + 90), (x + 60, y + 110)), width=4.0)
    return {
        "brightness": tools.Brightness(amount=25.0),
        "hue_saturation": tools.HueSaturation(hue_degrees=60.0, saturation=1.5),
        "scribble": tools.Scribble((stroke,), color=(255.0, 40.0, 40.0)),
        "imprint": tools.Imprint.from_image(session.image, (300, 300, 64, 64), (x + 64, y + 64)),
        "variance": tools.Variance(factor=2.0),
        "total_variation": tools.TotalVariation(),
        "periodic": tools.Periodic(periods=((0.0, 8.0),)),
        "imitate_histogram": tools.ImitateHistogram(reference),
        "imitate_patches": tools.ImitatePatches(reference),
        "alternatives": tools.Alternatives(count=4),
        "digit_hypotheses": tools.GlyphHypotheses(load_digit_classifier().to(session.device), (x + 50, y + 40, 24, 32)),
    }


def timed_edit(session: Session, tool: Tool, region: regions.Region, graph: bool) -> tuple[object, float]:
    if session.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = run_to_end(session.edit(tool, region, Budget(steps=50, patience=0, graph=graph)))
    if session.device.type == "cuda":
        torch.cuda.synchronize()
    return result, time.perf_counter() - start


def compare(session: Session, name: str, tool: Tool, folder: Path) -> dict[str, object]:
    region = regions.rectangle(session.shape, *BOX)
    graphed, graphed_s = timed_edit(session, tool, region, graph=True)
    eager, eager_s = timed_edit(session, tool, region, graph=False)
    difference = (graphed.preview - eager.preview).abs().max()
    patch = session.candidate_patch(graphed, 0)
    rows, cols = graphed.window.pixels(*session.shape)
    committed = session.patched_output(patch).image[:, :, rows, cols]
    inside = torch.from_numpy(region.mask[rows, cols]).to(committed.device)
    preview_error = (graphed.preview[:1] - committed).abs().amax(1)[0][inside].max()
    report = session.export(folder / f"{name}.png", patch=patch)
    return {
        "loss_graphed": [round(v, 5) for v in graphed.loss.tolist()],
        "loss_eager": [round(v, 5) for v in eager.loss.tolist()],
        "max_preview_difference": round(float(difference), 4),
        "preview_vs_committed_in_region": round(float(preview_error), 4),
        "graphed_s": round(graphed_s, 3),
        "eager_s": round(eager_s, 3),
        "verified": report.verified,
        "identical_fraction": [
            round(c.identical_fraction, 6)  # the reference encoder's
            for c in next(e for e in report.encoders if e.key == "reference").components
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--size", default="full", choices=("full", "lite"))
    parser.add_argument("--json")
    args = parser.parse_args()
    device = torch.device(args.device)
    decoder = choose_decoder("explorable", args.size, device).decoder
    session = Session.open(example_jpeg(), decoder, device)
    results: dict[str, object] = {
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "model": decoder.name,
    }
    with tempfile.TemporaryDirectory() as folder:
        for name, tool in tool_set(session).items():
            results[name] = compare(session, name, tool, Path(folder))
            print(name, results[name], flush=True)
    worst = max(float(np.max(r["max_preview_difference"])) for r in results.values() if isinstance(r, dict))
    results["worst_preview_difference"] = worst
    print(
        "all verified:", all(r["verified"] for r in results.values() if isinstance(r, dict)), "worst difference:", worst
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
