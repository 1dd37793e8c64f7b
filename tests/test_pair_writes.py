"""An export and its report are written as a pair (issues 11 and 14): kill -9 or SIGTERM at a random moment
while an existing pair is overwritten leaves the old pair or the new one, never a mismatch or a partial file.
(Four kills here; ``benchmarks/kill_exports.py`` runs fifty.)"""
from __future__ import annotations

import random
import signal

import pytest

from pair_kills import kill_once


@pytest.mark.parametrize("signal_number, seed", [(signal.SIGKILL, 1), (signal.SIGKILL, 2), (signal.SIGTERM, 3),
                                                 (signal.SIGTERM, 4)], ids=["kill-a", "kill-b", "term-a", "term-b"])
def test_a_killed_export_leaves_the_old_pair_or_the_new_one(tmp_path, signal_number, seed):
    assert kill_once(tmp_path, random.Random(seed).uniform(0.0, 0.6), signal_number) == ""
