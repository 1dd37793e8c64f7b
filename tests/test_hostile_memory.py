"""Memory under hostile sizes: a big image is decoded strip by strip, bit for bit as in one piece, and the peak memory
of a real ``decode`` stays within the reader's memory model (which refuses files over the 4 GiB budget)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from explorer_app.codec import read_jpeg
from explorer_app.codec.limits import peak_bytes
from explorer_app.codec.rebuild import rebuild_stream
from explorer_app.decoder.inference import decode_code
from explorer_app.decoder.model import SIZES, JpegDecoder

from conftest import synthetic_photo, write_jpeg

MEASURED = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)"
    ".returncode; print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)"
)
"""Runs a command and prints its exit status and peak resident memory in bytes (its own, not the test's)."""


def lite_sized_decoder() -> JpegDecoder:
    """The shipped lite architecture with random weights (Δ not zero): which convolution kernels oneDNN
    picks depends on the channel counts and sizes, not on the weights."""
    torch.manual_seed(0)
    decoder = JpegDecoder(SIZES["lite"])
    with torch.no_grad():
        for net in (decoder.luma, decoder.chroma):
            net.head.weight.normal_(0.0, 0.05)
            net.head.bias.normal_(0.0, 0.05)
    return decoder.eval()


@pytest.mark.parametrize("subsampling,color", [("4:2:0", True), ("4:2:2", True), (None, False)])
@pytest.mark.parametrize("seed", [None, 5])
def test_strips_give_the_whole_image_decode_bit_for_bit(tmp_path, subsampling, color, seed):
    path = write_jpeg(
        tmp_path / "tall.jpg",
        synthetic_photo(1400, 360, seed=3, color=color),
        quality=40,
        subsampling=subsampling or "4:4:4",
    )
    code = read_jpeg(path)
    decoder = lite_sized_decoder()
    whole = decode_code(decoder, code, seed, strip_pixels=10**9)
    strips = decode_code(decoder, code, seed, strip_pixels=1)  # three strips of three halos each
    for key in ("delta_y", "delta_c", "image"):
        value, stripped = getattr(whole, key), getattr(strips, key)
        assert (value is None and stripped is None) or torch.equal(value, stripped), key


def test_decode_peak_memory_stays_within_the_model(tmp_path):
    """A 2.6-MP 4:2:0 photo through the real command (shipped lite decoder, strips, verified export)."""
    path = write_jpeg(tmp_path / "photo.jpg", synthetic_photo(1600, 1600, seed=1), quality=75)
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    environment.pop("JPEG_EXPLORER_MODELS", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            MEASURED,
            sys.executable,
            "-m",
            "explorer_app.cli.main",
            "decode",
            str(path),
            "-o",
            str(tmp_path / "out.png"),
            "--size",
            "lite",
            "--device",
            "cpu",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    code, peak = (int(word) for word in result.stdout.split()[-2:])
    assert code in (0, 1), result.stderr
    assert 300 * 2**20 < peak <= peak_bytes(rebuild_stream(path.read_bytes()).frame)
