"""The command-line contract of docs/design.md, driven through ``main([...])``: decode and verify on good
files, and every kind of bad input giving one line on stderr, exit 2, no traceback and no output file.

stderr is captured at the file-descriptor level (capfd), so messages printed by C libraries count too."""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest
from PIL import Image

from conftest import jpeg_bytes, synthetic_photo
from explorer_app.cli.main import main
from explorer_app.codec import read_jpeg
from explorer_app.export.exporter import report_path


@pytest.fixture
def good_jpeg_bytes():
    return jpeg_bytes(synthetic_photo(64, 96, seed=3), quality=40)


def _scan_start(data: bytes) -> int:
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")


def _patch_sof(
    data: bytes, marker: int | None = None, precision: int | None = None, size: tuple[int, int] | None = None
) -> bytes:
    data = bytearray(data)
    sof = data.index(b"\xff\xc0")
    if marker is not None:
        data[sof + 1] = marker
    if precision is not None:
        data[sof + 4] = precision
    if size is not None:
        data[sof + 5 : sof + 9] = size[0].to_bytes(2, "big") + size[1].to_bytes(2, "big")
    return bytes(data)


def _random_bytes_at(data: bytes, start: int, count: int, seed: int) -> bytes:
    data = bytearray(data)
    data[start : start + count] = np.random.default_rng(seed).integers(0, 256, count, dtype=np.uint8).tobytes()
    return bytes(data)


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(synthetic_photo(16, 16)).save(buffer, format="PNG")
    return buffer.getvalue()


def _cmyk_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(synthetic_photo(32, 32)).convert("CMYK").save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


BAD_INPUTS = {  # name: (bytes from a good JPEG's bytes, or None for a missing file; words the message holds)
    "missing": (lambda good: None, "no such file"),
    "empty": (lambda good: b"", "empty"),
    "truncated": (lambda good: good[: (_scan_start(good) + len(good)) // 2], "truncated"),
    "truncated-with-eoi": (lambda good: good[: (_scan_start(good) + len(good)) // 2] + b"\xff\xd9", "corrupt"),
    "corrupt-header": (lambda good: _random_bytes_at(good, good.index(b"\xff\xc4") + 5, 20, 0), "corrupt"),
    "corrupt-scan": (lambda good: _random_bytes_at(good, (_scan_start(good) + len(good)) // 2, 64, 0), "corrupt"),
    "png-renamed": (lambda good: _png_bytes(), "not a JPEG"),
    "text-file": (lambda good: b"holiday photos\n", "not a JPEG"),
    "cmyk": (lambda good: _cmyk_jpeg(), "CMYK"),
    "12-bit": (lambda good: _patch_sof(good, precision=12), "12-bit"),
    "lossless": (lambda good: _patch_sof(good, marker=0xC3), "lossless"),
    "arithmetic": (lambda good: _patch_sof(good, marker=0xC9), "arithmetic"),
    "absurd-size": (lambda good: _patch_sof(good, size=(60000, 60000)), "too large"),
}


@pytest.fixture(params=sorted(BAD_INPUTS))
def bad_jpeg(request, tmp_path, good_jpeg_bytes):
    make, words = BAD_INPUTS[request.param]
    path = tmp_path / "input.jpg"
    data = make(good_jpeg_bytes)
    if data is not None:
        path.write_bytes(data)
    return path, words


def _assert_one_clean_error(capfd, words: str) -> None:
    out, err = capfd.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("jpeg-explorer: error: ") and words.lower() in lines[0].lower()
    assert "Traceback" not in err and out == ""


def test_decode_refuses_bad_input_cleanly(bad_jpeg, tmp_path, models_folder, capfd):
    path, words = bad_jpeg
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["decode", str(path), "-o", str(tmp_path / "out.png")]) == 2
    _assert_one_clean_error(capfd, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no output, no report, no partial file


def test_verify_refuses_bad_jpeg_cleanly(bad_jpeg, tmp_path, capfd):
    path, words = bad_jpeg
    png = tmp_path / "image.png"
    png.write_bytes(_png_bytes())
    assert main(["verify", str(png), str(path)]) == 2
    _assert_one_clean_error(capfd, words)


@pytest.mark.parametrize(
    "content, words",
    [(None, "no such file"), (b"", "empty"), (b"not an image", "not a readable")],
    ids=["missing", "empty", "garbage"],
)
def test_verify_refuses_bad_png_cleanly(tmp_path, good_jpeg_bytes, capfd, content, words):
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(good_jpeg_bytes)
    png = tmp_path / "image.png"
    if content is not None:
        png.write_bytes(content)
    assert main(["verify", str(png), str(jpeg)]) == 2
    _assert_one_clean_error(capfd, words)


def test_corrupt_file_accepted_by_structure_is_refused_by_read_jpeg(tmp_path, good_jpeg_bytes):
    """Random bytes in the scan keep the marker structure intact; libjpeg's corruption warning must count."""
    from explorer_app.codec import InvalidJpegError

    path = tmp_path / "bad.jpg"
    path.write_bytes(BAD_INPUTS["corrupt-scan"][0](good_jpeg_bytes))
    with pytest.raises(InvalidJpegError, match="corrupt"):
        read_jpeg(path)


# --- decode and verify on good files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options", [[], ["--seed", "7"], ["--size", "full", "--bit-depth", "8"]], ids=["z0", "seed", "full-8bit"]
)
def test_decode_writes_a_verified_png_that_verify_accepts(tmp_path, good_jpeg_bytes, models_folder, capfd, options):
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(good_jpeg_bytes)
    out = tmp_path / "photo.png"
    assert main(["decode", str(jpeg), "-o", str(out), "--device", "cpu", *options]) == 0
    printed, err = capfd.readouterr()
    assert err == ""
    assert f"wrote {out}" in printed and "VERIFIED" in printed
    report = json.loads(report_path(out).read_text())
    assert report["verified"] is True and report["model"]["size"] == ("full" if "full" in options else "lite")
    assert report["history"][0]["seed"] == (7 if "7" in options else None)
    assert main(["verify", str(out), str(jpeg)]) == 0


def test_decode_seeds_give_different_images_and_the_same_seed_the_same(tmp_path, good_jpeg_bytes, models_folder):
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(good_jpeg_bytes)
    pngs = {}
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        assert main(["decode", str(jpeg), "-o", str(tmp_path / f"{name}.png"), "--seed", seed]) == 0
        pngs[name] = (tmp_path / f"{name}.png").read_bytes()
    assert pngs["a"] == pngs["b"] and pngs["a"] != pngs["c"]


def test_decode_without_models_says_which_are_missing(tmp_path, good_jpeg_bytes, monkeypatch, capfd):
    (tmp_path / "empty-models").mkdir()
    monkeypatch.setenv("JPEG_EXPLORER_MODELS", str(tmp_path / "empty-models"))
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(good_jpeg_bytes)
    assert main(["decode", str(jpeg), "-o", str(tmp_path / "out.png")]) == 2
    _assert_one_clean_error(capfd, "no trained weights for the faithful model")
    assert not (tmp_path / "out.png").exists()
    monkeypatch.setenv("JPEG_EXPLORER_MODELS", str(tmp_path / "no-models-here"))
    assert main(["decode", str(jpeg), "-o", str(tmp_path / "out.png")]) == 2
    _assert_one_clean_error(capfd, "no-models-here: no such models folder")


def test_decode_refuses_to_overwrite_its_input(tmp_path, good_jpeg_bytes, models_folder, capfd):
    disguised = tmp_path / "photo.png"  # a JPEG named .png: -o photo.png would overwrite it
    disguised.write_bytes(good_jpeg_bytes)
    assert main(["decode", str(disguised), "-o", str(disguised)]) == 2
    _assert_one_clean_error(capfd, "refusing to overwrite")
    assert disguised.read_bytes() == good_jpeg_bytes


def test_decode_refuses_a_non_png_output(tmp_path, good_jpeg_bytes, models_folder, capfd):
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(good_jpeg_bytes)
    assert main(["decode", str(jpeg), "-o", str(tmp_path / "out.jpg")]) == 2
    _assert_one_clean_error(capfd, "must be a .png")


def test_decode_into_a_missing_folder_fails_cleanly(tmp_path, good_jpeg_bytes, models_folder, capfd):
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(good_jpeg_bytes)
    assert main(["decode", str(jpeg), "-o", str(tmp_path / "missing" / "out.png")]) != 0
    _assert_one_clean_error(capfd, "no such folder")


def test_decode_on_a_full_disk_fails_cleanly_and_leaves_nothing(
    tmp_path, good_jpeg_bytes, models_folder, capfd, monkeypatch
):
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(good_jpeg_bytes)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    assert main(["decode", str(jpeg), "-o", str(tmp_path / "out.png")]) != 0
    _assert_one_clean_error(capfd, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.jpg"]


def test_models_lists_the_injected_decoders_and_the_shipped_classifiers(models_folder, capfd):
    assert main(["models", "--json"]) == 0
    rows = json.loads(capfd.readouterr().out)
    decoders = {(r["name"], r["size"]) for r in rows if r["kind"] == "decoder"}
    assert decoders == {(n, s) for n in ("explorable", "faithful") for s in ("lite", "full")}
    others = {(r["kind"], r["name"]) for r in rows if r["kind"] != "decoder"}
    assert {("glyph classifier", "digits"), ("glyph classifier", "letters"), ("NIQE model", "niqe_pristine")} <= others
    assert all(len(r["sha256"]) == 64 and r["bytes"] > 0 for r in rows)


def test_models_names_a_missing_models_folder(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("JPEG_EXPLORER_MODELS", str(tmp_path / "gone"))
    assert main(["models"]) == 2
    _assert_one_clean_error(capfd, "gone: no such models folder")


def test_a_closed_pipe_ends_quietly(monkeypatch, capfd):
    """`jpeg-explorer models | head -1`: the reader leaves early; no BrokenPipeError traceback."""
    import explorer_app.cli.main as cli

    def reader_left(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "COMMANDS", [(*c[:3], reader_left) if c[0] == "models" else c for c in cli.COMMANDS])
    assert main(["models"]) == 1
    assert "Traceback" not in capfd.readouterr().err


def test_train_is_a_command(capfd):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--help"])
    assert exit_info.value.code == 0
    assert "--pack" in capfd.readouterr().out
