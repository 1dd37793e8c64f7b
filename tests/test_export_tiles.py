"""Strip-wise verification and the MCU-local repair: the figures and the stored image must not depend on the
tiling. One MCU row per strip (and per band of a group of broken MCUs) against one strip for the whole image,
on sizes that are not multiples of the MCU, with groups of broken MCUs that cross the strip boundaries."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from scipy import ndimage

from explorer_app.codec import read_jpeg
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import random_control
from explorer_app.decoder.output import DecoderOutput
from explorer_app.export.projection import groups
from explorer_app.export.repair import PROJECTION_ROUNDS, repair_for_storage, target_encoder
from explorer_app.export.stored import store
from explorer_app.verify.encoders import LIBJPEG, REFERENCE
from explorer_app.verify.png_io import to_samples
from explorer_app.verify.reference_encoder import code_tensors64, file_quantized, quantize_reference, split_components
from explorer_app.verify.report import agreement
from explorer_app.verify.tiles import mcu_shape, strips
from explorer_app.verify.verifier import image_tensor, judge, verify_image

from conftest import independently_consistent, make_file, tiny_decoder

TILED, WHOLE = 1, 10**9
"""strip_pixels: one MCU row per strip and per band; one strip for the whole image."""

# (height, width, sampling, quality, seed, bit depth): none a multiple of its MCU in both directions
CASES = [
    (37, 53, "4:2:0", 90, 3, 16),
    (29, 45, "4:2:2", 75, 4, 16),
    (27, 35, "4:4:4", 90, 6, 16),
    (41, 30, "4:2:0", 20, 8, 8),
    (40, 37, "grey", 10, 13, 8),
]
IDS = [f"{w}x{h}-{s}-q{q}-{d}bit" for h, w, s, q, _, d in CASES]


def output_of(code, seed: int) -> DecoderOutput:
    """A tiny random decoder's output: Δ up to ±0.4, and pixels beyond [0, 255] that rounding clips."""
    tensors = CodeTensors.from_code(code)
    with torch.no_grad():
        return tiny_decoder(seed, head_scale=0.2)(tensors, random_control(tensors, seed))


def whole_image_figures(samples: np.ndarray, bit_depth: int, code):
    """The reference encoder's figures on the whole image at once, as verification computed them before it
    went strip by strip."""
    tensors = code_tensors64(code)
    pixels = image_tensor(samples / (257.0 if bit_depth == 16 else 1.0))
    return agreement(split_components(quantize_reference(pixels, tensors)), split_components(file_quantized(tensors)))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_strips_cover_the_image_in_whole_mcu_rows(tmp_path, case):
    tensors = code_tensors64(read_jpeg(make_file(tmp_path, *case[:5])))
    mcu_height = mcu_shape(tensors)[0]
    for strip_pixels in (TILED, 300, WHOLE):
        windows = strips(tensors, strip_pixels)
        assert [w[0] for w in windows[1:]] == [w[2] for w in windows[:-1]]
        assert windows[0][0] == 0 and windows[-1][2] == tensors.height
        assert all(w[0] % mcu_height == 0 and (w[1], w[3]) == (0, tensors.width) for w in windows)
    assert len(strips(tensors, TILED)) == -(-tensors.height // mcu_height)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_strip_wise_verification_gives_the_whole_image_figures(tmp_path, case):
    """libjpeg's plain decode with a strong checkerboard added: verification fails by more than ±1 in places,
    and it must fail the same way strip by strip, under both encoders."""
    path = make_file(tmp_path, *case[:5])
    code = read_jpeg(path)
    with Image.open(path) as image:
        plain = np.asarray(image, dtype=np.float64).reshape(code.height, code.width, -1)
    yy, xx = np.mgrid[: code.height, : code.width]
    samples = to_samples(plain + np.where((yy // 3 + xx // 3) % 2, 80.0, -80.0)[:, :, None], case[5])
    figures = whole_image_figures(samples, case[5], code)
    assert any(c.identical < c.total for c in figures) and max(c.max_abs_difference for c in figures) > 1
    tensors = code_tensors64(code)
    assert judge(REFERENCE, samples, case[5], tensors, {}, strip_pixels=TILED).components == figures
    assert judge(REFERENCE, samples, case[5], tensors, {}, strip_pixels=WHOLE).components == figures
    if case[5] == 8:  # libjpeg's figures, block by block, do not depend on the strips either
        tiled, whole = (judge(LIBJPEG, samples, 8, tensors, {}, strip_pixels=size) for size in (TILED, WHOLE))
        assert tiled == whole and tiled.mismatched_blocks > 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tiled_repair_stores_exactly_what_the_whole_image_repair_does(tmp_path, case):
    code = read_jpeg(make_file(tmp_path, *case[:5]))
    tensors, bit_depth = code_tensors64(code), case[5]
    image = output_of(code, case[4]).image
    rounded, broken = store(image, tensors, bit_depth, target_encoder(bit_depth), TILED)
    assert broken.any() and any(
        rows.stop - rows.start > 1 for rows, _ in ndimage.find_objects(ndimage.label(broken, np.ones((3, 3)))[0])
    )  # a group of broken MCUs crosses strip boundaries...
    assert len(groups(broken, tensors, TILED)) > len(groups(broken, tensors, WHOLE))  # ...and is cut into bands
    tiled = repair_for_storage(image, tensors, bit_depth, strip_pixels=TILED)
    whole = repair_for_storage(image, tensors, bit_depth, strip_pixels=WHOLE)
    assert np.array_equal(tiled.samples, whole.samples)
    assert tiled.consistent and whole.consistent and tiled.rounds == whole.rounds
    if bit_depth == 16:
        assert all(c.identical == c.total for c in whole_image_figures(tiled.samples, bit_depth, code))
    else:  # 8 bits: repaired for libjpeg's integer pipeline
        assert verify_image(tiled.samples, 8, code).reproduced_by[0] == "libjpeg"
    mcu_h, mcu_w = mcu_shape(tensors)
    changed = (tiled.samples != rounded).any(2)
    untouched = ~broken.repeat(mcu_h, 0).repeat(mcu_w, 1)[: code.height, : code.width]
    assert changed.any() and not changed[untouched].any()  # only the MCUs that rounding broke are stored again


def test_tiled_repair_verifies_independently(tmp_path):
    """The numpy/scipy encoder of test_verify_export agrees with the product's on a tiled, polished result."""
    from explorer_app.verify.png_writer import encode_png

    case = CASES[0]
    code = read_jpeg(make_file(tmp_path, *case[:5]))
    repaired = repair_for_storage(output_of(code, case[4]).image, code_tensors64(code), 16, strip_pixels=TILED)
    assert repaired.rounds > PROJECTION_ROUNDS[16]  # the polish ran too, not only the projections
    (tmp_path / "tiled.png").write_bytes(encode_png(repaired.samples))
    assert independently_consistent(tmp_path / "tiled.png", code)
