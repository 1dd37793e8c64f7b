"""Exports repaired for the encoder that wrote the file, when it is named (issue 20, docs/verification.md):
originals written by jpeglib's builds of IJG 9e (4:2:0, scaled-DCT chroma) and libjpeg-turbo 2.1 with the
float and fast DCTs are exported as 8-bit PNGs that the named writer itself re-encodes to the file's very
coefficients; the report and `verify` name it. A libjpeg-turbo islow file still exports for libjpeg's integer
encoder; a writer that is no repair target (mozjpeg) or cannot take the bit depth is said so, and the export
takes today's path."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from explorer_app.cli.main import main
from explorer_app.codec import read_jpeg
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import random_control
from explorer_app.decoder.output import DecoderOutput
from explorer_app.export import exporter
from explorer_app.export.exporter import export_verified, report_path
from explorer_app.verify.encoders import BY_KEY
from explorer_app.verify.png_io import read_png

from conftest import jpeglib_jpeg, synthetic_photo, tiny_decoder


def original(tmp_path, key: str, quality: int = 30, size: tuple[int, int] = (48, 64)):
    """tmp_path/source.jpg, a synthetic photo written by the build behind ``key``, and its code."""
    path = jpeglib_jpeg(tmp_path / "source.jpg", key, synthetic_photo(*size, 4), quality)
    return path, read_jpeg(path)


def decoder_output(code, seed: int = 3) -> DecoderOutput:
    """A random tiny decoder's output at a random z: Δ spread over most of (−½, ½)."""
    tensors = CodeTensors.from_code(code)
    with torch.no_grad():
        return tiny_decoder(seed)(tensors, random_control(tensors, seed))


def writer_reproduces(key: str, png, jpeg) -> bool:
    """The writer's own build, given the file's tables and sampling, re-encodes the PNG to exactly the file's
    coefficients."""
    code = read_jpeg(jpeg)
    pixels, bit_depth = read_png(png)
    assert bit_depth == 8
    again = jpeglib_jpeg(
        png.parent / "again.jpg", key, pixels.astype(np.uint8), np.stack(code.tables).astype(np.uint16)
    )
    return all(np.array_equal(a, b) for a, b in zip(read_jpeg(again).coefficients, code.coefficients, strict=True))


@pytest.mark.parametrize("key", ["ijg-scaled", "libjpeg-float", "libjpeg-ifast"])
def test_an_export_for_the_named_writer_is_reproduced_by_that_writer(tmp_path, key, capsys):
    jpeg, code = original(tmp_path, key)
    png = tmp_path / "out.png"
    report = export_verified(decoder_output(code), code, png, None, writer=BY_KEY[key])
    assert report.verified and report.repaired_for == key and key in report.reproduced_by
    assert BY_KEY[key].name in report.summary()  # the one-line message names it
    assert read_png(png)[1] == 8
    sidecar = json.loads(report_path(png).read_text())
    assert sidecar["repaired_for"] == key and key in sidecar["reproduced_by"]
    assert writer_reproduces(key, png, jpeg)  # the real library, not our emulation
    assert main(["verify", str(png), str(jpeg), "--encoder", key, "--json"]) == 0
    assert key in json.loads(capsys.readouterr().out)["reproduced_by"]
    assert main(["verify", str(png), str(jpeg)]) == 0  # found without being told, too


def test_a_libjpeg_turbo_islow_file_still_exports_for_libjpeg(tmp_path):
    jpeg, code = original(tmp_path, "libjpeg")
    for writer in (None, BY_KEY["libjpeg"]):
        report = export_verified(decoder_output(code), code, tmp_path / "out.png", None, writer=writer)
        assert report.verified and report.repaired_for == "libjpeg" and report.reproduced_by[0] == "libjpeg"
        assert writer_reproduces("libjpeg", tmp_path / "out.png", jpeg)
        assert len(report.notes) == 1  # the repair's note only: nothing given up


def test_mozjpeg_and_16_bits_are_declined_with_a_note_and_today_s_path(tmp_path):
    _, code = original(tmp_path, "ijg-scaled")
    output = decoder_output(code)
    report = export_verified(output, code, tmp_path / "moz.png", None, writer=BY_KEY["mozjpeg"])
    assert report.verified and report.repaired_for in ("libjpeg", "reference")
    assert any("mozjpeg" in note and "no repair target" in note for note in report.notes)
    assert any(e.key == "mozjpeg" for e in report.encoders)  # judged, as named, and it does not reproduce
    report = export_verified(output, code, tmp_path / "deep.png", 16, writer=BY_KEY["ijg-scaled"])
    assert report.verified and report.repaired_for == "reference"
    assert any("takes 8-bit samples" in note for note in report.notes)


def test_a_writer_attempt_over_its_budget_falls_back_and_verify_agrees(tmp_path, monkeypatch):
    jpeg, code = original(tmp_path, "ijg-scaled")
    monkeypatch.setattr(exporter, "EIGHT_BIT_MCUS", 0)  # every attempt is over budget
    png = tmp_path / "out.png"
    report = export_verified(decoder_output(code), code, png, None, writer=BY_KEY["ijg-scaled"])
    assert report.repaired_for == "reference" and report.verified
    assert any("was not made: rounding to 8 bits breaks more than 0 MCUs" in note for note in report.notes)
    assert (main(["verify", str(png), str(jpeg), "--encoder", "ijg-scaled"]) == 0) == report.verified


def test_a_session_exports_for_the_writer_it_is_told(tmp_path):
    """The Session API (what the desktop app's export calls) passes the named writer through: without a name
    the same decode is repaired for libjpeg or the reference encoder, as before."""
    from explorer_app.engine import Session

    jpeg, code = original(tmp_path, "ijg-scaled")
    session = Session(code, tiny_decoder(3))
    png = tmp_path / "named.png"
    report = session.export(png, None, writer=BY_KEY["ijg-scaled"])
    assert report.verified and report.repaired_for == "ijg-scaled"
    assert writer_reproduces("ijg-scaled", png, jpeg)
    assert session.export(tmp_path / "plain.png", None).repaired_for in ("libjpeg", "reference")
