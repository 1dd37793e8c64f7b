"""Originals written by each encoder that writes real files verify, and tampering fails under
every encoder. Files are made on the fly by jpeglib's builds (IJG 6b, 7, 8d, 9e, 9f, libjpeg-turbo 2.1 with
the islow, float and ifast DCTs, mozjpeg 3.0 and 4.0.3 with their default settings) at 4:2:0, 4:2:2 and
4:4:4 and IJG qualities 10, 30, 75 and 95, on small images, two of them not a multiple of the MCU."""

from __future__ import annotations

import io

import cv2
import jpeglib
import numpy as np
import pytest
from jpeglib._cenum import DCTMethod
from PIL import Image

from explorer_app.codec import read_jpeg
from explorer_app.verify.verifier import verify_image

from conftest import read_in_process, synthetic_photo

WRITERS = {  # name: (jpeglib build, DCT method, the encoders allowed to reproduce its files)
    "IJG 6b": ("6b", "JDCT_ISLOW", {"libjpeg"}),
    "turbo 2.1 islow": ("turbo210", "JDCT_ISLOW", {"libjpeg"}),
    "turbo 2.1 float": ("turbo210", "JDCT_FLOAT", {"libjpeg-float"}),
    "turbo 2.1 ifast": ("turbo210", "JDCT_IFAST", {"libjpeg-ifast"}),
    "IJG 7": ("7", "JDCT_ISLOW", {"ijg-scaled", "libjpeg"}),
    "IJG 8d": ("8d", "JDCT_ISLOW", {"ijg-scaled", "libjpeg"}),
    "IJG 9e": ("9e", "JDCT_ISLOW", {"ijg-scaled", "libjpeg"}),
    "IJG 9f": ("9f", "JDCT_ISLOW", {"ijg-scaled", "libjpeg"}),
    "IJG 9e float": ("9e", "JDCT_FLOAT", {"ijg-scaled-float", "libjpeg-float"}),
    "IJG 9e ifast": ("9e", "JDCT_IFAST", {"ijg-scaled-ifast", "libjpeg-ifast"}),
    "mozjpeg 3.0": ("mozjpeg300", None, {"mozjpeg", "libjpeg"}),
    "mozjpeg 4.0.3": ("mozjpeg403", None, {"mozjpeg", "libjpeg"}),
}
SAMPLING = {"4:2:0": (2, 2), "4:2:2": (1, 2), "4:4:4": (1, 1)}  # (fy, fx)
QUALITIES = (10, 30, 75, 95)
IMAGES = {"48x40": synthetic_photo(40, 48, 1), "37x29": synthetic_photo(29, 37, 2), "61x45": synthetic_photo(45, 61, 3)}


def write(writer: str, pixels: np.ndarray, sampling: str, quality: int, path) -> None:
    build, method, _ = WRITERS[writer]
    fy, fx = SAMPLING[sampling]
    with jpeglib.version(build):
        image = jpeglib.from_spatial(np.ascontiguousarray(pixels))
        image.samp_factor = np.array([[fy, fx], [1, 1], [1, 1]])  # jpeglib: (v, h) per component
        options = {} if method is None else {"dct_method": DCTMethod[method]}
        image.write_spatial(str(path), qt=quality, **options)


def test_the_in_process_reader_agrees_with_read_jpeg(tmp_path):
    for writer, sampling in (("mozjpeg 4.0.3", "4:2:2"), ("IJG 9e", "4:2:0"), ("turbo 2.1 float", "4:4:4")):
        write(writer, IMAGES["37x29"], sampling, 30, tmp_path / "file.jpg")
        ours, theirs = read_in_process(tmp_path / "file.jpg"), read_jpeg(tmp_path / "file.jpg")
        assert ours.chroma_factor == theirs.chroma_factor and (ours.height, ours.width) == (theirs.height, theirs.width)
        for mine, real in zip(ours.coefficients + ours.tables, theirs.coefficients + theirs.tables, strict=True):
            assert np.array_equal(mine, real)


def test_mozjpeg_is_encoded_whole_and_judged_strip_by_strip(tmp_path):
    """mozjpeg's coefficients depend on the whole image (strips encoded alone differ); verify encodes it
    once, and the figures of strips one MCU row high equal those of one strip."""
    from explorer_app.verify.encoders import MOZJPEG
    from explorer_app.verify.reference_encoder import code_tensors64
    from explorer_app.verify.verifier import judge

    pixels = IMAGES["61x45"]
    for sampling in SAMPLING:
        write("mozjpeg 4.0.3", pixels, sampling, 30, tmp_path / "file.jpg")
        code = code_tensors64(read_in_process(tmp_path / "file.jpg"))
        rows, whole = (judge(MOZJPEG, pixels, 8, code, None, strip_pixels=size) for size in (1, 1 << 20))
        assert rows.reproduces and whole.reproduces and rows.components == whole.components


def paste(pixels: np.ndarray) -> np.ndarray:
    """A 12×12 patch copied 16 pixels to the right (a clone-stamp retouch)."""
    pasted = pixels.copy()
    pasted[8:20, 20:32] = pixels[8:20, 4:16]
    return pasted


def resave(pixels: np.ndarray) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90, subsampling=0)
    return np.asarray(Image.open(buffer))


TAMPERING = {
    "blur": lambda p: cv2.GaussianBlur(p, (5, 5), 1.0),
    "one-pixel shift": lambda p: np.roll(p, 1, axis=1),
    "pasted patch": paste,
    "re-save": resave,
}


def cases() -> list[tuple[str, str, int, str]]:
    """writer × sampling × quality, each on one of the images in turn."""
    names = sorted(IMAGES)
    result = []
    for w, writer in enumerate(WRITERS):
        for s, sampling in enumerate(SAMPLING):
            for q, quality in enumerate(QUALITIES):
                result.append((writer, sampling, quality, names[(w + s + q) % len(names)]))
    return result


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_originals_of_every_encoder_verify(tmp_path, writer):
    """All 12 files of each writer verify; the encoder that emulates the writer reproduces most of them
    itself (on small images at coarse quality, another encoder, tried first, can give the very same
    coefficients, and then the file is rightly verified by that one)."""
    own = 0
    for _, sampling, quality, name in (c for c in cases() if c[0] == writer):
        pixels = IMAGES[name]
        write(writer, pixels, sampling, quality, tmp_path / "file.jpg")
        report = verify_image(pixels, 8, read_in_process(tmp_path / "file.jpg"))
        assert report.verified, (writer, sampling, quality, name, report.summary())
        own += bool(set(report.reproduced_by) & WRITERS[writer][2])
    assert own >= 6


def assert_caught(tmp_path, kind: str, writer: str, sampling: str, quality: int, name: str) -> None:
    """The tampered image does not verify, and no alternative to libjpeg's integer encoder reproduces it. A re-save at
    quality 90 can stay inside every box of a quality-10 file under the reference encoder (exact arithmetic):
    the file cannot tell it from the original, and verify rightly says so, as it did before those encoders
    (the slow sweep meets one such case in 144); nothing else may verify."""
    pixels = IMAGES[name]
    write(writer, pixels, sampling, quality, tmp_path / "file.jpg")
    report = verify_image(TAMPERING[kind](pixels), 8, read_in_process(tmp_path / "file.jpg"))
    assert set(report.reproduced_by) <= ({"reference"} if kind == "re-save" and quality == 10 else set()), (
        kind,
        writer,
        sampling,
        quality,
        report.summary(),
    )
    considered = {e.key for e in report.encoders} | {u["encoder"] for u in report.untried}
    assert considered >= {"libjpeg", "reference", "mozjpeg", "libjpeg-float", "libjpeg-ifast", "ijg-scaled"}
    assert report.verified or not report.untried or sampling == "4:4:4"  # all that differ from libjpeg's tried


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_tampering_fails_under_every_encoder(tmp_path, kind):
    """One file per writer (sampling and quality in turn), tampered: every encoder is tried, none
    reproduces it."""
    k = sorted(TAMPERING).index(kind)
    for w, writer in enumerate(WRITERS):
        sampling, quality = list(SAMPLING)[(w + k) % 3], QUALITIES[(w + k) % len(QUALITIES)]
        assert_caught(tmp_path, kind, writer, sampling, quality, sorted(IMAGES)[w % len(IMAGES)])


@pytest.mark.sweep
@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_tampering_fails_on_the_whole_matrix(tmp_path, kind):
    """Every one of the 144 originals of the matrix, tampered (576 cases with the four kinds)."""
    for case in cases():
        assert_caught(tmp_path, kind, *case)


def test_grey_files_of_the_float_ifast_and_mozjpeg_encoders_verify(tmp_path):
    grey = np.ascontiguousarray(IMAGES["61x45"][:, :, 1:2])
    for build, method, key in (
        ("turbo210", "JDCT_FLOAT", "libjpeg-float"),
        ("turbo210", "JDCT_IFAST", "libjpeg-ifast"),
        ("mozjpeg403", None, "mozjpeg"),
    ):
        with jpeglib.version(build):
            image = jpeglib.from_spatial(grey)
            image.write_spatial(
                str(tmp_path / "file.jpg"), qt=30, **({} if method is None else {"dct_method": DCTMethod[method]})
            )
        report = verify_image(grey, 8, read_in_process(tmp_path / "file.jpg"))
        assert key in report.reproduced_by, (build, report.summary())
        assert {u["encoder"] for u in report.untried} >= {"ijg-scaled"}  # no subsampled chroma in a grey file


def test_verify_explain_and_json_name_the_encoders_tried_and_not_tried(tmp_path, capsys):
    import json

    import cv2

    from explorer_app.cli.main import main

    pixels = IMAGES["48x40"]
    write("IJG 9e", pixels, "4:2:0", 30, tmp_path / "file.jpg")
    assert cv2.imwrite(str(tmp_path / "image.png"), np.ascontiguousarray(pixels[:, :, ::-1]))
    assert main(["verify", str(tmp_path / "image.png"), str(tmp_path / "file.jpg"), "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VERIFIED: IJG libjpeg 7-9's default encoder reproduces")
    assert "IJG libjpeg 7-9's default encoder (islow DCT; subsampled chroma" in out and "Not tried:" in out
    assert "mozjpeg's default encoder (mozjpeg 4.0.3" in out.split("Not tried:")[1]
    assert main(["verify", str(tmp_path / "image.png"), str(tmp_path / "file.jpg"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [e["encoder"] for e in report["encoders"]] == ["libjpeg", "reference", "ijg-scaled"]
    assert report["reproduced_by"] == ["ijg-scaled"] and report["encoders"][2]["scope"] == "the whole image"
    assert {u["encoder"] for u in report["untried"]} == {
        "libjpeg-float",
        "libjpeg-float-sse",
        "libjpeg-ifast",
        "ijg-scaled-float",
        "ijg-scaled-ifast",
        "mozjpeg",
    }
    assert all(u["reason"].startswith("not needed: IJG libjpeg 7-9") for u in report["untried"])


def test_the_tables_put_the_likely_encoder_first(tmp_path):
    """IJG's scaled Annex K tables (clipped to 255 or, past baseline, not) → IJG 7-9's pipeline first and
    mozjpeg last; mozjpeg's default tables → mozjpeg first."""
    from explorer_app.verify.encoders import likely_order

    for writer, quality, first, last in (
        ("IJG 9e", 30, "ijg-scaled", "mozjpeg"),
        ("IJG 9e", 10, "ijg-scaled", "mozjpeg"),
        ("turbo 2.1 float", 95, "ijg-scaled", "mozjpeg"),
        ("mozjpeg 4.0.3", 30, "mozjpeg", "ijg-scaled-ifast"),
        ("mozjpeg 3.0", 75, "mozjpeg", "ijg-scaled-ifast"),
    ):
        write(writer, IMAGES["48x40"], "4:2:0", quality, tmp_path / "file.jpg")
        order = [e.key for e in likely_order(list(read_in_process(tmp_path / "file.jpg").tables))]
        assert (order[0], order[-1]) == (first, last), (writer, quality, order)
