"""Verified export: decoder output with a random Δ → PNG that re-encodes to the file's own coefficients (the
reference encoder at 16 bits, libjpeg's own pipeline at 8 bits, checked with Pillow's real libjpeg too);
honest figures where 8 bits cannot get there; broken outputs and tampered PNGs caught; pair writes that never
touch the source."""

from __future__ import annotations

import io
import json
import os
from dataclasses import replace

import cv2
import numpy as np
import pytest
import torch

from explorer_app.codec import read_jpeg
from explorer_app.codec.tables import CHROMA_BASE, LUMA_BASE, ijg_table
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import random_control
from explorer_app.decoder.output import DecoderOutput
from explorer_app.engine import Session
from explorer_app.export.exporter import ExportError, export_verified, report_path
from explorer_app.verify.png_io import read_png
from explorer_app.verify.report import EncoderFigures, VerificationReport
from explorer_app.verify.verifier import verify_file

from conftest import independently_consistent, make_file, synthetic_photo, tiny_decoder, write_jpeg


def figures(report: VerificationReport, key: str) -> EncoderFigures:
    """The figures of the encoder whose report key is ``key`` ("libjpeg" or "reference")."""
    return next(e for e in report.encoders if e.key == key)


def libjpeg_reproduces(png_path, jpeg_path) -> bool:
    """The real libjpeg (Pillow), given the file's tables and sampling, writes exactly the file's coefficients
    from the PNG: the check any analyst can run with any tool."""
    code = read_jpeg(jpeg_path)
    image, bit_depth = read_png(png_path)
    assert bit_depth == 8
    pixels = image.astype(np.uint8)
    pixels = pixels[:, :, 0] if pixels.shape[2] == 1 else pixels
    options = {"qtables": [t.ravel().tolist() for t in code.tables[:2]]}
    if code.is_color:
        options["subsampling"] = {(1, 1): 0, (1, 2): 1, (2, 2): 2}[code.chroma_factor]
    buffer = io.BytesIO()
    from PIL import Image

    Image.fromarray(pixels).save(buffer, format="JPEG", **options)
    again = png_path.parent / "again.jpg"
    again.write_bytes(buffer.getvalue())
    return all(np.array_equal(a, b) for a, b in zip(read_jpeg(again).coefficients, code.coefficients, strict=True))


def decoder_output(code, seed: int = 0) -> DecoderOutput:
    """A random tiny decoder's output at a random z: Δ spread over most of (−½, ½)."""
    tensors = CodeTensors.from_code(code)
    with torch.no_grad():
        return tiny_decoder(seed)(tensors, random_control(tensors, seed))


# (height, width, sampling or "grey", quality or "custom", seed): the qualities span 5..95
ROUND_TRIPS = [
    (301, 197, "4:2:0", 30, 1),
    (301, 197, "grey", 75, 2),
    (17, 9, "4:2:0", 5, 3),
    (17, 9, "grey", 95, 4),
    (48, 64, "4:4:4", 95, 5),
    (40, 72, "4:2:2", 50, 6),
    (33, 47, "4:2:0", 90, 7),
    (56, 40, "4:4:4", "custom", 8),
    (35, 61, "4:2:2", "custom", 9),
    (24, 32, "grey", "custom", 10),
    (64, 48, "4:2:0", 12, 11),
]


@pytest.mark.parametrize("case", ROUND_TRIPS, ids=[f"{w}x{h}-{s}-q{q}" for h, w, s, q, _ in ROUND_TRIPS])
def test_random_delta_export_at_16_bits_is_fully_consistent(tmp_path, case):
    code = read_jpeg(make_file(tmp_path, *case))
    output = decoder_output(code, seed=case[-1])
    assert float(output.delta_y.abs().max()) > 0.4  # a real exploration, not the plain decode
    report = export_verified(output, code, tmp_path / "out.png", bit_depth=16)
    assert report.verified and report.reproduced_by == ["reference"]
    assert all(c.identical == c.total for c in figures(report, "reference").components)
    assert len(figures(report, "reference").components) == (3 if code.is_color else 1)
    assert not figures(report, "libjpeg").applies  # 16-bit samples between the 8-bit values
    assert independently_consistent(tmp_path / "out.png", code)
    assert read_png(tmp_path / "out.png")[1] == 16
    assert json.loads(report_path(tmp_path / "out.png").read_text())["verified"] is True


EIGHT_BIT = [
    (48, 64, "4:2:0", 30, 12),
    (40, 40, "grey", 10, 13),
    (41, 30, "4:2:0", 20, 8),
    (37, 53, "4:4:4", 75, 3),
    (35, 61, "4:2:2", 50, 9),
    (32, 48, "4:2:0", 90, 7),
]
"""Sizes not multiples of the MCU, except at quality 90: there an edge MCU cut to one row leaves 8-bit samples
almost no room (docs/verification.md)."""


@pytest.mark.parametrize("case", EIGHT_BIT, ids=[f"{w}x{h}-{s}-q{q}" for h, w, s, q, _ in EIGHT_BIT])
def test_8_bit_export_is_reproduced_by_libjpeg_itself(tmp_path, case):
    """Repaired for libjpeg's integer pipeline: Pillow's real libjpeg re-encodes the PNG to the very file,
    edge MCUs included."""
    jpeg = make_file(tmp_path, *case)
    code = read_jpeg(jpeg)
    report = export_verified(decoder_output(code, case[-1]), code, tmp_path / "out.png", bit_depth=8)
    assert report.verified and "libjpeg" in report.reproduced_by
    assert read_png(tmp_path / "out.png")[1] == 8
    assert libjpeg_reproduces(tmp_path / "out.png", jpeg)


def test_a_coefficient_on_a_rounding_tie_counts_as_broken_while_a_margin_is_in_force():
    """The float reference encoder decides an exact tie by its own float error, so its repair keeps clear of
    ties until the last, margin-free round; libjpeg's integers decide ties exactly, so no guard there."""
    from explorer_app.export.stored import guard_for, outside
    from explorer_app.ops.quantization import round_half_away
    from explorer_app.verify.encoders import LIBJPEG, REFERENCE

    quantized = torch.tensor([0.0, 3.0, -3.0, 2.0], dtype=torch.float64)
    normalized = quantized + torch.tensor([0.5 - 1e-13, -0.5 + 1e-13, 0.5 - 1e-13, 0.4], dtype=torch.float64)
    assert torch.equal(round_half_away(normalized), quantized)  # the float encoder calls all four consistent
    assert outside(normalized, quantized, guard_for(REFERENCE, 0.01)).tolist() == [True, True, True, False]
    assert not outside(normalized, quantized, guard_for(REFERENCE, 0.0)).any()  # the last round accepts ties
    assert not outside(normalized, quantized, guard_for(LIBJPEG, 0.01)).any()


def test_8_bit_export_of_a_quality_100_file_says_it_is_not_verified_and_what_to_do(tmp_path):
    """Steps of 1 everywhere: per block essentially one 8-bit image (the original) quantizes to the file, and
    the repair cannot find it from the decoder's output. The report must say so and recommend 16 bits, rather
    than claim success (how fast it says so: benchmarks/latency.py)."""
    jpeg = make_file(tmp_path, 48, 64, "4:4:4", 100, 5)
    code = read_jpeg(jpeg)
    report = export_verified(decoder_output(code, 5), code, tmp_path / "out.png", bit_depth=8)
    assert not report.verified and not report.reproduced_by
    assert not libjpeg_reproduces(tmp_path / "out.png", jpeg)  # the claim matches the file
    assert "--bit-depth 16" in report.remedy
    assert figures(report, "libjpeg").mismatched_blocks > 0 and figures(report, "libjpeg").misses
    saved = json.loads(report_path(tmp_path / "out.png").read_text())
    assert saved["verified"] is False and saved["remedy"] == report.remedy
    assert report.summary().startswith("NOT VERIFIED: no encoder reproduces the file")


def test_left_to_choose_the_export_is_8_bit_when_libjpeg_reproduces_it_else_16_bit(tmp_path):
    coarse = read_jpeg(make_file(tmp_path, 48, 64, "4:2:0", 30, 12))
    assert export_verified(decoder_output(coarse, 1), coarse, tmp_path / "coarse.png", bit_depth=None).verified
    assert read_png(tmp_path / "coarse.png")[1] == 8
    fine = read_jpeg(make_file(tmp_path, 48, 64, "4:4:4", 100, 5))
    report = export_verified(decoder_output(fine, 5), fine, tmp_path / "fine.png", bit_depth=None)
    assert report.verified and report.reproduced_by == ["reference"] and read_png(tmp_path / "fine.png")[1] == 16


def test_report_names_the_source_its_tables_and_every_encoder(tmp_path):
    path = make_file(tmp_path, 32, 48, "4:2:0", 40, 14)
    code = read_jpeg(path)
    report = export_verified(
        decoder_output(code),
        code,
        tmp_path / "out.png",
        model={"name": "tiny", "size": "lite", "sha256": "0" * 64},
        history=[{"tool": "decode", "seed": 0}],
    ).as_dict()
    import hashlib

    assert report["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report["source"]["tables"]["Y"] == ijg_table(LUMA_BASE, 40).tolist()
    assert report["source"]["tables"]["Cb"] == ijg_table(CHROMA_BASE, 40).tolist()
    assert report["source"]["estimated_ijg_quality"] == 40
    assert [e["encoder"] for e in report["encoders"]] == ["libjpeg", "reference"]
    assert report["reproduced_by"] == ["reference"] and report["verdict"].startswith("VERIFIED: the reference")
    for encoder in report["encoders"]:
        assert encoder["title"] and "applies" in encoder and "reproduces" in encoder
    reference = report["encoders"][1]
    assert [c["name"] for c in reference["components"]] == ["Y", "Cb", "Cr"] and reference["identical_fraction"] == 1
    assert [r["component"] for r in reference["room"]] == ["Y", "Cb", "Cr"]
    assert report["image"]["sha256"] == hashlib.sha256((tmp_path / "out.png").read_bytes()).hexdigest()
    assert report["model"]["name"] == "tiny" and report["history"] == [{"tool": "decode", "seed": 0}]


# --- broken decoders and tampered files are caught ------------------------------------------------------------


def test_delta_outside_half_a_step_is_refused_and_nothing_is_written(tmp_path):
    code = read_jpeg(make_file(tmp_path, 32, 32, "4:2:0", 50, 15))
    output = decoder_output(code)
    output = replace(output, delta_y=torch.full_like(output.delta_y, 0.8))
    with pytest.raises(ExportError, match="outside their quantization interval"):
        export_verified(output, code, tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists() and not report_path(tmp_path / "out.png").exists()


def test_chroma_delta_outside_half_a_step_is_refused(tmp_path):
    code = read_jpeg(make_file(tmp_path, 32, 32, "4:2:0", 50, 16))
    output = decoder_output(code)
    output = replace(output, delta_c=output.delta_c.clone())
    output.delta_c[0, 70, 1, 1] = -0.55
    with pytest.raises(ExportError, match="1 chroma coefficients"):
        export_verified(output, code, tmp_path / "out.png")


@pytest.fixture
def verified_png(tmp_path):
    """A 16-bit PNG exported from a random-Δ decode, its JPEG and the JpegCode."""
    jpeg = make_file(tmp_path, 64, 80, "4:2:0", 50, 17)
    code = read_jpeg(jpeg)
    png = tmp_path / "out.png"
    assert export_verified(decoder_output(code), code, png).verified
    return png, jpeg, code


def _rewrite(png, change) -> None:
    pixels = cv2.imread(str(png), cv2.IMREAD_UNCHANGED)
    assert pixels.dtype == np.uint16
    cv2.imwrite(str(png), change(pixels))


def test_verify_cli_accepts_the_exported_png(verified_png, capsys):
    from explorer_app.cli.main import main

    png, jpeg, _ = verified_png
    assert main(["verify", str(png), str(jpeg)]) == 0
    assert capsys.readouterr().out.startswith("VERIFIED")


def test_verify_cli_rejects_a_blurred_png(verified_png, capsys):
    from explorer_app.cli.main import main

    png, jpeg, code = verified_png
    _rewrite(png, lambda p: cv2.GaussianBlur(p, (5, 5), 1.2))
    assert main(["verify", str(png), str(jpeg)]) == 1
    assert capsys.readouterr().out.startswith("NOT VERIFIED")
    assert not independently_consistent(png, code)


def test_verify_cli_rejects_a_png_with_one_changed_pixel_block(verified_png, capsys):
    from explorer_app.cli.main import main

    png, jpeg, _ = verified_png

    def paint(pixels):
        pixels[20:32, 30:42] = 60000  # a 12×12 light-grey patch
        return pixels

    _rewrite(png, paint)
    assert main(["verify", str(png), str(jpeg), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verified"] is False
    reference = report["encoders"][1]
    assert 0.9 < reference["identical_fraction"] < 1.0
    assert any(
        m["x"] + m["width"] >= 20 and m["x"] < 42 and m["y"] + m["height"] >= 12 and m["y"] < 32
        for m in reference["misses"]
    )  # the blocks named are those painted over


def test_verify_cli_rejects_the_png_against_another_jpeg(verified_png, tmp_path):
    from explorer_app.cli.main import main

    png, _, _ = verified_png
    other = write_jpeg(tmp_path / "other.jpg", synthetic_photo(64, 80, seed=99), quality=50)
    assert main(["verify", str(png), str(other)]) == 1


def test_plain_libjpeg_decode_is_judged_too(tmp_path):
    """verify judges any PNG: libjpeg's own 8-bit decode of a fine file is close to consistent, not exact."""
    from PIL import Image

    jpeg = make_file(tmp_path, 64, 80, "4:4:4", 90, 18)
    Image.open(jpeg).save(tmp_path / "plain.png")
    report = verify_file(tmp_path / "plain.png", read_jpeg(jpeg))
    for key in ("libjpeg", "reference"):
        components = figures(report, key).components
        assert 0.95 < sum(c.identical for c in components) / sum(c.total for c in components) < 1.0
    assert not report.verified


# --- atomic export ---------------------------------------------------------------------------------------------


def test_export_refuses_to_overwrite_the_source_jpeg(tmp_path):
    jpeg = make_file(tmp_path, 32, 32, "4:2:0", 50, 19)
    before = jpeg.read_bytes()
    code = read_jpeg(jpeg)
    with pytest.raises(ExportError, match="refusing to overwrite"):
        export_verified(decoder_output(code), code, jpeg)
    with pytest.raises(ExportError, match="refusing to overwrite"):
        export_verified(decoder_output(code), code, tmp_path / "." / "source.jpg")
    assert jpeg.read_bytes() == before


@pytest.mark.parametrize("name", ["report", "link", "hard link"])
def test_export_never_writes_over_its_input_under_any_name(tmp_path, name):
    """decode x.png.json -o x.png: the input is the output's report; a symbolic or hard link to the input."""
    jpeg = make_file(tmp_path, 32, 32, "4:2:0", 50, 19)
    code = read_jpeg(jpeg)
    before = jpeg.read_bytes()
    if name == "report":
        disguised = tmp_path / "x.png.json"
        jpeg.rename(disguised)
        code = read_jpeg(disguised)
        target = tmp_path / "x.png"
    else:
        target = tmp_path / "x.png"
        (target.symlink_to if name == "link" else target.hardlink_to)(jpeg)
    with pytest.raises(ExportError, match="refusing to overwrite"):
        export_verified(decoder_output(code), code, target)
    assert before in [p.read_bytes() for p in tmp_path.iterdir() if p.is_file()]
    assert all(p.read_bytes() == before for p in tmp_path.iterdir() if p.is_file())


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch, failing):
    code = read_jpeg(make_file(tmp_path, 32, 32, "4:2:0", 50, 20))
    output = decoder_output(code)
    (tmp_path / "out.png").write_bytes(b"previous export")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    report_path(tmp_path / "out.png").write_bytes(b"previous report")
    monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(OSError, match="No space left"):
        export_verified(output, code, tmp_path / "out.png")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png", "out.png.json", "source.jpg"]
    assert (tmp_path / "out.png").read_bytes() == b"previous export"
    assert report_path(tmp_path / "out.png").read_bytes() == b"previous report"


def test_a_report_that_cannot_be_written_leaves_no_png_either(tmp_path):
    code = read_jpeg(make_file(tmp_path, 32, 32, "4:2:0", 50, 20))
    report_path(tmp_path / "out.png").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        export_verified(decoder_output(code), code, tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()


def test_exports_honour_the_umask(tmp_path):
    code = read_jpeg(make_file(tmp_path, 32, 32, "4:2:0", 50, 20))
    previous = os.umask(0o022)
    try:
        export_verified(decoder_output(code), code, tmp_path / "out.png")
    finally:
        os.umask(previous)
    assert (tmp_path / "out.png").stat().st_mode & 0o777 == 0o644
    assert report_path(tmp_path / "out.png").stat().st_mode & 0o777 == 0o644


def test_export_into_a_missing_folder_is_refused(tmp_path):
    code = read_jpeg(make_file(tmp_path, 16, 16, "grey", 50, 21))
    with pytest.raises(ExportError, match="no such folder"):
        export_verified(decoder_output(code), code, tmp_path / "missing" / "out.png")


def test_16_bit_export_of_a_fine_file_with_crushed_shadows_is_fully_consistent(tmp_path):
    """Shadows crushed to 0 at quality 95: the 16-bit export still reaches every coefficient."""
    pixels = np.clip(synthetic_photo(32, 48, seed=22).astype(int) - 70, 0, 255).astype(np.uint8)
    assert (pixels == 0).mean() > 0.05
    code = read_jpeg(write_jpeg(tmp_path / "dark.jpg", pixels, quality=95, subsampling="4:2:0"))
    assert export_verified(decoder_output(code, 3), code, tmp_path / "out.png", bit_depth=16).verified


def test_a_second_export_of_a_saturated_file_gives_the_same_report(tmp_path):
    """Saturated yellow and blue at quality 95: the first 16-bit export proves some MCUs out of reach by
    linear programming and the session remembers those optima. The second export must not set the MCUs
    aside sooner because it remembers them: same report, same PNG."""
    photo = synthetic_photo(32, 48, 3)
    photo[4:28, 6:40] = (255, 255, 0)
    photo[10:20, 12:30] = (0, 0, 255)
    session = Session(
        read_jpeg(write_jpeg(tmp_path / "in.jpg", photo, quality=95, subsampling="4:4:4")), tiny_decoder()
    )
    reports = []
    for name in ("first.png", "second.png"):
        report = session.export(tmp_path / name, 16).as_dict()
        reports.append({**report, "image": {k: v for k, v in report["image"].items() if k != "path"}})
        assert len(session.optima) > 0
    first, second = reports
    assert any(miss["proof"] == "linear programme" for miss in first["encoders"][1]["misses"])
    assert second == first
    assert (tmp_path / "first.png").read_bytes() == (tmp_path / "second.png").read_bytes()
