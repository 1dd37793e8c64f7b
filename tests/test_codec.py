"""Real files written by Pillow/libjpeg at test time: what read_jpeg finds in them, and that our z = 0, Δ = 0
decode shows the same picture as libjpeg's own decode."""

from __future__ import annotations

import jpeglib
import numpy as np
import pytest
from PIL import Image, ImageOps

from explorer_app.codec import from_display, plain_decode, read_jpeg, to_display
from explorer_app.codec.tables import CHROMA_BASE, LUMA_BASE, estimate_ijg_quality, ijg_table
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.inference import decode_code
from explorer_app.decoder.render import render_planes
from explorer_app.resources import example_jpeg

from conftest import synthetic_photo, tiny_decoder, write_jpeg

FILES = [  # (quality, subsampling, progressive, color, height, width)
    (5, "4:2:0", False, True, 64, 96),
    (30, "4:2:0", True, True, 301, 197),
    (50, "4:2:2", False, True, 17, 9),
    (75, "4:4:4", True, True, 40, 56),
    (95, "4:2:0", False, True, 33, 70),
    (20, None, False, False, 301, 197),
    (90, None, True, False, 9, 17),
]
FILE_IDS = [f"q{q}-{s or 'grey'}{'-prog' if p else ''}-{w}x{h}" for q, s, p, _, h, w in FILES]


def _write(folder, params):
    quality, subsampling, progressive, color, height, width = params
    return write_jpeg(
        folder / "file.jpg",
        synthetic_photo(height, width, seed=quality, color=color),
        quality=quality,
        subsampling=subsampling or "4:4:4",
        progressive=progressive,
    )


@pytest.fixture(params=FILES, ids=FILE_IDS)
def pillow_file(request, tmp_path):
    return _write(tmp_path, request.param), request.param


COLOUR_FILES = [(f, i) for f, i in zip(FILES, FILE_IDS, strict=True) if f[3] and min(f[4], f[5]) >= 32]


def test_coefficients_equal_jpeglibs_own_read(pillow_file):
    path, (_, _, _, color, height, width) = pillow_file
    code = read_jpeg(path)
    own = jpeglib.read_dct(str(path))
    expected = [own.Y] + ([own.Cb, own.Cr] if color else [])
    assert len(code.coefficients) == len(expected)
    for ours, theirs in zip(code.coefficients, expected, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert (code.height, code.width) == (height, width)
    assert code.coefficients[0].shape[:2] == (-(-height // 8), -(-width // 8))


def test_tables_equal_what_pillow_wrote(pillow_file):
    path, (quality, _, _, color, _, _) = pillow_file
    code = read_jpeg(path)
    np.testing.assert_array_equal(code.tables[0], ijg_table(LUMA_BASE, quality))
    if color:
        np.testing.assert_array_equal(code.tables[1], ijg_table(CHROMA_BASE, quality))
        np.testing.assert_array_equal(code.tables[2], ijg_table(CHROMA_BASE, quality))
    assert estimate_ijg_quality(code.tables[0]) == (quality, 0.0)


def test_custom_tables_are_read_in_natural_order(tmp_path):
    rng = np.random.default_rng(7)
    luma, chroma = rng.integers(1, 120, 64), rng.integers(1, 120, 64)
    path = write_jpeg(tmp_path / "custom.jpg", synthetic_photo(24, 40), qtables=[luma.tolist(), chroma.tolist()])
    code = read_jpeg(path)
    with Image.open(path) as image:
        written = image.quantization
    np.testing.assert_array_equal(code.tables[0].ravel(), written[0])
    np.testing.assert_array_equal(code.tables[1].ravel(), written[1])
    np.testing.assert_array_equal(code.tables[0].ravel(), luma)  # Pillow's qtables= and ours: row-major


def test_sampling_progressive_and_size_are_reported(pillow_file):
    path, (_, subsampling, progressive, color, height, width) = pillow_file
    code = read_jpeg(path)
    assert code.subsampling == (subsampling if color else "grey")
    assert code.progressive == progressive
    assert code.is_color == color
    if color:
        fy, fx = code.chroma_factor
        assert code.coefficients[1].shape[:2] == (-(-height // (8 * fy)), -(-width // (8 * fx)))


def _zero_decode(path):
    """Our decode with an untrained decoder (zero head, so Δ = 0) at z = 0: (image (H, W, C), planes)."""
    code = read_jpeg(path)
    decoder = tiny_decoder(seed=0, head_scale=0.0)
    output = decode_code(decoder, code)
    assert float(output.delta_y.abs().max()) == 0.0
    tensors = CodeTensors.from_code(code)
    planes = render_planes(tensors.y_q, tensors.y_table, tensors.c_q, tensors.c_table, tensors.chroma_factor)
    crop = lambda t: np.clip(np.round(t[0].permute(1, 2, 0).numpy()), 0, 255)[: code.height, : code.width]  # noqa: E731
    return crop(output.image), crop(planes)


def _libjpeg_ycbcr(path) -> np.ndarray:
    """libjpeg's decode before colour conversion (its own IDCT and chroma upsampling), (H, W, 3)."""
    with Image.open(path) as image:
        image.draft("YCbCr", image.size)
        return np.asarray(image).astype(np.float64)


def test_zero_decode_luma_and_grey_match_libjpeg_within_two_levels(pillow_file):
    path, (_, _, _, color, _, _) = pillow_file
    image, planes = _zero_decode(path)
    if color:
        difference = np.abs(planes[:, :, 0] - _libjpeg_ycbcr(path)[:, :, 0])
    else:
        difference = np.abs(image[:, :, 0] - plain_decode(path))
    assert difference.max() <= 2  # measured: 1 (libjpeg's integer IDCT against our float one)


@pytest.mark.parametrize("params", [f for f, _ in COLOUR_FILES], ids=[i for _, i in COLOUR_FILES])
def test_zero_decode_colour_matches_libjpeg_decode(tmp_path, params):
    """RGB against libjpeg's own RGB decode. Chroma is upsampled differently on purpose (consistent
    upsampling, whose box average is exactly the stored chroma; libjpeg's triangle filter is not), so
    subsampled files differ by a few levels where chroma is textured or has edges: there the bound is on
    the median, the 90th percentile and the mean; for 4:4:4 on the 99th percentile."""
    path, subsampling = _write(tmp_path, params), params[1]
    image, _ = _zero_decode(path)
    difference = np.abs(image - plain_decode(path))
    if subsampling == "4:4:4":
        assert np.percentile(difference, 99) <= 2 and difference.mean() <= 1.0
    else:
        assert np.median(difference) <= 1  # measured: 0 to 1
        assert np.percentile(difference, 90) <= 4  # measured: 2 to 4 (4 at quality 95: textured chroma)
        assert difference.mean() <= 2.0  # measured: 0.6 to 1.9


def test_chroma_planes_agree_with_libjpeg_where_chroma_is_smooth(tmp_path):
    """A wrong chroma block order, a swapped Cb/Cr or a one-pixel shift breaks this; the upsampler does not."""
    path = write_jpeg(tmp_path / "smooth.jpg", synthetic_photo(96, 128, seed=5), quality=90, subsampling="4:2:0")
    _, planes = _zero_decode(path)
    difference = np.abs(planes[:, :, 1:] - _libjpeg_ycbcr(path)[:, :, 1:])
    assert difference.mean() <= 1.0 and np.percentile(difference, 90) <= 2  # measured 0.53 and 1; shifted
    # by one pixel: 1.41 and 3


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
def test_exif_orientation_is_shown_like_pillows_exif_transpose(tmp_path, orientation):
    path = write_jpeg(
        tmp_path / "turned.jpg", synthetic_photo(24, 40, seed=orientation), quality=80, orientation=orientation
    )
    code = read_jpeg(path)
    assert code.orientation == orientation
    assert (code.height, code.width) == (24, 40)  # maths stays in the file's own orientation
    with Image.open(path) as image:
        expected = np.asarray(ImageOps.exif_transpose(image))
    np.testing.assert_array_equal(to_display(plain_decode(path), orientation), expected)
    # a mask drawn on what is shown lands on the same pixels of the file
    np.testing.assert_array_equal(from_display(expected, orientation), plain_decode(path))


def test_the_bundled_example_opens_and_decodes(tmp_path):
    code = read_jpeg(example_jpeg())
    assert code.is_color and code.subsampling == "4:2:0"
    assert estimate_ijg_quality(code.tables[0])[0] <= 30  # compressed hard enough to explore
    image, _ = _zero_decode(example_jpeg())
    assert image.shape == (code.height, code.width, 3)


@pytest.mark.parametrize("seed", range(6))
def test_the_rebuilt_stream_gives_jpeglibs_coefficients_of_the_original(tmp_path, seed):
    """Restart markers, optimized Huffman tables, EXIF and COM segments, progressive scans of an odd size: what
    the reader hands libjpeg (segments dropped, ids renumbered) decodes to the original file's coefficients."""
    from fuzz.seeds import seed_jpegs

    photo = seed_jpegs()[seed]
    path = tmp_path / f"{photo.name}.jpg"
    path.write_bytes(photo.data)
    code = read_jpeg(path)
    own = jpeglib.read_dct(str(path))
    for ours, theirs in zip(code.coefficients, [c for c in (own.Y, own.Cb, own.Cr) if c is not None], strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert [t.tolist() for t in code.tables] == [own.qt[i].tolist() for i in own.quant_tbl_no[: len(code.tables)]]
