"""``python -m fuzz``: run a campaign and print its counts per command and class; exit 1 on any failure."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from .campaign import Tally, hostile_cases, mutant_cases, run_campaign
from .classify import FAILURES, FINE
from .runner import run_forked, run_fresh
from .targets import TARGETS

GIB = 2**30


def setup_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    parser.add_argument("--mutants", type=int, default=500, help="mutants of the seed photos (default 500)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the mutations (default 1)")
    parser.add_argument(
        "--targets",
        default="decode,verify,digits",
        help=f"commands, comma-separated, of {', '.join(TARGETS)} (default decode,verify,digits)",
    )
    parser.add_argument("--no-hostile", action="store_true", help="mutants only, without the hand-made classes")
    parser.add_argument("--huge", action="store_true", help="add the huge hand-made classes (100-MP files)")
    parser.add_argument("--skip", default="", help="hand-made classes to leave out, comma-separated")
    parser.add_argument("--sessions", type=int, default=0, help="corrupted saved sessions to load (default 0)")
    parser.add_argument("--fresh", action="store_true", help="a new interpreter per case instead of a fork")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply every time allowance")
    parser.add_argument("--memory-budget-gib", type=float, default=4.0, help="peak RSS above this is a failure")
    parser.add_argument("--address-space-gib", type=float, default=16.0, help="RLIMIT_AS of each case")
    parser.add_argument("--keep", type=Path, help="copy failing inputs into this folder, by command and class")
    parser.add_argument("--json", type=Path, help="also write the counts and failures as JSON here")
    parser.add_argument("--jobs", type=int, default=1, help="run this many shards in parallel")
    parser.add_argument("--shard", default="0/1", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = setup_args().parse_args(argv)
    tally = _run_sharded(args, argv) if args.jobs > 1 else _run(args)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "counts": {t: dict(c) for t, c in tally.counts.items()},
                    "seconds": dict(tally.seconds),
                    "failures": tally.failures,
                },
                indent=1,
            )
        )
    if args.shard == "0/1":
        _print(tally)
    return 1 if tally.failure_count() else 0


def _run(args: argparse.Namespace) -> Tally:
    index, count = (int(part) for part in args.shard.split("/"))
    skipped = set(filter(None, args.skip.split(",")))
    hostile = (
        [] if args.no_hostile else [c for c in hostile_cases(args.huge) if c.name[len("hostile-") :] not in skipped]
    )
    cases = mutant_cases(args.mutants, args.seed) + hostile
    targets = [TARGETS[name] for name in filter(None, args.targets.split(","))]
    runner = run_fresh if args.fresh else run_forked
    budget, address_space = int(args.memory_budget_gib * GIB), int(args.address_space_gib * GIB)
    progress = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    tally = run_campaign(
        cases[index::count], targets, runner, budget, address_space, args.time_scale, args.keep, progress
    )
    if args.sessions:
        from .sessions import SESSION_TARGET, session_cases

        tally.merge(
            run_campaign(
                session_cases(args.sessions, args.seed)[index::count],
                [SESSION_TARGET],
                runner,
                budget,
                address_space,
                args.time_scale,
                args.keep,
                progress,
            )
        )
    return tally


def _run_sharded(args: argparse.Namespace, argv: list[str]) -> Tally:
    """Run ``args.jobs`` copies of this command on interleaved shards and add their counts up."""
    tally = Tally()
    shard_argv = _without_option(_without_option(argv, "--jobs"), "--json")
    with tempfile.TemporaryDirectory() as name:
        shards = []
        for index in range(args.jobs):
            output = Path(name) / f"{index}.json"
            shards.append(
                (
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "fuzz",
                            *shard_argv,
                            "--shard",
                            f"{index}/{args.jobs}",
                            "--json",
                            str(output),
                        ]
                    ),
                    output,
                )
            )
        for process, output in shards:
            process.wait()
            part = json.loads(output.read_text())
            tally.merge(
                Tally(
                    {t: Counter(c) for t, c in part["counts"].items()},
                    [tuple(f) for f in part["failures"]],
                    Counter(part["seconds"]),
                )
            )
    return tally


def _without_option(argv: list[str], option: str) -> list[str]:
    """``argv`` without ``option`` and its value (``--option value`` or ``--option=value``)."""
    out, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item == option:
            skip = True
        elif not item.startswith(option + "="):
            out.append(item)
    return out


def _print(tally: Tally) -> None:
    classes = list(FAILURES) + list(FINE.values()) + ["not applicable", "unknown"]
    seen = [c for c in classes if any(counts[c] for counts in tally.counts.values())]
    print(f"{'command':8} {'cases':>6} {'s/case':>7}  " + "  ".join(seen))
    for target, counts in tally.counts.items():
        runs = (
            sum(counts[c] for c in FINE.values())
            + sum(1 for failure in tally.failures if failure[0] == target)
            + counts["not applicable"]
            + counts["unknown"]
        )
        print(
            f"{target:8} {runs:6d} {tally.seconds[target] / max(runs, 1):7.2f}  "
            + "  ".join(f"{counts[c]:{len(c)}d}" for c in seen)
        )
    print(f"failures: {tally.failure_count()}")
    for target, case, failure_classes, line in tally.failures:
        print(f"  {target}: {case}: {', '.join(failure_classes)}: {line}")


if __name__ == "__main__":
    sys.exit(main())
