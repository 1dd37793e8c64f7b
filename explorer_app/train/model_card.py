"""Write a decoder's model card from the training log stored in its weights and a validation report.

    python -m explorer_app.train.model_card --models models --report validation.json --hardware "..." \
        --data "..." [--curves runs/full/loss_curves.png]
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from safetensors import safe_open

from ..decoder.registry import ModelFiles, shipped_models

PURPOSE = {
    "faithful": "L1-trained decoder (paper's initialisation phase): the lowest distortion; default of `decode`.",
    "explorable": "adversarially trained decoder (paper 3.3): natural-looking outputs that change with z; "
                  "default of the GUI and of `digits`.",
}


def training_log(files: ModelFiles) -> list[dict]:
    with safe_open(str(files.shards[0]), "pt") as handle:
        return json.loads(handle.metadata().get("training", "[]"))


def card_text(files: ModelFiles, report: dict, hardware: str, data: str) -> str:
    config = json.loads(safe_open(str(files.shards[0]), "pt").metadata()["config"])
    log = training_log(files)
    lines = [f"# {files.name}-{files.size}", "", PURPOSE[files.name], "",
             "## Architecture",
             f"Luma net {config['luma_depth']} controlled layers × {config['luma_width']} channels, chroma net "
             f"{config['chroma_depth']} × {config['chroma_width']} (paper 3.2 and 4.2), z of 64 channels "
             "concatenated into every layer, Δ = 0.98·(sigmoid − ½). Weights stored in fp16, "
             f"{files.total_bytes() / 2**20:.1f} MiB in {len(files.shards)} file(s); sha256 of the files "
             f"{files.sha256()}.", "",
             "## Training", f"Data: {data}", f"Hardware: {hardware}", "",
             "| phase | steps | patches (128×128) | seconds | final loss |", "|---|---|---|---|---|"]
    for entry in log:
        final = ", ".join(f"{k} {v:.4f}" for k, v in entry["final"].items())
        lines.append(f"| {entry['phase']} | {entry['steps']} | {entry['patches']:,} | {entry['seconds']} | {final} |")
    lines += ["", "Compression on the fly: half paper tables M = 50·Q/QF with QF ~ U[5, 49], half IJG tables with "
              "QF ~ U[5, 95]; 4:2:0 70%, 4:4:4 15%, 4:2:2 15%. Adam 2e-4 with cosine decay (L1 phases); "
              "WGAN-GP (critic lr 1e-4, generator lr 2e-5, λ_range 200, λ_map 0.1, z* from 10 Adam steps).", "",
              "## Validation",
              f"{report.get('photos', 0)} held-out photos (whole images never seen in training), centre crops of at "
              f"most {report.get('max_side', 0)} px, written by libjpeg (Pillow) at each QF with 4:2:0 chroma. "
              "PSNR/SSIM in RGB against the photo; NIQE with the published pristine model (lower = more natural); "
              "consistent = the verified 16-bit export re-quantizes to every coefficient of the file.", "",
              "| QF | plain libjpeg PSNR | this model PSNR | gain (dB) | SSIM plain → model | NIQE plain → model | "
              "consistent |", "|---|---|---|---|---|---|---|"]
    label = f"{files.name}-{files.size}"
    for quality, table in report.get("results", {}).items():
        plain, ours = table.get("plain libjpeg"), table.get(label)
        if plain is None or ours is None:
            continue
        lines.append(f"| {quality} | {plain['psnr']:.2f} | {ours['psnr']:.2f} | {ours['psnr'] - plain['psnr']:+.2f} | "
                     f"{plain['ssim']:.4f} → {ours['ssim']:.4f} | {plain['niqe']:.2f} → {ours['niqe']:.2f} | "
                     f"{ours['consistent'] * 100:.0f}% |")
        random_z = table.get(f"{label} (random z)")
        if random_z is not None:
            lines.append(f"| {quality} (random z) | | {random_z['psnr']:.2f} | {random_z['psnr'] - plain['psnr']:+.2f} | "
                         f"→ {random_z['ssim']:.4f} | → {random_z['niqe']:.2f} | {random_z['consistent'] * 100:.0f}% |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer_app.train.model_card")
    parser.add_argument("--models", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--hardware", required=True)
    parser.add_argument("--data", required=True)
    args = parser.parse_args(argv)
    report = json.loads(Path(args.report).read_text())
    for files in shipped_models(Path(args.models)):
        files.card.write_text(card_text(files, report, args.hardware, args.data))
        print(f"wrote {files.card}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
