"""Cases (mutants of the seeds and the hand-made classes), run through targets, counted by class."""

from __future__ import annotations

import hashlib
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .classify import FAILURES, Observed, classify
from .hostile import HOSTILE
from .mutations import mutate
from .runner import Limits, Runner
from .seeds import png_of, seed_jpegs
from .targets import Target


@dataclass(frozen=True)
class Case:
    """name: what it is; build(folder) writes the input and returns its path; png: the image ``verify`` gets;
    seconds: time allowed before a run counts as a hang; aliased: run the target's output-over-input form."""

    name: str
    build: Callable[[Path], Path]
    png: bytes
    seconds: float = 10.0
    aliased: bool = False


@dataclass
class Tally:
    """counts[target][class]; failures: (target, case, classes, first stderr line); seconds[target]: total."""

    counts: dict[str, Counter] = field(default_factory=dict)
    failures: list[tuple[str, str, list[str], str]] = field(default_factory=list)
    seconds: Counter = field(default_factory=Counter)

    def add(self, target: str, case: str, classes: list[str], stderr: str, seconds: float) -> None:
        self.counts.setdefault(target, Counter()).update(classes)
        self.seconds[target] += seconds
        if any(c in FAILURES for c in classes):
            self.failures.append((target, case, classes, (stderr.strip().splitlines() or [""])[0][:200]))

    def merge(self, other: Tally) -> None:
        for target, counts in other.counts.items():
            self.counts.setdefault(target, Counter()).update(counts)
        self.failures += other.failures
        self.seconds.update(other.seconds)

    def failure_count(self) -> int:
        return len(self.failures)


def _bytes_builder(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def mutant_cases(count: int, seed: int) -> list[Case]:
    """``count`` mutants, spread over the seed files, the same for the same ``seed``."""
    rng = np.random.default_rng(seed)
    seeds = seed_jpegs()
    pngs = [png_of(s.data) for s in seeds]
    cases = []
    for index in range(count):
        which = index % len(seeds)
        data, names = mutate(rng, seeds[which].data)
        cases.append(
            Case(
                f"mutant-{seed}-{index}-{seeds[which].name}-{'+'.join(names)}",
                _bytes_builder("input.jpg", data),
                pngs[which],
            )
        )
    return cases


def hostile_cases(huge: bool) -> list[Case]:
    """The hand-made classes (the huge ones only when asked), and the output-over-input form of a valid file."""
    png = png_of(seed_jpegs()[0].data)
    cases = [Case(f"hostile-{h.name}", h.build, png, h.seconds) for h in HOSTILE if huge or not h.huge]
    cases.append(Case("hostile-output-is-input", _bytes_builder("input.jpg", seed_jpegs()[0].data), png, aliased=True))
    return cases


def fingerprint(path: Path) -> tuple:
    """What identifies a file's content: its bytes' hash for a regular file, its kind and inode otherwise."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return ("missing",)
    if stat.S_ISREG(info.st_mode):
        return ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return ("special", stat.S_IFMT(info.st_mode), info.st_ino)


def run_case(
    case: Case, target: Target, runner: Runner, memory_budget: int, address_space: int, time_scale: float, work: Path
) -> tuple[list[str], str, float]:
    """Run one case through one target in a fresh folder under ``work``; (classes, stderr, seconds)."""
    folder = Path(tempfile.mkdtemp(dir=work))
    try:
        (folder / "out").mkdir()
        source = case.build(folder)
        (folder / "image.png").write_bytes(case.png)
        if case.aliased and target.aliased is None:
            return ["not applicable"], "", 0.0
        arguments = target.aliased(source) if case.aliased else target.arguments(source, folder)
        inputs = sorted(folder.rglob("*"))  # every name of every input, links made for the aliased form included
        before = [fingerprint(p) for p in inputs]
        limits = Limits((case.seconds + target.seconds) * time_scale, address_space)
        outcome = runner(target.entry, arguments, limits)
        observed = Observed(
            before != [fingerprint(p) for p in inputs],
            any(p.exists() and (not p.is_dir() or any(p.iterdir())) for p in target.outputs(folder)),
        )
        return classify(outcome, observed, target.exits, memory_budget), outcome.stderr, outcome.seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_campaign(
    cases: Iterable[Case],
    targets: list[Target],
    runner: Runner,
    memory_budget: int,
    address_space: int,
    time_scale: float = 1.0,
    keep: Path | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> Tally:
    """Every case through every target; failing inputs copied to ``keep`` (when given)."""
    tally, cases = Tally(), list(cases)
    with tempfile.TemporaryDirectory(prefix="jpeg-explorer-fuzz-") as name:
        work = Path(name)
        for number, case in enumerate(cases, 1):
            if number % 100 == 0:
                progress(f"{number} of {len(cases)} cases, {tally.failure_count()} failures")
            for target in targets:
                classes, stderr, seconds = run_case(
                    case, target, runner, memory_budget, address_space, time_scale, work
                )
                tally.add(target.name, case.name, classes, stderr, seconds)
                if any(c in FAILURES for c in classes):
                    progress(f"{target.name}: {case.name}: {', '.join(classes)}")
                    if keep is not None:
                        _keep(case, target, classes, keep)
    return tally


def _keep(case: Case, target: Target, classes: list[str], keep: Path) -> None:
    folder = keep / target.name / classes[0].replace(" ", "-")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as name:
        source = case.build(Path(name))
        if source.is_file() and not source.is_symlink():
            shutil.copyfile(source, folder / f"{case.name}.jpg")
