"""The byte parsers the coverage-guided fuzzer (:mod:`fuzz.coverage`) drives, and the inputs it starts from.

A target's ``prepare`` imports what it tests, does its set-up once, and returns the function called on every
input; the functions of its ``instrumented`` modules then get atheris' coverage counters. That function
returns, or catches the target's documented errors (one line each) and returns: any exception that gets out of
it (a broken invariant is an AssertionError), a hang or a crash is a finding.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from PIL import Image

from . import child_results
from .hostile import HOSTILE
from .seeds import png_of, seed_jpegs

OneInput = Callable[[bytes], None]
REGRESSION_FILES = Path(__file__).resolve().parents[1] / "tests" / "data" / "hostile" / "slow-export"
MAX_SEED_BYTES = 32 * 1024
"""Seeds above this are left out: libFuzzer's inputs grow no longer than its largest seed."""
MAX_PNG_PIXELS = 1 << 20
"""The PNG target decodes only images of up to a megapixel: verify decodes a PNG only once its declared
size matched the JPEG's, and 16-bit RGB at 65535 × 65535 would be 25 GiB."""


@dataclass(frozen=True)
class CoverageTarget:
    """name: for ``--target``; instrumented: the modules whose branches count as coverage; errors: what the
    input function may refuse with (documentation: it catches them); prepare(scratch): the input function,
    given a private folder; seeds(scratch): the inputs the campaign starts from."""

    name: str
    instrumented: tuple[str, ...]
    errors: str
    prepare: Callable[[Path], OneInput]
    seeds: Callable[[Path], list[bytes]]


def _one_line(error: Exception) -> None:
    """A refusal is one line for the user: a finding otherwise."""
    assert "\n" not in str(error) and "\r" not in str(error), f"a refusal of more than one line: {str(error)!r}"


def _jpeg_seeds(scratch: Path) -> list[bytes]:
    """The seed photos, the hand-made hostile files (those that are files and small) and the regression files."""
    made = [
        case.build(scratch) for case in HOSTILE if not case.huge and case.name not in ("fifo", "dev-zero", "folder")
    ]
    found = [*made, *sorted(REGRESSION_FILES.glob("*.jpg"))]
    files = [path.read_bytes() for path in found]
    return [seed.data for seed in seed_jpegs()] + [data for data in files if len(data) <= MAX_SEED_BYTES]


def _segments(scratch: Path) -> OneInput:
    """Segment walker, frame and scan headers, Huffman and quantization segments, size limits, EXIF."""
    from explorer_app.codec.errors import JpegError
    from explorer_app.codec.exif import read_exif
    from explorer_app.codec.limits import check_limits
    from explorer_app.codec.rebuild import rebuild_stream

    def one_input(data: bytes) -> None:
        try:
            stream = rebuild_stream(data)
            check_limits(stream)
        except JpegError as error:
            return _one_line(error)
        read_exif(stream.exif)
        assert rebuild_stream(stream.data).data == stream.data, "rebuilding the rebuilt stream changes it"

    return one_input


def _small_jpegs() -> list[bytes]:
    """16 × 16 crops of the first seed photo in 4:2:0, progressive 4:4:4 and grey: a few blocks each, so that
    the coefficient target's inputs are mostly what the parent parses rather than block data."""
    with Image.open(io.BytesIO(seed_jpegs()[0].data)) as photo:
        crop = photo.convert("RGB").crop((0, 0, 16, 16))
    files = []
    for mode, options in (("RGB", {"subsampling": 2}), ("RGB", {"subsampling": 0, "progressive": True}), ("L", {})):
        buffer = io.BytesIO()
        crop.convert(mode).save(buffer, format="JPEG", quality=50, **options)
        files.append(buffer.getvalue())
    return files


def _coefficient_seeds(scratch: Path) -> list[bytes]:
    """What the child leaves for small photos, and the same after a crash, a refusal and a warning."""
    import numpy as np

    from explorer_app.codec import read_jpeg

    seeds = []
    for jpeg in _small_jpegs():
        (scratch / "seed.jpg").write_bytes(jpeg)
        code = read_jpeg(scratch / "seed.jpg")
        header = {
            "shapes": [list(c.shape[:2]) for c in code.coefficients],
            "tables": [t.ravel().tolist() for t in code.tables],
        }
        files = {
            "libjpeg.txt": b"",
            "header.json": json.dumps(header).encode(),
            "blocks.bin": b"".join(np.ascontiguousarray(c, np.int16).tobytes() for c in code.coefficients),
        }
        shapes = [(int(c.shape[0]), int(c.shape[1])) for c in code.coefficients]
        seeds.append(child_results.pack(child_results.ChildResult(0, shapes, files)))
    refused = {"libjpeg.txt": b"Bogus marker length\n", "header.json": b'{"error": "OSError: Bogus marker length"}'}
    warned = {**files, "libjpeg.txt": b"Corrupt JPEG data: 12 extraneous bytes before marker 0xd9\n"}
    for returncode, left in ((-11, {}), (1, refused), (0, warned)):
        seeds.append(child_results.pack(child_results.ChildResult(returncode, shapes, left)))
    return seeds


def _coefficients(scratch: Path) -> OneInput:
    """The parent's reading of what the coefficient reader's child left (libjpeg runs in that child)."""
    from explorer_app.codec.coefficient_reader import read_results
    from explorer_app.codec.errors import InvalidJpegError

    def one_input(data: bytes) -> None:
        result = child_results.unpack(data)
        result.write(scratch)
        try:
            blocks, tables = read_results(scratch, result.returncode, result.shapes)
        except InvalidJpegError as error:
            return _one_line(error)
        assert [b.shape for b in blocks] == [(rows, cols, 8, 8) for rows, cols in result.shapes]
        assert all(t.shape == (8, 8) for t in tables) and len(tables) == len(blocks)

    return one_input


def _png_seeds(scratch: Path) -> list[bytes]:
    """The plain decodes of the seed photos (8-bit RGB and grey), and one of them at 16 bits."""
    import numpy as np

    from explorer_app.verify.png_io import decode_png
    from explorer_app.verify.png_writer import encode_png

    pngs = [png_of(seed.data) for seed in seed_jpegs()]
    samples, _ = decode_png(pngs[0], "seed")
    return [*pngs, encode_png(np.ascontiguousarray(samples).astype(np.uint16) * 257)]


T = TypeVar("T")


def _stderr_of(work: Callable[[], T], sink: Path) -> tuple[T, bytes]:
    """``work()`` and what was written on file descriptor 2 meanwhile (into ``sink``), even by native code."""
    from explorer_app.verify.native_stderr import descriptor_2_into  # imported after the instrumentation

    with open(sink, "w+b") as stream:
        with descriptor_2_into(stream):
            result = work()
        stream.seek(0)
        return result, stream.read()


def _png(scratch: Path) -> OneInput:
    """verify's reading of a PNG: the size its header declares, then the decode (libpng, through OpenCV), which
    must write nothing on stderr: the command's one line of error is the only thing a user sees there."""
    import numpy as np

    from explorer_app.verify.png_io import ImageReadError, decode_png, png_size

    sink = scratch / "stderr.txt"

    def decoded(data: bytes) -> tuple[np.ndarray, int] | None:
        try:
            return decode_png(data, "fuzz.png")
        except ImageReadError as error:
            return _one_line(error)

    def one_input(data: bytes) -> None:
        try:
            height, width = png_size(data, "fuzz.png")
        except ImageReadError as error:
            return _one_line(error)
        if height * width > MAX_PNG_PIXELS:
            return  # verify would have refused it as not the JPEG's size
        result, said = _stderr_of(lambda: decoded(data), sink)
        assert not said, f"reading the PNG wrote on stderr: {said!r}"
        if result is not None:
            samples, depth = result
            assert samples.dtype == (np.uint16 if depth == 16 else np.uint8) and samples.shape[2] in (1, 3)

    return one_input


def _tiny_decoder():
    """A small random decoder: sessions need one, and its weights do not matter to the loader."""
    import torch

    from explorer_app.decoder.model import DecoderSize, JpegDecoder

    torch.manual_seed(0)
    return JpegDecoder(DecoderSize(8, 1, 8, 1), name="fuzz-tiny").eval()


def _session_photo(scratch: Path) -> Path:
    path = scratch / "photo.jpg"
    path.write_bytes(seed_jpegs()[0].data)
    return path


@functools.cache
def _session_files(scratch: Path) -> dict[str, bytes]:
    """The fuzzer's two seed session files (replayed and stored) of the first seed photo, by kind (made once:
    the session.json seeds and the arrays they are packed with must come from the same files)."""
    from explorer_app.codec import read_jpeg
    from explorer_app.engine import save_session

    from .sessions import SEED_KINDS, edited_session

    code, decoder, files = read_jpeg(_session_photo(scratch)), _tiny_decoder(), {}
    for kind, limit in zip(SEED_KINDS, (50, 1), strict=True):
        save_session(edited_session(code, decoder, history_limit=limit), scratch / f"{kind}.session")
        files[kind] = (scratch / f"{kind}.session").read_bytes()
    return files


def _facts(file: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(file)) as archive:
        return archive.read("session.json")


def _with_facts(file: bytes, facts: bytes) -> bytes:
    """The session file ``file`` with its session.json replaced by ``facts``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(file)) as source, zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, facts if info.filename == "session.json" else source.read(info))
    return buffer.getvalue()


def _session_seeds(scratch: Path) -> list[bytes]:
    """Both seed files whole, and their session.json each behind its kind's selector byte (see :func:`_session`)."""
    files = _session_files(scratch)
    return [*files.values(), *(bytes((i,)) + _facts(files[kind]) for i, kind in enumerate(files))]


def _session(scratch: Path) -> OneInput:
    """The session loader, on the seed photo and decoder. An input starting with ``PK`` is a whole session
    file; any other is a session.json (after one byte choosing the seed file whose arrays it goes with:
    even the replayed one, odd the stored one), so that mutations reach the checks behind the zip's CRCs.
    A file that loads must undo and redo its whole history and render finite values."""
    import torch

    from explorer_app.codec import read_jpeg
    from explorer_app.engine import SessionFileError, load_session

    files = list(_session_files(scratch).values())
    code, decoder, path = read_jpeg(_session_photo(scratch)), _tiny_decoder(), scratch / "fuzz.session"

    def one_input(data: bytes) -> None:
        if data.startswith(b"PK") or not data:
            path.write_bytes(data)
        else:
            path.write_bytes(_with_facts(files[data[0] % 2], data[1:]))
        try:
            session = load_session(path, code, decoder)
        except SessionFileError as error:
            return _one_line(error)
        while session.undo():
            pass
        while session.redo():
            pass
        assert bool(torch.isfinite(session.output().image).all()), "a loaded session renders non-finite values"

    return one_input


TARGETS: dict[str, CoverageTarget] = {
    target.name: target
    for target in (
        CoverageTarget("jpeg", ("explorer_app.codec",), "JpegError", _segments, _jpeg_seeds),
        CoverageTarget("coefficients", ("explorer_app.codec",), "InvalidJpegError", _coefficients, _coefficient_seeds),
        CoverageTarget("png", ("explorer_app.verify.png_io",), "ImageReadError", _png, _png_seeds),
        CoverageTarget(
            "session",
            (  # the loader, and what a loaded file's windows, patches and history go through
                "explorer_app.engine.session_file",
                "explorer_app.engine.session_schema",
                "explorer_app.engine.block_window",
                "explorer_app.engine.history",
                "explorer_app.engine.state",
            ),
            "SessionFileError",
            _session,
            _session_seeds,
        ),
    )
}
"""By name: jpeg (the segment walker and header parser), coefficients, png, session."""
