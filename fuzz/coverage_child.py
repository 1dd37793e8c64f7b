"""The child of :mod:`fuzz.coverage`: ``python -m fuzz.coverage_child TARGET CORPUS SCRATCH [libFuzzer options]``.

It prepares the target, adds atheris' coverage counters to the functions of the target's modules, seeds an
empty CORPUS folder with the target's seeds and hands the rest to libFuzzer, which ends this process when the
campaign is over or has found something. CORPUS may be one file instead: libFuzzer then runs that input once
(a finding's reproducer).
"""

from __future__ import annotations

import gc
import sys
import types
from pathlib import Path

import atheris

from .coverage_targets import TARGETS


def instrument(modules: tuple[str, ...]) -> int:
    """Add coverage counters to every function defined in ``modules`` or below them, already imported (atheris'
    import hook tells packages apart only by their top-level name: it would count all of explorer_app, torch's
    imports through it included); the number of functions."""
    functions = [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, types.FunctionType)
        and any(str(obj.__module__) == name or str(obj.__module__).startswith(f"{name}.") for name in modules)
    ]
    for function in functions:
        atheris.instrument_func(function)
    return len(functions)


def main(argv: list[str]) -> None:
    name, corpus, scratch, *options = argv
    target = TARGETS[name]
    one_input = target.prepare(Path(scratch))
    count = instrument(target.instrumented)
    if Path(corpus).is_dir() and not any(Path(corpus).iterdir()):
        for i, seed in enumerate(target.seeds(Path(scratch))):
            (Path(corpus) / f"seed-{i:03d}").write_bytes(seed)
    print(f"fuzzing {name} ({count} functions instrumented): anything but {target.errors} is a finding", flush=True)
    atheris.Setup([sys.argv[0], *options, corpus], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv[1:])
