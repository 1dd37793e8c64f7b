"""An export and its report are written as a pair, so that a PNG never sits beside another export's report:
kill -9 or SIGTERM at a random moment while an existing pair is overwritten leaves the old pair or the new
one, never a mismatch or a partial file. (Four kills here, two of them marked slow: each starts a child
process; ``benchmarks/kill_exports.py`` runs fifty.)"""

from __future__ import annotations

import random
import signal

import pytest

from pair_kills import kill_once


@pytest.mark.parametrize(
    "signal_number, seed",
    [
        pytest.param(signal.SIGKILL, 1, id="kill-a"),
        pytest.param(signal.SIGKILL, 2, id="kill-b", marks=pytest.mark.slow),
        pytest.param(signal.SIGTERM, 3, id="term-a"),
        pytest.param(signal.SIGTERM, 4, id="term-b", marks=pytest.mark.slow),
    ],
)
def test_a_killed_export_leaves_the_old_pair_or_the_new_one(tmp_path, signal_number, seed):
    assert kill_once(tmp_path, random.Random(seed).uniform(0.0, 0.6), signal_number) == ""
