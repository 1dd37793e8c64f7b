"""Hostile input at the reader: every hand-made hostile class (built by fuzz/hostile.py) is read exactly or refused
in one line, at once; libjpeg only ever sees a rebuilt stream, in a child process whose crash or hang is one
line too; FIFOs and devices are refused without blocking; declared sizes are checked before allocating."""

from __future__ import annotations

import io
import json
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from explorer_app.codec import (
    InvalidJpegError,
    JpegError,
    UnsupportedJpegError,
    coefficient_reader,
    plain_decode,
    read_jpeg,
)
from explorer_app.codec.huffman import STANDARD_TABLES
from explorer_app.codec.markers import split_segments
from explorer_app.codec.rebuild import rebuild_stream
from fuzz.hostile import HOSTILE
from fuzz.mutations import spans
from fuzz.seeds import seed_jpegs

ROOT = Path(__file__).resolve().parents[1]
READ = "read"
EXPECTED = {  # hostile class: READ (same coefficients as the clean photo) or words of the one-line refusal
    "com-then-empty-com": READ,  # crashed every command inside jpeglib (SIGSEGV/SIGABRT)
    "empty-app1": READ,
    "sixty-com": READ,  # OSError: reading info of /tmp/tmpXXXX.jpg failed
    "no-dht": READ,  # the standard tables are implied; Pillow and libjpeg accept it
    "dht-length-off": "corrupt",
    "rgb-component-ids": "RGB-coded",  # decoded NOT VERIFIED at 87% as if YCbCr
    "adobe-transform-0": "RGB-coded",
    "quality-1": "quality-1",  # read, not compared: another encoding of the photo
    "corrupt-exif": READ,
    "sixteen-bit-tables": "sixteen",  # read, not compared: other tables
    "sof-10900-body-16": "too large",  # Pillow decoded 947 MB before the refusal
    "sof-4000-body-16": "truncated or corrupt",
    "sof-65535": "too large",
    "sof-zero-height": "DNL",
    "twelve-bit": "12-bit",
    "cmyk": "CMYK",
    "six-hundred-scans": "more than 500 scans",
    "truncated": "truncated",
    "empty": "empty",
    "text": "not a JPEG",
    "fifo": "FIFO",  # blocked forever
    "dev-zero": "character device",  # read without bound
    "folder": "folder",
    "tall-8x65500": "tall",  # read, not compared (the export of it is slow: see the fuzzer's notes)
}


@pytest.fixture(scope="module")
def clean() -> bytes:
    """The photo the hostile classes are made from (fuzz/seeds.py)."""
    return seed_jpegs()[0].data


class Timeout(BaseException):
    """Raised by SIGALRM in the test: a read that blocks fails the test instead of hanging it."""


@pytest.fixture
def deadline():
    def expire(*_):
        raise Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if not h.huge], ids=lambda h: h.name)
def test_hostile_class_is_read_exactly_or_refused_in_one_line(hostile, tmp_path, clean, deadline):
    path = hostile.build(tmp_path)
    expected = EXPECTED[hostile.name]
    start = time.monotonic()
    if expected in (READ, "quality-1", "sixteen", "tall"):
        code = read_jpeg(path)
        if expected == READ:
            reference = read_jpeg(_write(tmp_path / "clean.jpg", clean))
            assert [c.shape for c in code.coefficients] == [c.shape for c in reference.coefficients]
            for ours, theirs in zip(code.coefficients, reference.coefficients, strict=True):
                np.testing.assert_array_equal(ours, theirs)
        return
    with pytest.raises(JpegError) as refusal:
        read_jpeg(path)
    message = str(refusal.value)
    assert expected.lower() in message.lower() and "\n" not in message and message.startswith(str(path))
    assert time.monotonic() - start < 10  # at once: nothing big was allocated or decoded first


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_the_standard_huffman_tables_are_the_ones_libjpeg_writes():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, format="JPEG", quality=50)
    data = buffer.getvalue()
    written = b"".join(data[s.start + 4 : s.end] for s in spans(data) if s.marker == 0xC4)
    assert written == b"".join(STANDARD_TABLES[slot] for slot in [(0, 0), (1, 0), (0, 1), (1, 1)])


def test_libjpeg_sees_no_metadata_and_ycbcr_component_ids(tmp_path):
    hostile = next(h for h in HOSTILE if h.name == "com-then-empty-com").build(tmp_path).read_bytes()
    exif = seed_jpegs()[4].data  # EXIF and a COM segment
    for data in (hostile, exif):
        stream = rebuild_stream(data).data
        markers = [segment.marker for segment in split_segments(stream)]
        assert not [m for m in markers if 0xE0 <= m <= 0xEF or m == 0xFE]
        sof = next(s for s in split_segments(stream) if s.marker in (0xC0, 0xC2))
        assert [sof.body[6 + 3 * i] for i in range(sof.body[5])] == [1, 2, 3]
    assert read_jpeg(_write(tmp_path / "exif.jpg", exif)).orientation == 6  # read before being dropped


def test_rgb_ids_with_a_jfif_marker_are_ycbcr_as_libjpeg_decides(tmp_path, clean):
    """libjpeg: a JFIF marker means YCbCr whatever the ids; the rebuilt stream renumbers them so that every
    decoder agrees, and the plain decode equals Pillow's decode of the original file."""
    data = bytearray(clean)
    for span in spans(clean):
        body = span.start + 4
        if span.marker == 0xC0:
            for i in range(3):
                data[body + 6 + 3 * i] = b"RGB"[i]
        elif span.marker == 0xDA:
            for i in range(data[body]):
                data[body + 1 + 2 * i] = b"RGB"[data[body + 1 + 2 * i] - 1]
    path = _write(tmp_path / "jfif-rgb-ids.jpg", bytes(data))
    code = read_jpeg(path)
    assert code.is_color
    with Image.open(path) as image:
        np.testing.assert_array_equal(plain_decode(path), np.asarray(image.convert("RGB")))


def test_a_crash_in_the_reader_is_one_line_and_leaves_the_caller_alive(tmp_path, clean, monkeypatch, capfd):
    crash = "import os, signal, sys; sys.stderr.write('libjpeg noise\\n'); os.kill(os.getpid(), signal.SIGSEGV)"
    monkeypatch.setattr(coefficient_reader, "_child_command", lambda: [sys.executable, "-c", crash])
    with pytest.raises(InvalidJpegError, match="libjpeg crashed on it: SIGSEGV"):
        read_jpeg(_write(tmp_path / "photo.jpg", clean))
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # the child's messages never reach our stderr


def test_a_reader_killed_by_a_signal_without_a_name_is_one_line_too(tmp_path, clean, monkeypatch):
    """Found by the coverage-guided fuzzer: a real-time signal (37) made the reader raise ValueError."""
    killed = "import os; os.kill(os.getpid(), 37)"
    monkeypatch.setattr(coefficient_reader, "_child_command", lambda: [sys.executable, "-c", killed])
    with pytest.raises(InvalidJpegError, match="libjpeg crashed on it: signal 37"):
        read_jpeg(_write(tmp_path / "photo.jpg", clean))


TABLE = list(range(1, 65))


@pytest.mark.parametrize(
    ("header", "blocks", "words"),
    [
        (b"[" * 60_000, bytes(128), "no result"),  # RecursionError
        (json.dumps({"shapes": [[1, 1]], "tables": [[10**30] * 64]}).encode(), bytes(128), "tables"),  # OverflowError
        (json.dumps({"shapes": [[1, 1]], "tables": [TABLE]}).encode(), None, "incomplete"),  # FileNotFoundError
    ],
    ids=["header nested too deeply", "table entry beyond int64", "blocks missing"],
)
def test_a_damaged_result_of_the_reader_is_one_line_too(tmp_path, header, blocks, words):
    """Found by the coverage-guided fuzzer: what the child left, damaged, raised other errors than the one
    every caller handles (the child itself never writes these; a full disk or a killed child could)."""
    (tmp_path / "libjpeg.txt").write_bytes(b"")
    (tmp_path / "header.json").write_bytes(header)
    if blocks is not None:
        (tmp_path / "blocks.bin").write_bytes(blocks)
    with pytest.raises(InvalidJpegError, match=words) as raised:
        coefficient_reader.read_results(tmp_path, 0, [(1, 1)])
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("header", [{"error": "OSError: one\ntwo"}, {"shapes": "one\ntwo"}], ids=["error", "shapes"])
def test_what_the_reader_wrote_is_quoted_on_one_line(tmp_path, header):
    """Found with the coverage fuzzer's check that a refusal is one line: a newline in the child's JSON."""
    (tmp_path / "libjpeg.txt").write_bytes(b"")
    (tmp_path / "header.json").write_text(json.dumps(header))
    with pytest.raises(InvalidJpegError, match="one two") as raised:
        coefficient_reader.read_results(tmp_path, 1 if "error" in header else 0, [(1, 1)])
    assert "\n" not in str(raised.value)


def test_a_reader_that_hangs_is_stopped(tmp_path, clean, monkeypatch):
    monkeypatch.setattr(
        coefficient_reader, "_child_command", lambda: [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    monkeypatch.setattr(coefficient_reader, "READ_SECONDS", 1.0)
    start = time.monotonic()
    with pytest.raises(InvalidJpegError, match="did not finish"):
        read_jpeg(_write(tmp_path / "photo.jpg", clean))
    assert time.monotonic() - start < 10


def test_the_frozen_application_runs_the_reader_through_its_launcher(tmp_path, clean, monkeypatch):
    """In a PyInstaller bundle sys.executable is the application: packaging/launcher.py must serve the child."""
    launcher = tmp_path / "jpeg-explorer"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {ROOT / "packaging" / "launcher.py"} "$@"\n')
    launcher.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(launcher))
    code = read_jpeg(_write(tmp_path / "photo.jpg", clean))
    assert code.is_color and code.coefficients[0].any()


def test_declared_size_over_the_memory_budget_is_refused_before_reading(tmp_path, clean):
    sof = next(s for s in spans(clean) if s.marker == 0xC0)
    data = bytearray(clean)
    data[sof.start + 5 : sof.start + 9] = (10000).to_bytes(2, "big") * 2
    with pytest.raises(UnsupportedJpegError, match=r"100 MP\) is too large: .* about 7\.0 GiB, over the 4 GiB"):
        read_jpeg(_write(tmp_path / "huge.jpg", bytes(data)))


def test_plain_decode_refuses_what_the_reader_refuses(tmp_path, deadline):
    fifo = next(h for h in HOSTILE if h.name == "fifo").build(tmp_path)
    with pytest.raises(InvalidJpegError, match="FIFO"):
        plain_decode(fifo)
