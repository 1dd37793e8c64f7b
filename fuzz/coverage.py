"""``python -m fuzz.coverage``: coverage-guided fuzzing (atheris, libFuzzer) of one of the byte parsers.

    python -m fuzz.coverage --target jpeg --seconds 60          # the segment walker and header parser
    python -m fuzz.coverage --target session --runs 2000        # a fixed number of inputs (the CI test)
    python -m fuzz.coverage --target png --seconds 120 -- -max_len=65536   # after --: libFuzzer's options

Targets (:data:`fuzz.coverage_targets.TARGETS`): jpeg, coefficients, png, session. Needs ``pip install
atheris`` (the ``fuzz`` extra). libFuzzer ends its process with exit(), so the campaign runs in a child
process: this one makes a scratch folder, seeds the corpus there (or uses ``--corpus``), moves what libFuzzer
keeps of a finding (crash-*, timeout-*, oom-*: the input that did it) into ``--findings`` and removes the
rest. The exit status is the child's: 0 when nothing was found. A finding's input runs again, alone, with
``python -m fuzz.coverage_child TARGET fuzz-findings/crash-… SCRATCH_FOLDER``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .coverage_targets import TARGETS

HANG_SECONDS = 10
"""An input running longer than this is a finding (a hang): every target parses a small input in milliseconds."""
RSS_LIMIT_MB = 3072
"""Resident memory above this is a finding (torch alone takes about 400 MB in the session target)."""
FINDING_PREFIXES = ("crash-", "timeout-", "oom-", "leak-")
MEMORY_FOLDER = Path("/dev/shm")
"""Where the work folder goes when the system has it (tmpfs): the coefficient and session targets write
files for every input, and on a busy disk that took 80 % of their time."""


def setup_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fuzz.coverage", description=__doc__)
    parser.add_argument("--target", required=True, choices=sorted(TARGETS), help="the parser to fuzz")
    limit = parser.add_mutually_exclusive_group(required=True)
    limit.add_argument("--seconds", type=int, help="fuzz this long (libFuzzer's -max_total_time)")
    limit.add_argument("--runs", type=int, help="fuzz this many inputs (libFuzzer's -runs)")
    parser.add_argument("--seed", type=int, default=1, help="libFuzzer's random seed (default 1)")
    parser.add_argument("--corpus", type=Path, help="keep the corpus here and start from it (default: seeds only)")
    parser.add_argument(
        "--findings", type=Path, default=Path("fuzz-findings"), help="where findings go (default fuzz-findings/)"
    )
    parser.add_argument("libfuzzer", nargs="*", help="after --: options for libFuzzer (-dict=..., -max_len=...)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = setup_args().parse_args(sys.argv[1:] if argv is None else argv)
    limit = f"-max_total_time={args.seconds}" if args.seconds is not None else f"-runs={args.runs}"
    memory = MEMORY_FOLDER if MEMORY_FOLDER.is_dir() else None
    with tempfile.TemporaryDirectory(prefix=f"fuzz-coverage-{args.target}-", dir=memory) as name:
        work = Path(name)
        corpus = (args.corpus or work / "corpus").resolve()
        for folder in (corpus, work / "scratch", work / "artifacts"):
            folder.mkdir(parents=True, exist_ok=True)
        options = [
            limit,
            f"-seed={args.seed}",
            f"-timeout={HANG_SECONDS}",
            f"-rss_limit_mb={RSS_LIMIT_MB}",
            "-len_control=0",  # mutate whole seeds from the start, not first their beginnings only
            f"-artifact_prefix={work / 'artifacts'}/",
            "-print_final_stats=1",
            *args.libfuzzer,
        ]
        command = [sys.executable, "-m", "fuzz.coverage_child", args.target, str(corpus), str(work / "scratch")]
        returncode = subprocess.run([*command, *options], env=_child_env(), check=False).returncode
        _keep_findings(work / "artifacts", args.findings)
    return returncode


def _child_env() -> dict[str, str]:
    """This environment, with this checkout's fuzz package first on the child's path."""
    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}


def _keep_findings(artifacts: Path, findings: Path) -> None:
    """Move libFuzzer's finding files into ``findings`` and name them on stdout."""
    for path in sorted(artifacts.iterdir()):
        if path.name.startswith(FINDING_PREFIXES):
            findings.mkdir(parents=True, exist_ok=True)
            kept = Path(shutil.move(path, findings / path.name))
            print(f"finding: {kept}")


if __name__ == "__main__":
    sys.exit(main())
