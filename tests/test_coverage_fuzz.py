"""The coverage-guided fuzzer's short run: a fixed number of atheris inputs through each byte parser (the
JPEG segment walker, the coefficient reader's parsing of its child's result, verify's PNG reader, the session
loader), each in its own process, from the same libFuzzer seed every run. An exception other than the
target's documented errors, a broken invariant, a hang or a crash fails, naming the input kept for it."""

from __future__ import annotations

import pytest

from fuzz.coverage import main

pytest.importorskip("atheris")

RUNS = {"jpeg": 10000, "coefficients": 3000, "png": 4000, "session": 500}
"""Inputs per target: about two seconds of fuzzing each on the 2-core CI machine, after the set-up (the
session target's is the longest: torch, a tiny decoder, two seed sessions)."""


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(RUNS))
def test_a_short_coverage_guided_run_finds_nothing(tmp_path, capfd, target):
    findings = tmp_path / "findings"
    returncode = main(["--target", target, "--runs", str(RUNS[target]), "--findings", str(findings)])
    output = capfd.readouterr()
    kept = sorted(path.name for path in findings.glob("*")) if findings.exists() else []
    assert returncode == 0 and not kept, f"findings {kept}:\n{output.err[-4000:]}"
    assert f"Done {RUNS[target]} runs" in output.err
