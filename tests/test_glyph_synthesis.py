"""Digit and letter hypotheses by analysis by synthesis: the reader reads what a person reads, the fit finds
a display's style, and the hypotheses show a class's glyph only where the file allows it, never ruling out
the glyph that was there."""

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from explorer_app.codec import read_jpeg
from explorer_app.engine.glyphs.fit import paint, read_glyph, reads_as
from explorer_app.engine.glyphs.hypotheses import glyph_hypotheses, glyph_verdict
from explorer_app.engine.glyphs.render import Segments, coverage
from explorer_app.engine.glyphs.segments import FOURTEEN_SEGMENT, SEVEN_SEGMENT
from explorer_app.engine.session import Session

from conftest import controllable_decoder

BARS = {  # a seven-segment display drawn with rectangles: not the engine's renderer
    "a": (0, 0, 1, 0.14),
    "b": (0.82, 0, 1, 0.5),
    "c": (0.82, 0.5, 1, 1),
    "d": (0, 0.86, 1, 1),
    "e": (0, 0.5, 0.18, 1),
    "f": (0, 0, 0.18, 0.5),
    "g": (0, 0.43, 1, 0.57),
}
LIT = {"0": "abcdef", "1": "bc", "2": "abdeg", "3": "abcdg", "4": "bcfg", "5": "acdfg", "6": "acdefg", "7": "abc"}
LIT |= {"8": "abcdefg", "9": "abcdfg"}
INK, BACKGROUND = (230, 50, 40), (25, 15, 15)


def clock(text: str, width: int = 18, height: int = 30) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A clock face (H, W, 3) uint8 showing ``text`` in rectangle segments, and each digit's box."""
    pitch, top = width + 10, 9
    canvas = Image.new("RGB", (pitch * len(text) + 14, height + 2 * top), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    boxes = []
    for k, digit in enumerate(text):
        left = 8 + k * pitch
        for name in LIT[digit]:
            x0, y0, x1, y1 = BARS[name]
            draw.rectangle((left + x0 * width, top + y0 * height, left + x1 * width - 1, top + y1 * height - 1), INK)
        boxes.append((left - 2, top - 2, width + 4, height + 4))
    return np.asarray(canvas), boxes


def clean_glyph(font, label: str, size=(36, 24)) -> tuple[torch.Tensor, torch.Tensor]:
    """(image (1, 3, h, w), cell (7,)) of ``label`` drawn clean by the engine's renderer."""
    segments = Segments.of(font)
    index = segments.labels.index(label)
    cell = torch.tensor([3.0, 2.0, 17.0, 31.0, 2.5, 0.0, 0.5])
    mask = coverage(segments, segments.lit[index : index + 1], cell[None], size)
    colours = torch.tensor([INK], dtype=torch.float32), torch.tensor([BACKGROUND], dtype=torch.float32)
    return paint(mask, *colours), cell


@pytest.mark.parametrize("font", [SEVEN_SEGMENT, FOURTEEN_SEGMENT], ids=["digits", "letters"])
def test_the_reader_reads_every_clean_glyph_as_itself(font):
    ink, background = torch.tensor(INK, dtype=torch.float32), torch.tensor(BACKGROUND, dtype=torch.float32)
    for label in font.labels:
        image, cell = clean_glyph(font, label)
        assert read_glyph(Segments.of(font), image, cell, ink, background) == label


def test_a_ghost_does_not_change_the_reading_and_a_faint_glyph_reads_as_nothing():
    segments = Segments.of(SEVEN_SEGMENT)
    cell = torch.tensor([3.0, 2.0, 13.0, 25.0, 2.5, 0.0, 0.5])
    masks = coverage(segments, segments.lit, cell[None].expand(len(segments.labels), -1), (30, 20))
    two, eight = masks[segments.labels.index("2"), 0], masks[segments.labels.index("8"), 0]
    ghosted = torch.maximum(two, 0.35 * eight)  # a clear 2 over the faint ghost of an 8
    assert {segments.labels[k] for k in reads_as(masks, ghosted)} == {"2"}
    assert reads_as(masks, 0.15 * two) == []  # too faint to read
    assert {segments.labels[k] for k in reads_as(masks, 0.6 * eight)} == {"8"}  # dim but clear
    noise = torch.rand((30, 20), generator=torch.Generator().manual_seed(0))
    assert reads_as(masks, noise) == []


def session_on(tmp_path, picture: np.ndarray, quality: int) -> Session:
    path = tmp_path / f"clock{quality}.jpg"
    Image.fromarray(picture).save(path, quality=quality, subsampling=0)
    return Session(read_jpeg(path), controllable_decoder())


def test_a_clear_digit_is_the_only_possibility_and_every_candidate_is_consistent(tmp_path):
    picture, boxes = clock("27")
    session = session_on(tmp_path, picture, 85)
    result, hypotheses = glyph_hypotheses(session, SEVEN_SEGMENT, boxes[0])
    possible = [h.label for h in hypotheses if h.possible]
    assert possible == ["2"]
    assert hypotheses[0].label == "2"  # possible classes rank first
    assert glyph_verdict(hypotheses) == "Only 2 is possible here: the file rules out every other digit."
    assert result.correction is not None
    for hypothesis in hypotheses:
        assert all(d.abs().max() < 0.5 for d in (hypothesis.patch.delta_y, hypothesis.patch.delta_c))
    seven = next(h for h in hypotheses if h.label == "7")
    report = session.export(tmp_path / "seven.png", patch=seven.patch, record=result.record)
    assert report.verified, report.summary()


@pytest.mark.parametrize("quality", [3, 8, 30])
def test_the_glyph_that_was_there_is_never_ruled_out(tmp_path, quality):
    picture, boxes = clock("810")
    session = session_on(tmp_path, picture, quality)
    for box, truth in zip(boxes, "810", strict=True):
        _, hypotheses = glyph_hypotheses(session, SEVEN_SEGMENT, box)
        assert next(h for h in hypotheses if h.label == truth).possible, (quality, truth, glyph_verdict(hypotheses))
