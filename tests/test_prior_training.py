"""The prior phase: z = 0 stays the faithful decode exactly, z learns to carry what the file lost, random z
decodes stay consistent; and the validation report measures all of it on a pack."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from explorer_app.decoder.model import random_control
from explorer_app.decoder.registry import load_decoder, save_decoder
from explorer_app.train import validate
from explorer_app.train.compression import CompressionSampler, compress
from explorer_app.train.encoder import PosteriorEncoder, misses
from explorer_app.train.objectives import block_edge_excess, flat_grain_excess, l1
from explorer_app.train.phases import PriorPhase
from explorer_app.verify.reference_encoder import encode_normalized

from conftest import synthetic_photo, tiny_decoder


def _batch(count: int = 4, size: int = 32, seed: int = 0):
    rgb = torch.from_numpy(np.stack([synthetic_photo(size, size, seed=seed + i) for i in range(count)]))
    rgb = rgb.permute(0, 3, 1, 2).float()
    luma, chroma = CompressionSampler(paper_fraction=1.0).tables(count, np.random.default_rng(seed))
    return rgb, compress(rgb, luma, chroma, (2, 2))


def test_misses_of_the_true_offsets_are_zero() -> None:
    rgb, code = _batch()
    normalized = encode_normalized(rgb, code)
    exact = misses(rgb, code, normalized[0] - code.y_q, normalized[1] - code.c_q)
    assert exact.shape == (4, 192, 4, 4) and exact.abs().max() < 1e-4
    guessed = misses(rgb, code, torch.zeros_like(code.y_q), torch.zeros_like(code.c_q))
    assert guessed.abs().max() <= 0.5 + 1e-4 and guessed.abs().mean() > 0.05


def test_prior_phase_leaves_z_zero_unchanged_and_learns_to_read_z() -> None:
    torch.manual_seed(0)
    decoder = tiny_decoder(seed=2, head_scale=0.1)
    rgb, code = _batch()
    zero = torch.zeros(code.z_shape)
    with torch.no_grad():
        before = decoder.eval()(code, zero).image
    phase = PriorPhase(decoder, PosteriorEncoder(width=16, depth=2), lr_decoder=3e-3, lr_encoder=3e-3)
    first = phase.step(rgb, code, 0.0)
    for _ in range(60):
        last = phase.step(rgb, code, 0.01)
    with torch.no_grad():
        after = decoder(code, zero).image
        random = decoder(code, torch.randn(code.z_shape))
    assert torch.equal(before, after), "z = 0 must stay the decoder it started from"
    assert last["l1_posterior"] < 0.95 * first["l1_posterior"]
    assert last["l1_posterior"] < last["l1_zero"], "z from the encoder must beat z = 0"
    assert random.delta_y.abs().max() < 0.5 and random.delta_c.abs().max() < 0.5


def test_naturalness_penalties_see_block_edges_and_flat_grain() -> None:
    rgb, _ = _batch(2, 64)
    blocks = rgb + torch.kron(torch.randn(2, 1, 8, 8) * 10, torch.ones(8, 8))
    assert block_edge_excess(blocks) > 2 * block_edge_excess(rgb)
    assert flat_grain_excess(rgb, rgb) == 0
    assert flat_grain_excess(rgb + torch.randn_like(rgb) * 5, rgb) > 0
    assert l1(rgb, rgb) == 0


def _tiny_pack(folder: Path) -> Path:
    entries = []
    (folder / "val").mkdir(parents=True)
    for index in range(2):
        name = f"val/photo{index}.jpg"
        Image.fromarray(synthetic_photo(96, 112, seed=10 + index)).save(folder / name, quality=95, subsampling=0)
        entries.append({"file": name, "split": "val", "size": [112, 96]})
    (folder / "manifest.json").write_text(json.dumps({"images": entries}))
    return folder


def test_validation_report_measures_reach_spread_and_artifacts(tmp_path: Path) -> None:
    models = tmp_path / "models"
    explorable = tiny_decoder(seed=3, head_scale=0.3)
    explorable.sample_temperature = 0.5
    explorable.texture_exponent = 1.25
    save_decoder(tiny_decoder(seed=1, head_scale=0.3), models, "faithful", "tiny")
    save_decoder(explorable, models, "explorable", "tiny")
    loaded = load_decoder("explorable", "tiny", models)
    assert (loaded.sample_temperature, loaded.texture_exponent) == (0.5, 1.25)
    out = tmp_path / "report.json"
    assert (
        validate.main(
            [
                "--pack",
                str(_tiny_pack(tmp_path / "pack")),
                "--out",
                str(out),
                "--models",
                str(models),
                "--sizes",
                "tiny",
                "--qualities",
                "10",
                "--seeds",
                "2",
                "--reach-steps",
                "30",
                "--sheets",
                str(tmp_path / "sheets"),
            ]
        )
        == 0
    )
    report = json.loads(out.read_text())
    table = report["results"]["10"]
    assert report["temperature"] == {"explorable-tiny": 0.5}
    assert {
        "true photo",
        "plain libjpeg",
        "faithful-tiny",
        "explorable-tiny",
        "explorable-tiny (random z)",
        "explorable-tiny (reach)",
    } <= set(table)
    assert table["true photo"]["grain_ratio"] == 1.0 and table["plain libjpeg"]["blockiness"] > 1.0
    assert table["explorable-tiny (random z)"]["mean_abs_difference"] > 0
    assert table["explorable-tiny (reach)"]["psnr"] > table["explorable-tiny"]["psnr"]
    assert all(row["consistent"] == 1.0 for row in table.values())
    assert Image.open(tmp_path / "sheets" / "sheet_qf10.png").size[0] > 1000


def test_random_z_follows_the_learnt_prior_and_the_temperature() -> None:
    from dataclasses import replace

    from explorer_app.decoder.model import JpegDecoder

    _, code = _batch(1)
    plain = tiny_decoder(seed=6)
    noise = random_control(code, 7)
    assert torch.equal(plain.sample_control(code, noise), noise)
    plain.sample_temperature = 0.5
    assert torch.allclose(plain.sample_control(code, noise), 0.5 * noise)
    learnt = JpegDecoder(replace(plain.size, learned_prior=True))
    with torch.no_grad():
        learnt.prior.body[2].bias.fill_(-30.0)  # σ at its floor everywhere: the file fixes everything
    assert torch.allclose(learnt.sample_control(code, noise), 0.02 * noise, atol=1e-6)


def test_training_command_runs_every_phase_and_says_when_a_run_is_complete(tmp_path: Path, capsys) -> None:
    from explorer_app.cli.main import main

    pack = tmp_path / "pack"
    (pack / "train").mkdir(parents=True)
    entries = []
    for index in range(2):
        name = f"train/photo{index}.jpg"
        Image.fromarray(synthetic_photo(64, 64, seed=20 + index)).save(pack / name, quality=95, subsampling=0)
        entries.append({"file": name, "split": "train", "size": [64, 64]})
    (pack / "manifest.json").write_text(json.dumps({"images": entries}))
    args = [
        "train",
        "--pack",
        str(pack),
        "--out",
        str(tmp_path / "run"),
        "--size",
        "8,1,8,1",
        "--batch",
        "2",
        "--patch",
        "32",
        "--pool",
        "8",
        "--luma-steps",
        "2",
        "--chroma-steps",
        "2",
        "--prior-steps",
        "2",
        "--threads",
        "1",
    ]
    assert main(args) == 0
    for name in ("faithful", "explorable"):
        assert load_decoder(name, "custom", tmp_path / "run" / "models").size.luma_width == 8
    capsys.readouterr()
    assert main(args) == 0
    assert "is complete" in capsys.readouterr().out


def test_a_decoder_with_a_learnt_prior_starts_from_the_faithful_weights(tmp_path: Path) -> None:
    from dataclasses import replace

    from explorer_app.decoder.model import JpegDecoder
    from explorer_app.train.warm_start import start_from_faithful

    save_decoder(tiny_decoder(seed=4, head_scale=0.3), tmp_path, "faithful", "tiny")
    faithful = load_decoder("faithful", "tiny", tmp_path)
    learnt = JpegDecoder(replace(faithful.size, learned_prior=True)).eval()
    start_from_faithful(learnt, tmp_path, "tiny")
    _, code = _batch(2)
    zero, z = torch.zeros(code.z_shape), torch.randn(code.z_shape)
    with torch.no_grad():
        assert torch.equal(learnt(code, zero).image, faithful(code, zero).image)
        assert torch.equal(learnt(code, z).image, faithful(code, z).image)  # the nets read z as it is
    save_decoder(learnt, tmp_path, "explorable", "tiny")
    loaded = load_decoder("explorable", "tiny", tmp_path)
    assert loaded.size.learned_prior and loaded.prior is not None


def test_shipping_records_the_temperature_and_origin_and_the_card_shows_the_figures(tmp_path: Path) -> None:
    from explorer_app.decoder.registry import find_model
    from explorer_app.train import model_card, ship

    run = tmp_path / "run"
    save_decoder(
        tiny_decoder(seed=5),
        run,
        "explorable",
        "tiny",
        {
            "training": json.dumps(
                [{"phase": "prior", "steps": 3, "seconds": 1.0, "patches": 12, "final": {"l1_zero": 0.02}}]
            )
        },
    )
    save_decoder(tiny_decoder(seed=1), tmp_path / "shipped", "faithful", "tiny")
    faithful = tmp_path / "shipped" / "faithful-tiny.safetensors"
    assert (
        ship.main(
            [
                "--weights",
                str(run / "explorable-tiny.safetensors"),
                "--name",
                "explorable",
                "--size",
                "tiny",
                "--temperature",
                "0.6",
                "--started-from",
                str(faithful),
                "--models",
                str(tmp_path / "shipped"),
            ]
        )
        == 0
    )
    assert load_decoder("explorable", "tiny", tmp_path / "shipped").sample_temperature == 0.6
    row = {"psnr": 28.0, "ssim": 0.8, "blockiness": 1.2, "grain_ratio": 1.1, "niqe": 7.0, "consistent": 1.0}
    report = {
        "photos": 2,
        "max_side": 96,
        "reach_steps": 100,
        "temperature": {"explorable-tiny": 0.6},
        "results": {
            "10": {
                "plain libjpeg": {**row, "psnr": 27.0, "blockiness": 2.7},
                "explorable-tiny": row,
                "explorable-tiny (random z)": {**row, "textured_abs_difference": 2.0, "flat_abs_difference": 0.4},
                "explorable-tiny (reach)": {**row, "psnr": 30.0},
            }
        },
    }
    text = model_card.card_text(find_model("explorable", "tiny", tmp_path / "shipped"), report, "a CPU", "a pack")
    assert "T = 0.6" in text and "faithful-tiny.safetensors" in text and "| prior |" in text
    assert "| 10 | random z (T = 0.6) | 28.00 | +1.00 |" in text and "2.00 / 0.40" in text
    assert "| 10 | reach | 30.00 | +3.00 |" in text


def test_flat_l1_only_sees_where_the_truth_is_flat() -> None:
    from explorer_app.train.objectives import flat_l1, flat_mask

    rgb, _ = _batch(2, 64)
    flat = flat_mask(rgb)
    assert abs(float(flat.mean()) - 0.25) < 0.05
    assert flat_l1(rgb + 10.0 * (1 - flat), rgb) == 0
    assert abs(float(flat_l1(rgb + 10.0 * flat, rgb)) * 255 - 10.0) < 1e-3


def test_kl_against_the_learnt_prior_vanishes_when_the_posterior_is_the_prior() -> None:
    from explorer_app.train.encoder import kl_per_block

    sigma = torch.rand(2, 64, 3, 3) * 0.9 + 0.05
    zero = torch.zeros_like(sigma)
    assert float(kl_per_block(zero, 2 * sigma.log(), sigma)) < 1e-4
    assert float(kl_per_block(zero, zero)) == 0.0
    assert float(kl_per_block(zero + 1.0, zero, sigma)) > float(kl_per_block(zero + 1.0, zero))


def test_random_z_gets_more_room_where_ac_coefficients_survive(tmp_path: Path) -> None:
    """decoder/texture_prior.py: a block whose neighbourhood keeps no AC coefficient gets the prior's σ
    times the file's step factor only, one among blocks that keep many a larger one, by (1 + mean
    count)^exponent; exponent 0 (the default, and every model saved before it existed) leaves the prior
    alone."""
    from explorer_app.codec import read_jpeg
    from explorer_app.decoder.code_tensors import CodeTensors
    from explorer_app.decoder.texture_prior import REFERENCE_STEP, surviving_ac, texture_scale

    pixels = np.full((64, 64, 3), 120, np.uint8)
    pixels[:24, :24] = synthetic_photo(24, 24, seed=4)  # texture in the top-left 3 × 3 blocks only
    Image.fromarray(pixels).save(tmp_path / "half.jpg", quality=30, subsampling=0)
    code = CodeTensors.from_code(read_jpeg(tmp_path / "half.jpg"))
    counts = surviving_ac(code)[0, 0]
    assert float(counts[1, 1]) > 4 and float(counts[6, 6]) == 0.0
    scale = texture_scale(code, 1.5)[0, 0]
    step = float(code.y_table[0, 1:].mean()) / REFERENCE_STEP  # a coarser file leaves more room
    assert torch.allclose(scale, (1 + counts) ** 1.5 * step) and float(scale[6, 6]) == pytest.approx(step)
    assert torch.equal(texture_scale(code, 0.0), torch.ones_like(texture_scale(code, 1.5)))
    decoder = tiny_decoder(seed=2)
    noise = random_control(code, 0)
    plain = decoder.sample_control(code, noise)
    decoder.texture_exponent = 1.5
    scaled = decoder.sample_control(code, noise)
    assert torch.allclose(scaled, plain * scale)
    assert torch.allclose(scaled[..., 6, 6], plain[..., 6, 6] * step)
