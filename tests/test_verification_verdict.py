"""The verdict a court could rely on: true originals verify, tampering does not, and the command
line says exactly what it checked, with exit codes 0 verified / 1 not verified / 2 nothing usable.

Originals are crops of the bundled photos (scikit-image's astronaut, coffee, chelsea, rocket, and the
example's own plain decode), compressed by Pillow and by OpenCV at qualities 5-95, 4:2:0 and 4:4:4."""

from __future__ import annotations

import io
import itertools
import json

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

from explorer_app.cli.main import main
from explorer_app.codec import plain_decode, read_jpeg
from explorer_app.resources import example_jpeg

from conftest import SAMPLINGS, compress

QUALITIES = (5, 12, 30, 50, 75, 95)


def photos() -> dict[str, np.ndarray]:
    """Odd-sized crops (not multiples of the MCU) of real photographs, uint8 RGB."""
    example = plain_decode(example_jpeg())
    return {
        "astronaut": skimage.data.astronaut()[30:107, 180:263],
        "coffee": skimage.data.coffee()[150:229, 250:341],
        "chelsea": skimage.data.chelsea()[60:141, 140:213],
        "rocket": skimage.data.rocket()[200:275, 300:387],
        "example": example[200:283, 100:179],
    }


PHOTOS = photos()


def save_png(path, pixels: np.ndarray) -> None:
    assert cv2.imwrite(
        str(path), np.ascontiguousarray(pixels[:, :, ::-1] if pixels.ndim == 3 and pixels.shape[2] == 3 else pixels)
    )


def verify(tmp_path, pixels: np.ndarray, jpeg: bytes, capsys, *options: str) -> tuple[int, str]:
    (tmp_path / "file.jpg").write_bytes(jpeg)
    save_png(tmp_path / "image.png", pixels)
    code = main(["verify", str(tmp_path / "image.png"), str(tmp_path / "file.jpg"), *options])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("codec", ["pillow", "opencv"])
@pytest.mark.parametrize("sampling", sorted(SAMPLINGS))
def test_true_originals_verify(tmp_path, capsys, codec, sampling):
    """Every original verifies, through libjpeg's pipeline; the float reference encoder alone would have
    called some of them inconsistent (what the issue found)."""
    reference_alone = []
    for name, pixels in PHOTOS.items():
        for quality in QUALITIES:
            code, out = verify(tmp_path, pixels, compress(pixels, codec, quality, sampling), capsys, "--json")
            report = json.loads(out)
            assert code == 0, (name, quality, report["verdict"])
            assert "libjpeg" in report["reproduced_by"]
            reference_alone.append("reference" in report["reproduced_by"])
    assert not all(reference_alone)


def paste(pixels: np.ndarray) -> np.ndarray:
    """A 16×16 patch of the photo copied 24 pixels to the right (a clone-stamp retouch)."""
    pasted = pixels.copy()
    pasted[30:46, 40:56] = pixels[30:46, 16:32]
    return pasted


TAMPERING = {
    "blurred": lambda p: cv2.GaussianBlur(p, (5, 5), 1.0),
    "shifted by one pixel": lambda p: np.roll(p, 1, axis=1),
    "re-saved at quality 90": lambda p: np.asarray(Image.open(io.BytesIO(compress(p, "pillow", 90, "4:4:4")))),
    "pasted patch": paste,
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_tampering_is_caught(tmp_path, capsys, kind):
    for name, pixels in PHOTOS.items():
        for quality, sampling in ((12, "4:2:0"), (50, "4:4:4"), (90, "4:2:0")):
            jpeg = compress(pixels, "pillow", quality, sampling)
            code, out = verify(tmp_path, TAMPERING[kind](pixels), jpeg, capsys)
            assert code == 1 and out.startswith("NOT VERIFIED: no encoder reproduces the file"), (name, quality)


@pytest.mark.parametrize("bit_depth", [8, 16])
def test_exports_of_ordinary_photos_at_quality_10_20_30_verify(tmp_path, bit_depth):
    """A decode whose Δ roams its intervals, exported at 8 bits (libjpeg's pipeline reproduces it) and at 16
    (the reference encoder does). benchmarks/photo_exports.py does the same with the shipped model on whole
    photos."""
    import torch

    from explorer_app.decoder.code_tensors import CodeTensors
    from explorer_app.decoder.model import random_control
    from explorer_app.export.exporter import export_verified

    from conftest import tiny_decoder

    decoder = tiny_decoder(4, head_scale=0.2)
    writers = (("pillow", "4:2:0"), ("opencv", "4:4:4"))
    for index, (name, quality) in enumerate(itertools.product(("coffee", "rocket", "example"), (10, 20, 30))):
        codec, sampling = writers[index % 2]  # each photo and each quality from both writers, in nine files
        (tmp_path / "file.jpg").write_bytes(compress(PHOTOS[name], codec, quality, sampling))
        code = read_jpeg(tmp_path / "file.jpg")
        tensors = CodeTensors.from_code(code)
        with torch.no_grad():
            output = decoder(tensors, random_control(tensors, quality))
        report = export_verified(output, code, tmp_path / "out.png", bit_depth)
        assert report.verified, (name, quality, codec, report.summary())
        assert report.reproduced_by[0] == ("libjpeg" if bit_depth == 8 else "reference")


def test_a_change_within_the_room_verifies_and_explain_says_where_the_room_is(tmp_path, capsys):
    """A one-pixel +20 in green at IJG quality 12 stays inside every quantization box in a roomy block: verify
    must accept it (the file cannot tell), and --explain must show that much room and say what it cannot see."""
    pixels = PHOTOS["coffee"]
    jpeg = compress(pixels, "pillow", 12, "4:2:0")
    code, out = verify(tmp_path, pixels, jpeg, capsys, "--json")
    room = {r["component"]: r for r in json.loads(out)["encoders"][0]["room"]}
    x, y = room["Y"]["largest_margin_at"]
    assert room["Y"]["largest_tolerance"] > 0.587 * 20  # Y moves by 11.7 levels
    retouched = pixels.copy()
    retouched[y + 3, x + 3, 1] = min(255, int(retouched[y + 3, x + 3, 1]) + 20)
    code, out = verify(tmp_path, retouched, jpeg, capsys)
    assert code == 0 and out.startswith("VERIFIED")
    code, out = verify(tmp_path, retouched, jpeg, capsys, "--explain")
    assert code == 0
    assert "Room the file leaves" in out and "single-sample tolerance" in out
    assert "Cannot detect" in out and "a retouch smaller than the room above verifies" in out
    assert "libjpeg's integer encoder (islow DCT" in out and "the reference encoder (float" in out


def test_a_16_bit_png_holding_8_bit_values_is_libjpeg_s_to_judge_too(tmp_path, capsys):
    pixels = PHOTOS["rocket"]
    jpeg = compress(pixels, "opencv", 75, "4:2:0")
    code, out = verify(tmp_path, pixels.astype(np.uint16) * 257, jpeg, capsys, "--json")
    report = json.loads(out)
    assert code == 0 and report["image"]["bit_depth"] == 16 and "libjpeg" in report["reproduced_by"]
    between = pixels.astype(np.uint16) * 257
    between[0, 0, 0] += 1  # one sample between two 8-bit values: its 8-bit rounding would be another image
    code, out = verify(tmp_path, between, jpeg, capsys, "--json")
    libjpeg = json.loads(out)["encoders"][0]
    assert not libjpeg["applies"] and "8-bit" in libjpeg["reason"]


def test_an_image_of_another_size_is_bad_input_not_a_percentage(tmp_path, capfd):
    pixels = PHOTOS["chelsea"]
    (tmp_path / "file.jpg").write_bytes(compress(pixels, "pillow", 50, "4:2:0"))
    save_png(tmp_path / "image.png", pixels[:-1])
    assert main(["verify", str(tmp_path / "image.png"), str(tmp_path / "file.jpg")]) == 2
    out, err = capfd.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "cannot be the JPEG's source" in err and "%" not in err and f"{pixels.shape[1]}×{pixels.shape[0] - 1}" in err


@pytest.mark.parametrize("kind", ["jpeg", "folder"])
def test_a_jpeg_or_a_folder_where_the_png_belongs_is_bad_input(tmp_path, capfd, kind):
    pixels = PHOTOS["chelsea"]
    jpeg = tmp_path / "file.jpg"
    jpeg.write_bytes(compress(pixels, "pillow", 50, "4:2:0"))
    image = jpeg if kind == "jpeg" else tmp_path
    assert main(["verify", str(image), str(jpeg)]) == 2
    assert "not a readable PNG" in capfd.readouterr().err or kind == "folder"


SATURATED = skimage.data.astronaut()[360:384, 472:496]
"""A crop of the astronaut's black background at quality 95, 4:4:4: libjpeg's integer encoder wrote one MCU
whose DC coefficient an in-range image reaches under the float reference encoder only exactly on a rounding
tie (all of its dark pixels at 0)."""


def test_saturated_blocks_are_named_where_and_how_far_and_verify_json_shows_them(tmp_path, capsys):
    from explorer_app.decoder.code_tensors import CodeTensors
    from explorer_app.decoder.model import random_control
    from explorer_app.export.exporter import export_verified

    from conftest import tiny_decoder

    jpeg = compress(np.ascontiguousarray(SATURATED), "pillow", 95, "4:4:4")
    code, _ = verify(tmp_path, SATURATED, jpeg, capsys, "--json")
    assert code == 0  # the original: libjpeg reproduces it
    file = read_jpeg(tmp_path / "file.jpg")
    tensors = CodeTensors.from_code(file)
    with torch_no_grad():
        output = tiny_decoder(3, head_scale=0.2)(tensors, random_control(tensors, 3))
    report = export_verified(output, file, tmp_path / "out.png", bit_depth=16)
    assert not report.verified and "saturated" in report.summary()
    saturated = report.encoders[1].saturated_blocks
    assert saturated and all(m.reachable is False and m.nearest_excess == 0.0 for m in saturated)
    assert {(m.x // 8, m.y // 8) for m in saturated} <= {(1, 1), (2, 1), (1, 2), (2, 2)}
    assert "saturated" in report.remedy and "--bit-depth 8" in report.remedy
    assert main(["verify", str(tmp_path / "out.png"), str(tmp_path / "file.jpg"), "--json"]) == 1
    reference = json.loads(capsys.readouterr().out)["encoders"][1]
    assert reference["saturated_blocks"] == len(saturated) and reference["misses"][0]["reachable"] is False
    chosen = export_verified(output, file, tmp_path / "auto.png", bit_depth=None)  # 16 bits fall short: 8 bits
    assert chosen.verified and chosen.image["bit_depth"] == 8 and chosen.reproduced_by[0] == "libjpeg"


def torch_no_grad():
    import torch

    return torch.no_grad()


# --- the command line contract ---------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--help"], ["decode", "--help"], ["verify", "--help"]])
def test_help_documents_the_exit_codes(capsys, argv):
    with pytest.raises(SystemExit):
        main(argv)
    text = " ".join(capsys.readouterr().out.split())
    assert "exit codes: 0 verified; 1 written (decode) or judged (verify) but NOT verified; 2 nothing usable" in text


def test_decode_into_a_missing_folder_is_bad_input(tmp_path, models_folder, capfd):
    (tmp_path / "file.jpg").write_bytes(compress(PHOTOS["coffee"], "pillow", 30, "4:2:0"))
    assert main(["decode", str(tmp_path / "file.jpg"), "-o", str(tmp_path / "nodir" / "x.png")]) == 2
    assert "no such folder" in capfd.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.jpg"]


def test_decode_never_writes_over_its_input_under_the_report_s_name(tmp_path, models_folder, capfd):
    """decode x.png.json -o x.png would replace the input with the report: refused like any other name of it."""
    data = compress(PHOTOS["coffee"], "pillow", 30, "4:2:0")
    (tmp_path / "x.png.json").write_bytes(data)
    assert main(["decode", str(tmp_path / "x.png.json"), "-o", str(tmp_path / "x.png")]) == 2
    assert "refusing to overwrite" in capfd.readouterr().err
    assert (
        sorted(p.name for p in tmp_path.iterdir()) == ["x.png.json"] and (tmp_path / "x.png.json").read_bytes() == data
    )


def test_decode_that_ends_not_verified_says_why_and_what_to_do(tmp_path, models_folder, capfd):
    (tmp_path / "file.jpg").write_bytes(compress(PHOTOS["coffee"][:32, :48], "pillow", 100, "4:4:4"))
    assert main(["decode", str(tmp_path / "file.jpg"), "-o", str(tmp_path / "out.png"), "--bit-depth", "8"]) == 1
    out = capfd.readouterr().out
    assert "NOT VERIFIED: no encoder reproduces the file (libjpeg:" in out
    assert "remedy: " in out and "--bit-depth 16" in out
    assert (tmp_path / "out.png").exists() and (tmp_path / "out.png.json").exists()
    assert main(["decode", str(tmp_path / "file.jpg"), "-o", str(tmp_path / "auto.png")]) == 0  # auto: 16 bits
    assert "(16-bit," in capfd.readouterr().out
