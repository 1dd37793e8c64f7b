"""The PNG writer: what it writes, two independent decoders read back sample for sample."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from explorer_app.verify.png_io import decode_png
from explorer_app.verify.png_writer import encode_png


@pytest.mark.parametrize("shape", [(1, 1, 1), (1, 9, 3), (7, 1, 3), (33, 17, 3), (64, 48, 1), (301, 203, 3)])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_a_written_png_reads_back_exactly(shape, dtype) -> None:
    """Split into parts deflated on separate threads, filtered, big-endian at 16 bits: a wrong join, filter
    or byte order changes samples, and libpng (through OpenCV) refuses a wrong checksum."""
    samples = np.random.default_rng(sum(shape)).integers(0, np.iinfo(dtype).max + 1, shape).astype(dtype)
    data = encode_png(samples)
    back, depth = decode_png(data, "written.png")
    assert depth == 8 * samples.itemsize and np.array_equal(back, samples)
    with Image.open(io.BytesIO(data)) as image:  # Pillow's own decoder
        image.load()
        assert image.size == (shape[1], shape[0])
        if dtype is np.uint8:
            assert np.array_equal(np.asarray(image).reshape(shape), samples)


def test_a_smooth_photo_compresses() -> None:
    """The filter and deflate do their job: a smooth 16-bit gradient takes a fraction of its raw size."""
    ramp = np.broadcast_to((np.arange(256, dtype=np.uint16) * 257)[None, :, None], (256, 256, 3)).copy()
    assert len(encode_png(ramp)) < ramp.nbytes / 10


@pytest.mark.parametrize(
    "samples", [np.zeros((4, 4, 3), np.float32), np.zeros((4, 4, 2), np.uint8), np.zeros((0, 4, 3), np.uint8)]
)
def test_samples_that_make_no_png_are_refused(samples) -> None:
    with pytest.raises(ValueError, match="PNG samples must"):
        encode_png(samples)
