"""Name what a case's outcome says about the command: a failure class, or how it fine-ly ended."""

from __future__ import annotations

from dataclasses import dataclass

from .runner import TRACEBACK_EXIT, Outcome

FAILURES = (
    "signal",
    "hang",
    "over-memory",
    "traceback",
    "input changed",
    "stderr > 1 line",
    "foreign stderr",
    "wrong exit code",
    "output on refusal",
    "silent failure",
)
"""Every class that counts as a defect; a case can fall in several."""
FINE = {0: "accepted", 1: "not verified", 2: "refused"}
"""Exit codes of a clean ending, by name."""
ERROR_PREFIX = "jpeg-explorer: error: "


@dataclass(frozen=True)
class Observed:
    """Facts gathered around the run: whether an input changed or vanished, and whether output files exist."""

    input_changed: bool
    outputs_left: bool


def classify(outcome: Outcome, observed: Observed, exits: frozenset[int], memory_budget: int) -> list[str]:
    """The failure classes of one run, or a single fine class (see FINE) when there is none."""
    lines = outcome.stderr.strip().splitlines()
    failures = []
    if outcome.timed_out:
        failures.append("hang")
    elif outcome.signal is not None:
        failures.append("signal")
    if outcome.peak_bytes > memory_budget or "out of memory" in outcome.stderr or "MemoryError" in outcome.stderr:
        failures.append("over-memory")
    if "Traceback" in outcome.stderr or outcome.exit_code in (TRACEBACK_EXIT, 3):
        failures.append("traceback")
    if observed.input_changed:
        failures.append("input changed")
    if len(lines) > 1:
        failures.append("stderr > 1 line")
    if any(not line.startswith(ERROR_PREFIX) for line in lines):
        failures.append("foreign stderr")
    if outcome.exit_code is not None and outcome.exit_code not in exits | {TRACEBACK_EXIT, 3}:
        failures.append("wrong exit code")
    if outcome.exit_code == 2 and observed.outputs_left:
        failures.append("output on refusal")
    explained = bool(lines) and lines[0].startswith(ERROR_PREFIX)
    if (outcome.exit_code == 2 and not explained) or (
        outcome.exit_code == 1 and not explained and "NOT VERIFIED" not in outcome.stdout
    ):
        failures.append("silent failure")
    return failures or [FINE.get(outcome.exit_code, "unknown")]
