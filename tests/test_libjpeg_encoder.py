"""The libjpeg emulation against the real thing: Pillow's and OpenCV's encoders (libjpeg-turbo), and the IJG
and turbo builds inside jpeglib, on photos, noise, saturated and extreme images, odd sizes, every sampling
and grey, IJG qualities 1-100 and custom tables. Every quantized coefficient must be identical."""

from __future__ import annotations

import io

import cv2
import jpeglib
import numpy as np
import pytest
import skimage.data
import torch
from PIL import Image

from explorer_app.codec import read_jpeg
from explorer_app.ops.quantization import round_half_away
from explorer_app.verify.libjpeg.fdct import forward_dct
from explorer_app.verify.libjpeg.pipeline import encode

from conftest import synthetic_photo

OPENCV_SAMPLING = {
    "4:4:4": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444,
    "4:2:2": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422,
    "4:2:0": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420,
    "4:4:0": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_440,
}
JPEGLIB_SAMPLING = {
    "4:4:4": ((1, 1), (1, 1), (1, 1)),
    "4:2:2": ((2, 1), (1, 1), (1, 1)),
    "4:2:0": ((2, 2), (1, 1), (1, 1)),
    "4:4:0": ((1, 2), (1, 1), (1, 1)),
}


def extreme_blocks() -> np.ndarray:
    """uint8 (64, 64, 3): for each of the 64 DCT basis functions one 8×8 block at 0/255 following its sign
    (the largest coefficient an 8-bit block can hold), once positive and once negative per channel."""
    grid = np.arange(8)
    basis = np.cos((2 * grid[:, None] + 1) * grid[None, :] * np.pi / 16)  # (x, u)
    blocks = np.zeros((8, 8, 8, 8, 3), np.uint8)
    for v in range(8):
        for u in range(8):
            sign = np.outer(basis[:, v], basis[:, u]) >= 0
            blocks[v, u] = np.stack([sign, ~sign, sign], -1) * 255
    return blocks.transpose(0, 2, 1, 3, 4).reshape(64, 64, 3)


def images() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    saturated = np.clip(synthetic_photo(40, 56, 5).astype(int) * 3 - 250, 0, 255).astype(np.uint8)
    return {
        "astronaut": skimage.data.astronaut()[100:223, 150:227],
        "coffee": skimage.data.coffee()[120:257, 200:391],
        "synthetic": synthetic_photo(45, 61, 3),
        "noise": rng.integers(0, 256, (37, 29, 3), dtype=np.uint8),
        "saturated": saturated,
        "extreme": extreme_blocks(),
        "checker": np.repeat((np.indices((33, 35)).sum(0) % 2 * 255).astype(np.uint8)[:, :, None], 3, 2),
    }


IMAGES = images()


def assert_identical(pixels: np.ndarray, jpeg: bytes, tmp_path) -> None:
    """The emulation of ``pixels`` (uint8 (H, W, 3) or (H, W)) equals the file's coefficients everywhere."""
    path = tmp_path / "file.jpg"
    path.write_bytes(jpeg)
    code = read_jpeg(path)
    samples = pixels[None] if pixels.ndim == 3 else pixels[None, :, :, None]
    ours = encode(samples, list(code.tables), code.chroma_factor)
    assert len(ours.quantized) == len(code.coefficients)
    for name, mine, theirs in zip(("Y", "Cb", "Cr"), ours.quantized, code.coefficients, strict=False):
        by, bx = mine.shape[1:3]
        differ = int((mine[0] != theirs[:by, :bx]).sum())
        assert differ == 0, f"{name}: {differ} of {mine[0].size} coefficients differ ({code.subsampling})"


def pillow(pixels: np.ndarray, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def opencv(pixels: np.ndarray, quality: int, sampling: str | None = None, chroma_quality: int | None = None) -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, quality]
    if sampling is not None:
        params += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, OPENCV_SAMPLING[sampling]]
    if chroma_quality is not None:
        params += [cv2.IMWRITE_JPEG_CHROMA_QUALITY, chroma_quality]
    ok, buffer = cv2.imencode(".jpg", np.ascontiguousarray(pixels[:, :, ::-1] if pixels.ndim == 3 else pixels), params)
    assert ok
    return buffer.tobytes()


def with_jpeglib(
    version: str, pixels: np.ndarray, sampling: str, tmp_path, flags: tuple[str, ...] = (), **options: object
) -> bytes:
    with jpeglib.version(version):
        image = jpeglib.from_spatial(pixels)
        image.samp_factor = np.array(JPEGLIB_SAMPLING[sampling])
        image.write_spatial(str(tmp_path / "jpeglib.jpg"), flags=list(flags), **options)
    return (tmp_path / "jpeglib.jpg").read_bytes()


@pytest.mark.parametrize("name", sorted(IMAGES))
@pytest.mark.parametrize("sampling", [0, 1, 2], ids=["4:4:4", "4:2:2", "4:2:0"])
def test_pillow_every_tenth_quality(tmp_path, name, sampling):
    for quality in (1, 5, 12, 23, 30, 47, 50, 68, 75, 90, 95, 100):
        assert_identical(IMAGES[name], pillow(IMAGES[name], quality=quality, subsampling=sampling), tmp_path)


@pytest.mark.sweep
def test_pillow_every_quality_from_1_to_100_on_a_photo(tmp_path):
    photo = IMAGES["astronaut"]
    for quality in range(1, 101):
        assert_identical(photo, pillow(photo, quality=quality, subsampling=2), tmp_path)


@pytest.mark.parametrize("name", ["astronaut", "noise", "extreme", "saturated"])
def test_pillow_grey(tmp_path, name):
    grey = IMAGES[name][:, :, 1]
    for quality in (1, 10, 50, 90, 100):
        assert_identical(grey, pillow(grey, quality=quality), tmp_path)


@pytest.mark.parametrize("seed", range(4))
def test_pillow_custom_tables(tmp_path, seed):
    rng = np.random.default_rng(seed)
    tables = [rng.integers(1, 256, 64).tolist() for _ in range(2)]
    for name in ("coffee", "noise", "extreme"):
        for sampling in (0, 1, 2):
            assert_identical(IMAGES[name], pillow(IMAGES[name], qtables=tables, subsampling=sampling), tmp_path)


@pytest.mark.parametrize("sampling", sorted(OPENCV_SAMPLING))
def test_opencv_every_sampling_with_its_own_chroma_quality(tmp_path, sampling):
    for name in ("coffee", "synthetic", "saturated", "extreme"):
        for quality in (3, 20, 50, 85, 100):
            data = opencv(IMAGES[name], quality, sampling, chroma_quality=101 - quality)
            assert_identical(IMAGES[name], data, tmp_path)


def test_opencv_grey(tmp_path):
    for quality in (5, 30, 95):
        assert_identical(IMAGES["coffee"][:, :, 0], opencv(IMAGES["coffee"][:, :, 0], quality), tmp_path)


@pytest.mark.parametrize("version", ["6b", "turbo120", "turbo210"])
@pytest.mark.parametrize("sampling", sorted(JPEGLIB_SAMPLING))
def test_ijg_6b_and_turbo_builds_with_three_tables(tmp_path, version, sampling):
    """Cb and Cr on tables of their own (which Pillow cannot write), and 4:4:0, through jpeglib's builds."""
    tables = np.random.default_rng(7).integers(1, 120, (3, 8, 8)).astype(np.uint16)
    data = with_jpeglib(version, IMAGES["synthetic"], sampling, tmp_path, qt=tables, quant_tbl_no=np.array([0, 1, 2]))
    assert_identical(IMAGES["synthetic"], data, tmp_path)


@pytest.mark.parametrize("sampling", ["4:2:0", "4:2:2", "4:4:0"])
def test_ijg_libjpeg_9_codes_subsampled_chroma_with_a_scaled_dct_unless_told_not_to(tmp_path, sampling):
    """Where this (islow, box-averaged) pipeline differs: IJG libjpeg 7-9 by default make subsampled chroma
    with a 16-point DCT of the full-resolution plane (do_fancy_downsampling), not by box averaging; its
    luma, and everything with that option off, match. (mozjpeg's trellis quantization differs by design,
    likewise matching when it is off.) Both are encoders of their own: tests/test_libjpeg_encoders.py."""
    photo = IMAGES["synthetic"]
    code_path = tmp_path / "ijg9.jpg"
    code_path.write_bytes(with_jpeglib("9e", photo, sampling, tmp_path, qt=75))
    code = read_jpeg(code_path)
    ours = encode(photo[None], list(code.tables), code.chroma_factor)
    by, bx = ours.quantized[0].shape[1:3]
    assert np.array_equal(ours.quantized[0][0], code.coefficients[0][:by, :bx])
    assert any(
        (mine[0] != theirs[: mine.shape[1], : mine.shape[2]]).any()
        for mine, theirs in zip(ours.quantized[1:], code.coefficients[1:], strict=True)
    )
    plain = with_jpeglib("9e", photo, sampling, tmp_path, flags=("-DO_FANCY_DOWNSAMPLING",), qt=75)
    assert_identical(photo, plain, tmp_path)
    no_trellis = with_jpeglib(
        "mozjpeg403", photo, sampling, tmp_path, flags=("-TRELLIS_QUANT", "-TRELLIS_QUANT_DC"), qt=75
    )
    assert_identical(photo, no_trellis, tmp_path)


def test_odd_sizes_one_pixel_to_two_mcus(tmp_path):
    photo = skimage.data.coffee()
    for height, width in ((1, 1), (1, 17), (9, 1), (15, 15), (17, 33), (31, 18)):
        part = np.ascontiguousarray(photo[200 : 200 + height, 300 : 300 + width])
        for sampling in (0, 1, 2):
            assert_identical(part, pillow(part, quality=60, subsampling=sampling), tmp_path)
        assert_identical(part, opencv(part, 60, "4:4:0"), tmp_path)


def test_turbo_reciprocal_division_is_exact_rounding():
    """libjpeg-turbo quantizes with compute_reciprocal's multiply-and-shift (16-bit DCT elements, as its SIMD
    builds use); for every |t| < 2^15 and table entry 1-255 that is round-half-away of t / 8M."""
    t = np.arange(1 << 15, dtype=np.int64)
    for entry in range(1, 256):
        divisor = 8 * entry
        shift = 16 + divisor.bit_length() - 1
        reciprocal, remainder = divmod(1 << shift, divisor)
        correction = divisor // 2
        if remainder == 0:
            reciprocal, shift = reciprocal >> 1, shift - 1
        elif remainder <= divisor // 2:
            correction += 1
        else:
            reciprocal += 1
        assert np.array_equal(((t + correction) * reciprocal) >> shift, (t + divisor // 2) // divisor), entry


def test_quotients_round_to_the_quantized_values_and_stay_within_half_a_step():
    rng = np.random.default_rng(3)
    samples = rng.integers(0, 256, (2, 24, 40, 3), dtype=np.uint8)
    tables = [rng.integers(1, 256, (8, 8)) for _ in range(3)]
    result = encode(samples, tables, (2, 2))
    for quantized, quotients in zip(result.quantized, result.quotients, strict=True):
        assert np.array_equal(round_half_away(torch.from_numpy(quotients)).numpy(), quantized)
        assert np.abs(quotients - quantized).max() <= 0.5


def test_forward_dct_is_eight_times_the_orthonormal_dct_to_within_its_rounding():
    from scipy.fft import dctn

    blocks = np.random.default_rng(4).integers(0, 256, (500, 8, 8))
    exact = 8 * dctn(blocks - 128.0, type=2, norm="ortho", axes=(1, 2))
    assert np.abs(forward_dct(blocks) - exact).max() < 1.5
