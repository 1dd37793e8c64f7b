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
    "explorable": "the exploration model, default of the GUI and of `digits`: z = 0 is the faithful decode bit "
    "for bit, random z (at this model's sampling temperature) gives natural alternatives, and z "
    "can reach far towards the real photo (prior phase, docs/decoder.md).",
}
RECIPE = {
    "luma": "L1 of the luma plane, z = 0; Adam 2e-4, cosine decay",
    "chroma": "L1 of the chroma planes, z = 0; Adam 2e-4, cosine decay",
    "prior": "only the z weights and the learnt prior σ(X_Q) learn (z = 0 frozen): L1 of decodes at z from a "
    "posterior encoder + 1e-4·KL to N(0, σ²) + (L1 where the photo is flat + 4·block-edge excess + "
    "12·flat-grain excess) of decodes at random z + 200·L_range (PriorPhase's defaults); Adam 2e-4 (decoder) "
    "and 3e-4 (encoder), cosine decay",
    "adversarial": "WGAN-GP (critic lr 1e-4, generator lr 2e-5) + 200·L_range + 0.1·L_map, z* from 10 Adam steps",
}


def metadata(files: ModelFiles) -> dict[str, str]:
    with safe_open(str(files.shards[0]), "pt") as handle:
        return handle.metadata() or {}


def training_log(files: ModelFiles) -> list[dict]:
    return json.loads(metadata(files).get("training", "[]"))


def _figures(row: dict, plain: dict) -> str:
    spread = (
        f"{row['textured_abs_difference']:.2f} / {row['flat_abs_difference']:.2f}"
        if "textured_abs_difference" in row
        else ""
    )
    return (
        f"{row['psnr']:.2f} | {row['psnr'] - plain['psnr']:+.2f} | {row['ssim']:.4f} | {row['blockiness']:.2f} | "
        f"{row['grain_ratio']:.2f} | {spread} | {row['niqe']:.2f} | {row['consistent'] * 100:.0f}% |"
    )


def validation_table(label: str, report: dict) -> list[str]:
    """Markdown rows: per QF, libjpeg, then this model at z = 0, at random z and at its reach."""
    lines = [
        "| QF | decode | PSNR (dB) | vs libjpeg | SSIM | blockiness | flat grain ÷ truth | "
        "seeds differ, textured / flat | NIQE | consistent |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    temperature = report.get("temperature", {}).get(label)
    for quality, table in report.get("results", {}).items():
        plain = table.get("plain libjpeg")
        if plain is None or label not in table:
            continue
        lines.append(f"| {quality} | plain libjpeg | {_figures(plain, plain)}")
        for suffix, name in (("", "z = 0"), (" (random z)", f"random z (T = {temperature})"), (" (reach)", "reach")):
            if f"{label}{suffix}" in table:
                lines.append(f"| {quality} | {name} | {_figures(table[f'{label}{suffix}'], plain)}")
    return lines


def card_text(files: ModelFiles, report: dict, hardware: str, data: str) -> str:
    meta = metadata(files)
    config = json.loads(meta["config"])
    log = training_log(files)
    gate = (
        ", and a learnt prior: random z ~ N(0, (T·σ(X_Q))²), σ per block and channel from two 1×1 convolutions"
        if config.get("learned_prior")
        else ""
    )
    lines = [
        f"# {files.name}-{files.size}",
        "",
        PURPOSE[files.name],
        "",
        "## Architecture",
        f"Luma net {config['luma_depth']} controlled layers × {config['luma_width']} channels, chroma net "
        f"{config['chroma_depth']} × {config['chroma_width']} (paper 3.2 and 4.2), z of 64 channels "
        f"concatenated into every layer, Δ = 0.98·(sigmoid − ½){gate}. Weights stored in fp16, "
        f"{files.total_bytes() / 2**20:.1f} MiB in {len(files.shards)} file(s); sha256 of the files "
        f"{files.sha256()}. Sampling temperature T = {meta.get('sample_temperature', '1.0')}, texture exponent "
        f"{meta.get('texture_exponent', '0.0')} (decoder/texture_prior.py).",
        "",
        "## Training",
        f"Data: {data}",
        f"Hardware: {hardware}",
        "",
    ]
    if "started_from" in meta:
        origin = json.loads(meta["started_from"])
        lines += [
            f"Started from `{origin['file']}` (sha256 {origin['sha256']}): its L1 phases are in its own card, "
            "and its decode is this model's z = 0, bit for bit.",
            "",
        ]
    lines += ["| phase | recipe | steps | patches | seconds | final loss |", "|---|---|---|---|---|---|"]
    for entry in log:
        final = ", ".join(f"{k} {v:.4f}" for k, v in entry["final"].items())
        lines.append(
            f"| {entry['phase']} | {RECIPE.get(entry['phase'], '')} | {entry['steps']} | "
            f"{entry['patches']:,} | {entry['seconds']} | {final} |"
        )
    lines += [
        "",
        "Compression on the fly: half paper tables M = 50·Q/QF with QF ~ U[5, 49], half IJG tables with "
        "QF ~ U[5, 95]; 4:2:0 70%, 4:4:4 15%, 4:2:2 15%.",
        "",
        "## Validation",
        f"{report.get('photos', 0)} held-out photos (whole images never seen in training), centre crops of at "
        f"most {report.get('max_side', 0)} px, written by libjpeg (Pillow) at each QF with 4:2:0 chroma "
        "(`python -m explorer_app.train.validate`; the figures are defined in docs/decoder.md). Blockiness: "
        "luma steps across block edges ÷ inside (a photo ≈ 1.0). Flat grain: fine detail where the photo is "
        "flattest ÷ the photo's own. Seeds differ: mean |difference| in grey levels between random decodes, "
        "in the most and least textured quarters of the photo. Reach: the decode at z* from "
        f"{report.get('reach_steps', 0)} Adam steps on L1 to the photo. NIQE: no-reference, lower = "
        "'more natural', fooled by grain: never the judge alone. Consistent: the verified 16-bit export "
        "re-quantizes to every coefficient of the file.",
        "",
    ]
    lines += validation_table(f"{files.name}-{files.size}", report)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer_app.train.model_card")
    parser.add_argument("--models", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--hardware", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated name-size labels (default: every shipped "
        "model); models trained elsewhere keep their cards",
    )
    args = parser.parse_args(argv)
    report = json.loads(Path(args.report).read_text())
    only = {label for label in args.only.split(",") if label}
    for files in shipped_models(Path(args.models)):
        if only and f"{files.name}-{files.size}" not in only:
            continue
        files.card.write_text(card_text(files, report, args.hardware, args.data))
        print(f"wrote {files.card}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
