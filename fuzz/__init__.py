"""A seeded, bounded fuzzer for the command line: hostile and mutated files through the real CLI.

Every case runs the real ``main`` in its own process (forked from a process that has imported the
application once, or a fresh interpreter with ``--fresh``), under a time limit and an address-space limit,
and is classified: signal, traceback, hang, over-memory, input changed, stderr over one line, wrong exit
code, output left on a refusal; or fine (refused, verified, not verified). Not shipped in the wheel.

    python -m fuzz --mutants 500 --seed 1                # mutants of small photos + the hand-made classes
    python -m fuzz --mutants 10000 --seed 1 --huge       # the long run, with the 100-MP files

Beside it, ``python -m fuzz.coverage --target jpeg --seconds 60`` fuzzes the byte parsers in-process, guided by
coverage (atheris; :mod:`fuzz.coverage_targets`).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # each case is its own process: one thread each, set before torch loads
