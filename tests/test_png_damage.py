"""A damaged or odd PNG given to ``verify``: one line on stderr, ours, whatever libpng has to say.

libpng writes its own "libpng error: …" and "libpng warning: …" lines straight to file descriptor 2; the
command folds the error into its message and drops the warnings."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from explorer_app.cli.main import main

from conftest import synthetic_photo, write_jpeg

PHOTO = synthetic_photo(16, 24, 1)
ROOT = Path(__file__).resolve().parents[1]


def chunk(kind: bytes, body: bytes) -> bytes:
    """A PNG chunk with its true checksum."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png() -> bytes:
    ok, buffer = cv2.imencode(".png", np.ascontiguousarray(PHOTO[:, :, ::-1]))
    assert ok
    return buffer.tobytes()


def bad_checksum(kind: bytes) -> bytes:
    """The PNG with the first byte of the ``kind`` chunk's CRC flipped."""
    data = bytearray(png())
    start = data.index(kind)
    length = int.from_bytes(data[start - 4 : start], "big")
    data[start + 4 + length] ^= 0xFF
    return bytes(data)


def bad_deflate() -> bytes:
    """The PNG with a byte inside its compressed pixels changed, under a checksum made to match."""
    data = bytearray(png())
    start = data.index(b"IDAT")
    length = int.from_bytes(data[start - 4 : start], "big")
    body = bytearray(data[start + 4 : start + 4 + length])
    body[length // 2] ^= 0x5A
    return bytes(data[: start - 4] + chunk(b"IDAT", bytes(body)) + data[start + 8 + length :])


def odd_srgb() -> bytes:
    """A readable PNG with an sRGB chunk holding an invalid rendering intent (libpng warns, and reads it)."""
    data = png()
    start = data.index(b"IDAT") - 4
    return data[:start] + chunk(b"sRGB", b"\x09") + data[start:]


def long_header() -> bytes:
    """The PNG with its IHDR chunk's length field one too large (OpenCV 5 then says so on stderr itself)."""
    data = bytearray(png())
    data[11] += 1
    return bytes(data)


def huge_chunk() -> bytes:
    """The PNG with a tEXt chunk declaring 2 GiB inserted after its header, its data absent."""
    data = png()
    return data[:33] + struct.pack(">I", 0x7FFFFFF0) + b"tEXt" + data[33:]


def run_verify(tmp_path: Path, data: bytes, capfd) -> tuple[int, str, str]:
    jpeg = write_jpeg(tmp_path / "file.jpg", PHOTO, quality=90)
    (tmp_path / "image.png").write_bytes(data)
    code = main(["verify", str(tmp_path / "image.png"), str(jpeg)])
    out, err = capfd.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda: bad_checksum(b"IHDR"), "IHDR: CRC error"),
        (lambda: bad_checksum(b"IDAT"), "IDAT: CRC error"),
        (bad_deflate, "IDAT"),
    ],
    ids=["header checksum", "pixels checksum", "pixels deflate"],
)
def test_a_damaged_png_gets_one_line_of_error_ours_with_libpng_s_reason(tmp_path, capfd, damage, reason):
    code, out, err = run_verify(tmp_path, damage(), capfd)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("jpeg-explorer: error:") and "not a readable PNG file" in err and reason in err
    assert "libpng" not in err


def test_a_png_whose_header_length_is_wrong_gets_one_line_of_error_ours(tmp_path, capfd):
    """Found by the coverage-guided fuzzer: OpenCV's own "[ERROR:…] … IHDR chunk shall be first" came first."""
    code, out, err = run_verify(tmp_path, long_header(), capfd)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("jpeg-explorer: error:"), err
    assert "not a readable PNG file" in err


def test_a_chunk_declaring_more_than_the_file_holds_is_refused_before_decoding(tmp_path):
    """Found by the coverage-guided fuzzer (libFuzzer's memory limit): OpenCV 5 allocated the declared 2 GiB
    of a 2.6-kB file before refusing it. Measured in a child process: its peak memory stays small."""
    (tmp_path / "huge.png").write_bytes(huge_chunk())
    # The peak is read from /proc (VmHWM: this process's own memory since its exec); getrusage's ru_maxrss
    # keeps the high-water mark of the process that forked it (a test worker with torch loaded: 1 GB).
    script = (
        "import re, sys\n"
        "from explorer_app.verify.png_io import ImageReadError, read_png\n"
        "try:\n    read_png(sys.argv[1])\nexcept ImageReadError as error:\n    print(error)\n"
        "status = open('/proc/self/status').read()\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) // 1024)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "huge.png")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    refusal, peak_mib = result.stdout.splitlines()
    assert "a chunk runs past the end of the file" in refusal
    assert int(peak_mib) < 500


def test_libpng_s_warning_on_a_png_it_reads_is_not_shown(tmp_path, capfd):
    code, out, err = run_verify(tmp_path, odd_srgb(), capfd)
    assert code in (0, 1) and "VERIFIED" in out
    assert err == ""
