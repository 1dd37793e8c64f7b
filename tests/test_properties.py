"""Properties the product rests on, over inputs hypothesis draws (few, small examples: seconds each).

* decode → export → verify is VERIFIED, for any small photo-like image, sampling, IJG quality 10-90 or custom
  tables (finer files can hold saturated blocks no export reaches: docs/verification.md);
* an export with one coefficient pushed out of its interval never verifies;
* a saved session reopens bit for bit, whatever its edits, undos and history limit.

``PROPERTY_EXAMPLES=200 python -m pytest tests/test_properties.py`` searches wider (see :data:`FEW`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import scipy.fft
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from explorer_app.codec import read_jpeg
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import random_control
from explorer_app.engine import Budget, Session, load_session, regions, save_session
from explorer_app.engine.tools.edits import Brightness
from explorer_app.export.exporter import export_verified
from explorer_app.verify.png_io import read_png, to_samples
from explorer_app.verify.png_writer import encode_png
from explorer_app.verify.verifier import verify_file

from conftest import controllable_decoder, independently_consistent, make_file, tiny_decoder, write_picture

SEARCHED = int(os.environ.get("PROPERTY_EXAMPLES", "0"))
FEW = settings(
    max_examples=SEARCHED or 6,
    derandomize=not SEARCHED,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""Each example exports or edits a real image, so the suite draws six per property, the same six every run
(a failure there is a regression, never a new draw); ``PROPERTY_EXAMPLES=N`` draws N fresh ones, for a
longer search by hand."""

JFIF = np.array([[0.299, 0.587, 0.114], [-0.168735892, -0.331264108, 0.5], [0.5, -0.418687589, -0.081312411]])
"""RGB → YCbCr (without the chroma offset): a change of one YCbCr plane alone is JFIF⁻¹ times it in RGB."""


@st.composite
def files(draw: st.DrawFn) -> tuple[int, int, str, int | str, int]:
    """make_file's arguments: (height, width, sampling, quality or "custom", seed)."""
    height, width = draw(st.integers(8, 40)), draw(st.integers(8, 40))
    sampling = draw(st.sampled_from(["4:2:0", "4:2:2", "4:4:4", "grey"]))
    quality = draw(st.one_of(st.integers(10, 90), st.just("custom")))
    return height, width, sampling, quality, draw(st.integers(0, 2**16))


def exported(folder: Path, case: tuple[int, int, str, int | str, int], bit_depth: int | None):
    """(the file's JpegCode, the report of a tiny random decoder's export of it, the PNG's path)."""
    code = read_jpeg(make_file(folder, *case))
    tensors = CodeTensors.from_code(code)
    seed = case[-1]
    with torch.no_grad():
        output = tiny_decoder(seed % 7)(tensors, random_control(tensors, seed))
    return code, export_verified(output, code, folder / "out.png", bit_depth), folder / "out.png"


@FEW
@given(case=files(), bit_depth=st.sampled_from([None, 16]))
def test_decode_export_verify_is_verified(case, bit_depth) -> None:
    with tempfile.TemporaryDirectory() as folder:
        code, report, png = exported(Path(folder), case, bit_depth)
        assert report.verified, report.summary()
        assert verify_file(png, code).verified
        if read_png(png)[1] == 16:
            assert independently_consistent(png, code)


def pushed(image: np.ndarray, code, component: int, block: tuple[int, int], index: int, steps: float) -> np.ndarray:
    """``image`` (H, W, C float) with coefficient ``index`` (natural order) of ``block`` (row, col) of
    ``component`` moved by ``steps`` quantization steps under the reference encoder, the other planes kept."""
    change = np.zeros(64)
    change[index] = steps * float(code.tables[component].reshape(64)[index])
    pattern = scipy.fft.idctn(change.reshape(8, 8), norm="ortho")
    fy, fx = code.chroma_factor if component > 0 else (1, 1)
    pattern = np.repeat(np.repeat(pattern, fy, 0), fx, 1)  # box averaging gives it back exactly
    top, left = 8 * fy * block[0], 8 * fx * block[1]
    result = image.copy()
    window = result[top : top + pattern.shape[0], left : left + pattern.shape[1]]
    if image.shape[2] == 1:
        window += pattern[:, :, None]
    else:
        window += pattern[:, :, None] * np.linalg.inv(JFIF)[:, component]
    return result


def clipped(image: np.ndarray) -> bool:
    return bool(image.min() < 0.0 or image.max() > 255.0)


@FEW
@given(case=files(), where=st.tuples(st.integers(0, 2), st.floats(0, 1), st.floats(0, 1)), first=st.integers(0, 63))
def test_a_coefficient_pushed_out_of_its_interval_is_caught(case, where, first) -> None:
    with tempfile.TemporaryDirectory() as folder:
        code, report, png = exported(Path(folder), case, 16)
        assert report.verified
        image, _ = read_png(png)
        component = where[0] % len(code.coefficients)
        fy, fx = code.chroma_factor if component > 0 else (1, 1)
        rows, cols = code.height // (8 * fy), code.width // (8 * fx)  # blocks wholly inside the image
        if rows == 0 or cols == 0:
            component, rows, cols = 0, code.height // 8, code.width // 8
        block = (min(int(where[1] * rows), rows - 1), min(int(where[2] * cols), cols - 1))
        # 1.1 steps either way takes a value inside [X_Q − ½, X_Q + ½] out of it by 0.1 at least, far more
        # than 16-bit storage moves it; the first coefficient from ``first`` on whose push needs no clipping
        pushes = (
            pushed(image, code, component, block, (first + offset) % 64, steps)
            for offset in range(64)
            for steps in (1.1, -1.1)
        )
        tampered = next((candidate for candidate in pushes if not clipped(candidate)), None)
        assume(tampered is not None)
        Path(folder, "tampered.png").write_bytes(encode_png(to_samples(tampered, 16)))
        assert not independently_consistent(Path(folder, "tampered.png"), code)  # the push did leave it
        assert not verify_file(Path(folder, "tampered.png"), code).verified


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[int, int, int, int]]:
    """One to three rectangles (x, y, width, height) on a 48×64 picture."""
    rectangles = []
    for _ in range(draw(st.integers(1, 3))):
        x, y = draw(st.integers(0, 48)), draw(st.integers(0, 32))
        rectangles.append((x, y, draw(st.integers(4, 64 - x)), draw(st.integers(4, 48 - y))))
    return rectangles


@FEW
@given(rectangles=edits(), undos=st.integers(0, 3), history_limit=st.sampled_from([1, 2, 50]))
def test_a_saved_session_reopens_bit_for_bit(rectangles, undos, history_limit) -> None:
    with tempfile.TemporaryDirectory() as folder:
        photo = write_picture(Path(folder) / "photo.jpg", height=48, width=64)
        session = Session(read_jpeg(photo), controllable_decoder(), history_limit=history_limit)
        for x, y, width, height in rectangles:
            region = regions.rectangle(session.shape, x, y, width, height)
            session.apply(Brightness(), region, Budget(steps=2, patience=0))
        for _ in range(undos):
            session.undo()
        save_session(session, Path(folder) / "s.session")
        reopened = load_session(Path(folder) / "s.session", read_jpeg(photo), controllable_decoder())
        for name in ("z", "delta_y", "delta_c"):
            assert torch.equal(getattr(reopened.state, name), getattr(session.state, name)), name
        assert torch.equal(reopened.image, session.image)
        assert reopened.history.records() == session.history.records()
        assert reopened.history.position == session.history.position
