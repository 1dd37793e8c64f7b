"""The child of :mod:`fuzz.coverage`: ``python -m fuzz.coverage_child TARGET CORPUS SCRATCH [libFuzzer options]``.

It imports the target's modules under atheris' instrumentation, seeds an empty CORPUS with the target's seeds
and hands the rest to libFuzzer, which ends this process when the campaign is over or finds something.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

from .coverage_targets import TARGETS


def main(argv: list[str]) -> None:
    name, corpus, scratch, *options = argv
    target = TARGETS[name]
    with atheris.instrument_imports(include=list(target.instrumented)):
        one_input = target.prepare(Path(scratch))
    if not any(Path(corpus).iterdir()):
        for i, seed in enumerate(target.seeds(Path(scratch))):
            (Path(corpus) / f"seed-{i:03d}").write_bytes(seed)
    print(f"fuzzing {name}: anything but {target.errors} is a finding", flush=True)
    atheris.Setup([sys.argv[0], *options, corpus], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv[1:])
