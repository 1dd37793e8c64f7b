"""The other libjpeg pipelines (those tried when libjpeg's integer encoder misses) against the real builds
inside jpeglib: the float and ifast DCTs of libjpeg-turbo 2.1 and IJG 6b, and IJG libjpeg 7-9's scaled-DCT
chroma (also under their float and ifast DCTs), on photos, noise, 0/255 extremes and odd sizes, 4:2:0, 4:2:2,
4:4:0 and 4:4:4, IJG qualities 10-100. Every quantized coefficient must be identical. (During development 22 M
coefficients of 7, 8d, 9e, 9f, 6b and turbo files at qualities 10/30/75/95 matched too: /tmp scripts, not
kept.)"""

from __future__ import annotations

import jpeglib
import numpy as np
import pytest
import skimage.data
import torch
from jpeglib._cenum import DCTMethod

from explorer_app.ops.quantization import round_half_away
from explorer_app.verify.libjpeg.fdct_float import (
    float_quotients,
    forward_dct_float,
    quantize_float,
    quantize_float_sse,
    scaled_float,
)
from explorer_app.verify.libjpeg.fdct_ifast import ifast_divisors
from explorer_app.verify.libjpeg.fdct_scaled import forward_dct_scaled
from explorer_app.verify.libjpeg.pipeline import Variant, encode

from conftest import read_in_process, synthetic_photo

JPEGLIB_SAMPLING = {  # (v, h) per component, as jpeglib takes them
    "4:4:4": ((1, 1), (1, 1), (1, 1)),
    "4:2:2": ((1, 2), (1, 1), (1, 1)),
    "4:2:0": ((2, 2), (1, 1), (1, 1)),
    "4:4:0": ((2, 1), (1, 1), (1, 1)),
}


def extreme_blocks() -> np.ndarray:
    """uint8 (64, 64, 3): one 8×8 block at 0/255 following the sign of each DCT basis function."""
    grid = np.arange(8)
    basis = np.cos((2 * grid[:, None] + 1) * grid[None, :] * np.pi / 16)
    blocks = np.zeros((8, 8, 8, 8, 3), np.uint8)
    for v in range(8):
        for u in range(8):
            sign = np.outer(basis[:, v], basis[:, u]) >= 0
            blocks[v, u] = np.stack([sign, ~sign, sign], -1) * 255
    return blocks.transpose(0, 2, 1, 3, 4).reshape(64, 64, 3)


def images() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "photo": skimage.data.astronaut()[100:223, 150:227],
        "coffee": skimage.data.coffee()[120:257, 200:391],
        "synthetic": synthetic_photo(45, 61, 3),
        "noise": rng.integers(0, 256, (37, 29, 3), dtype=np.uint8),
        "saturated": np.clip(synthetic_photo(40, 56, 5).astype(int) * 3 - 250, 0, 255).astype(np.uint8),
        "extreme": extreme_blocks(),
        "checker": np.repeat((np.indices((33, 35)).sum(0) % 2 * 255).astype(np.uint8)[:, :, None], 3, 2),
    }


IMAGES = images()


def with_jpeglib(version: str, pixels: np.ndarray, sampling: str, tmp_path, **options: object) -> bytes:
    with jpeglib.version(version):
        image = jpeglib.from_spatial(np.ascontiguousarray(pixels))
        image.samp_factor = np.array(JPEGLIB_SAMPLING[sampling])
        image.write_spatial(str(tmp_path / "jpeglib.jpg"), **options)
    return (tmp_path / "jpeglib.jpg").read_bytes()


SCALED_BUILDS = ("7", "8d", "9e", "9f")


def assert_variant(tmp_path, pixels: np.ndarray, jpeg: bytes, variant: Variant) -> None:
    path = tmp_path / "file.jpg"
    path.write_bytes(jpeg)
    code = read_in_process(path)
    ours = encode(pixels[None], list(code.tables), code.chroma_factor, variant)
    for name, mine, theirs, quotients in zip(
        ("Y", "Cb", "Cr"), ours.quantized, code.coefficients, ours.quotients, strict=False
    ):
        by, bx = mine.shape[1:3]
        differ = int((mine[0] != theirs[:by, :bx]).sum())
        assert differ == 0, f"{name}: {differ} of {mine[0].size} differ ({code.subsampling}, {variant})"
        assert np.array_equal(round_half_away(torch.from_numpy(quotients)).numpy(), mine)


@pytest.mark.parametrize("version", ["turbo210", "6b"])
@pytest.mark.parametrize("method", ["float", "ifast"])
def test_float_and_ifast_dcts_of_turbo_and_6b(tmp_path, version, method):
    for name in ("photo", "noise", "extreme", "saturated"):
        for sampling in ("4:4:4", "4:2:0"):
            for quality in (10, 50, 95, 100):
                jpeg = with_jpeglib(
                    version,
                    IMAGES[name],
                    sampling,
                    tmp_path,
                    qt=quality,
                    dct_method=DCTMethod[f"JDCT_{method.upper()}"],
                )
                assert_variant(tmp_path, IMAGES[name], jpeg, Variant(method))


@pytest.mark.parametrize("version", SCALED_BUILDS)
@pytest.mark.parametrize("sampling", ["4:2:0", "4:2:2", "4:4:0"])
def test_ijg_7_to_9_scaled_dct_chroma(tmp_path, version, sampling):
    for name in ("coffee", "noise", "extreme", "checker"):
        for quality in (10, 75, 100):
            jpeg = with_jpeglib(version, IMAGES[name], sampling, tmp_path, qt=quality)
            assert_variant(tmp_path, IMAGES[name], jpeg, Variant("islow", True))


@pytest.mark.parametrize("method", ["float", "ifast"])
def test_ijg_9_float_and_ifast_luma_with_scaled_chroma(tmp_path, method):
    for sampling in ("4:2:0", "4:2:2", "4:4:4"):
        for name in ("synthetic", "saturated"):
            jpeg = with_jpeglib(
                "9f", IMAGES[name], sampling, tmp_path, qt=30, dct_method=DCTMethod[f"JDCT_{method.upper()}"]
            )
            assert_variant(tmp_path, IMAGES[name], jpeg, Variant(method, True))


def test_odd_sizes_under_every_variant(tmp_path):
    photo = synthetic_photo(40, 40, 11)
    for height, width in ((1, 1), (9, 17), (17, 9), (23, 31)):
        part = np.ascontiguousarray(photo[:height, :width])
        for version, method, scaled in (("9e", "islow", True), ("turbo210", "float", False), ("6b", "ifast", False)):
            for sampling in ("4:2:0", "4:2:2"):
                jpeg = with_jpeglib(
                    version, part, sampling, tmp_path, qt=60, dct_method=DCTMethod[f"JDCT_{method.upper()}"]
                )
                assert_variant(tmp_path, part, jpeg, Variant(method, scaled))


def test_turbo_reciprocal_division_is_exact_for_every_ifast_divisor():
    """libjpeg-turbo quantizes ifast output with compute_reciprocal's multiply-and-shift; for every divisor
    the ifast tables build from entries 1-255 and every |t| < 2^15, that is ⌊(|t| + ⌊D/2⌋) / D⌋."""
    divisors = np.unique(np.concatenate([ifast_divisors(np.full((8, 8), m)).ravel() for m in range(1, 256)]))
    t = np.arange(1 << 15, dtype=np.int64)
    for divisor in divisors.tolist():
        shift = 16 + divisor.bit_length() - 1
        reciprocal, remainder = divmod(1 << shift, divisor)
        correction = divisor // 2
        if remainder == 0:
            reciprocal, shift = reciprocal >> 1, shift - 1
        elif remainder <= divisor // 2:
            correction += 1
        else:
            reciprocal += 1
        if divisor == 1:
            continue  # identity, handled apart by turbo
        assert np.array_equal(((t + correction) * reciprocal) >> shift, (t + divisor // 2) // divisor), divisor


def test_float_quotients_round_to_libjpegs_float_quantization():
    """(int)(x + 16384.5f) − 16384 rounds ties up (−2.5 → −2) and, after the float addition, values within
    2⁻¹⁰ of an edge either way; the quotients reported for it always round half away to its X_Q."""
    x = np.array([-2.5, 2.5, -0.5, 0.5, 1.4999, -1.5000001, 3.49951, 0.0], dtype=np.float32)
    quantized = quantize_float(x)
    assert quantized.tolist()[:4] == [-2, 3, 0, 1]
    quotients = float_quotients(x, quantized)
    assert np.array_equal(np.sign(quotients) * np.floor(np.abs(quotients) + 0.5), quantized)
    assert np.abs(quotients - quantized).max() <= 0.5


def test_scaled_dct_is_eight_times_the_dct_of_the_averaged_block_to_within_rounding():
    from scipy.fft import dctn

    blocks = np.random.default_rng(5).integers(0, 256, (200, 16, 16))
    averaged = blocks.reshape(200, 8, 2, 8, 2).mean(axis=(2, 4))
    exact = 8 * dctn(averaged - 128.0, type=2, norm="ortho", axes=(1, 2))
    # the 16-point DCT's low half is not the DCT of the 2×2 average: a cosine filter, close at low frequencies
    assert np.abs(forward_dct_scaled(blocks, (16, 16))[:, 0, 0] - exact[:, 0, 0]).max() <= 1


def test_sse_float_rounding_differs_from_the_c_code_only_next_to_a_rounding_edge():
    """libjpeg-turbo's SIMD quantization (cvtps2dq: half to even) against the C code's (int)(x + 16384.5f) −
    16384: the same on every coefficient more than 2⁻¹⁰ from a rounding edge; ties go their own ways."""
    assert quantize_float_sse(np.array([2.5, -2.5, 3.5, -3.5], np.float32)).tolist() == [2, -2, 4, -4]
    assert quantize_float(np.array([2.5, -2.5, 3.5, -3.5], np.float32)).tolist() == [3, -2, 4, -3]
    rng = np.random.default_rng(9)
    blocks = rng.integers(0, 256, (4000, 8, 8))
    scaled = scaled_float(forward_dct_float(blocks), rng.integers(1, 40, (8, 8)))
    differ = quantize_float(scaled) != quantize_float_sse(scaled)
    edge = np.abs(np.abs(scaled.astype(np.float64)) % 1.0 - 0.5)
    assert differ.sum() < 0.001 * differ.size and (edge[differ] <= 2.0**-10).all()
