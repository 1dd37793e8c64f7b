"""A cancelled export stops inside every long stage, not between stages, so the user never waits for a stage
to end.

The mechanism, not the clock: ``cancelled()`` is polled between every two bounded pieces of work (a strip,
a batch of MCUs, a few polish steps, one RGB move, one linear programme); once it answers true the export
raises ExportCancelled at that very poll, does no further piece of work, and leaves no file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch

from explorer_app.codec import read_jpeg
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import random_control
from explorer_app.export import block_solver, exporter, integer_repair, polish, repair, rgb_greedy, stored
from explorer_app.export.exporter import ExportCancelled, export_verified
from explorer_app.verify import encoders, interrupt, proofs
from explorer_app.verify.reference_encoder import code_tensors64

from conftest import make_file, tiny_decoder

HOSTILE = Path(__file__).parent / "data" / "hostile" / "slow-export"


def decoder_output(code, seed: int = 0):
    tensors = CodeTensors.from_code(code)
    with torch.no_grad():
        return tiny_decoder(seed)(tensors, random_control(tensors, seed))


class Polls:
    """A ``cancelled`` that answers true from its ``after``-th poll on (never, with None), counting polls and
    the pieces of work run after the first true answer."""

    def __init__(self, after: int | None = None) -> None:
        self.after, self.count, self.work_after = after, 0, 0
        self.between: dict[str, list[int]] = {}

    def __call__(self) -> bool:
        self.count += 1
        return self.after is not None and self.count > self.after

    @property
    def stopped(self) -> bool:
        return self.after is not None and self.count > self.after

    def spy(self, monkeypatch, module, name: str) -> None:
        """Wrap ``module.name``, one piece of work: note the poll count at each call and count calls after
        the cancel."""
        real = getattr(module, name)
        seen = self.between.setdefault(f"{module.__name__}.{name}", [])

        def wrapped(*args, **kwargs):
            seen.append(self.count)
            self.work_after += self.stopped
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapped)


WORK = [
    (block_solver, "inside_start"),
    (integer_repair, "mend_once"),
    (integer_repair, "mcu_proof"),
    (rgb_greedy, "quotients"),
    (polish.Pool, "step"),
    (proofs, "nearest_excess"),
    (encoders, "eight_bit_samples"),
]
"""Pieces of work a poll must precede (at most a few of each between two polls)."""


def spied(monkeypatch, polls: Polls) -> Polls:
    for module, name in WORK:
        polls.spy(monkeypatch, module, name)
    return polls


def export(code, path: Path, bit_depth: int | None, polls: Polls, seed: int = 0):
    return export_verified(decoder_output(code, seed), code, path, bit_depth, cancelled=polls)


CASES = {
    "8-bit photo": lambda folder: (make_file(folder, 64, 80, "4:2:0", 90, 3), 8),
    "16-bit photo": lambda folder: (make_file(folder, 64, 80, "4:2:0", 90, 3), 16),
    "chosen bit depth": lambda folder: (make_file(folder, 48, 64, "4:2:0", 30, 12), None),
    "damaged, linear programme": lambda folder: (HOSTILE / "mutant-102-122.jpg", None),
    "damaged, near libjpeg": lambda folder: (HOSTILE / "mutant-104-833.jpg", 8),
}


def cases() -> list:
    """The cases, the slowest (a damaged file repaired near libjpeg: 20 s an export) in the sweep only."""
    return [pytest.param(c, marks=pytest.mark.sweep) if c == "damaged, near libjpeg" else c for c in sorted(CASES)]


@pytest.mark.parametrize("case", cases())
def test_polls_come_between_every_few_pieces_of_work_in_every_stage(tmp_path, monkeypatch, case):
    source, bit_depth = CASES[case](tmp_path)
    polls = spied(monkeypatch, Polls())
    export(read_jpeg(source), tmp_path / "out.png", bit_depth, polls)
    assert polls.count >= 4  # the stages at least
    for name, seen in polls.between.items():
        runs = [seen.count(value) for value in set(seen)]
        assert max(runs, default=0) <= 4, f"{name}: {max(runs)} calls without a poll between them"


@pytest.mark.parametrize("case", cases())
def test_a_cancel_at_any_poll_stops_there_and_writes_nothing(tmp_path, monkeypatch, case):
    source, bit_depth = CASES[case](tmp_path)
    code = read_jpeg(source)
    total = Polls()
    # Each export remembers programme optima in a cache of its own (none is passed), so every run polls
    # the same programmes: a remembered optimum would skip its polls.
    export(code, tmp_path / "whole.png", bit_depth, total)
    # A linear programme runs in a thread that is polled while it works, so how many polls an export makes
    # varies a little with the machine's speed: cancel points are taken in its first half.
    for after in sorted({0, 1, total.count // 4, total.count // 2}):
        polls = spied(monkeypatch, Polls(after))
        target = tmp_path / f"cancelled-{after}.png"
        with pytest.raises(ExportCancelled):
            export(code, target, bit_depth, polls)
        assert polls.count == after + 1  # the poll that answered true was the last
        assert polls.work_after == 0  # and no piece of work ran after it
        assert not target.exists() and not exporter.report_path(target).exists()
        monkeypatch.undo()


def test_an_uncancelled_export_is_the_same_with_or_without_polls(tmp_path):
    code = read_jpeg(make_file(tmp_path, 64, 80, "4:2:0", 90, 3))
    plain = export_verified(decoder_output(code), code, tmp_path / "plain.png", 8)
    polled = export_verified(decoder_output(code), code, tmp_path / "polled.png", 8, cancelled=Polls())
    assert (tmp_path / "plain.png").read_bytes() == (tmp_path / "polled.png").read_bytes()
    assert plain.verified == polled.verified


def test_a_call_that_cannot_be_interrupted_is_abandoned_when_the_check_raises():
    release, checks = threading.Event(), []

    def check():
        checks.append(1)
        if len(checks) > 3:
            raise interrupt.Interrupted

    with pytest.raises(interrupt.Interrupted):
        interrupt.polled(release.wait, check)  # blocks until released: only the check can end the wait
    assert len(checks) == 4 and not release.is_set()
    release.set()
    assert interrupt.polled(lambda: 7, check=interrupt.never) == 7
    with pytest.raises(ZeroDivisionError):
        interrupt.polled(lambda: 1 / 0, lambda: None)


def test_the_8_bit_attempt_is_made_only_within_its_budget_of_broken_mcus(tmp_path, monkeypatch):
    """The default export's path is decided by counts, not by a clock: the same file takes the same path on
    any machine."""
    code = read_jpeg(make_file(tmp_path, 48, 64, "4:2:0", 30, 12))
    output = decoder_output(code, 1)
    tensors = code_tensors64(code)
    whole = stored.store(output.image, tensors, 8, encoders.LIBJPEG)[1].sum()
    assert stored.estimated_breaks(output.image, tensors, 8, encoders.LIBJPEG, 1) == whole > 0
    assert export_verified(output, code, tmp_path / "within.png", None).image["bit_depth"] == 8
    searched = []
    monkeypatch.setattr(exporter, "EIGHT_BIT_MCUS", int(whole) - 1)
    monkeypatch.setattr(repair, "integer_repair", lambda *args, **kwargs: searched.append(1) or {})
    report = export_verified(output, code, tmp_path / "beyond.png", None)
    assert report.verified and report.image["bit_depth"] == 16 and not searched
