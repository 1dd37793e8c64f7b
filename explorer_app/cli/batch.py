"""Batch mode of ``decode`` and ``verify``: one result per file, a progress line, a summary table.

Every file is judged on its own: a bad file becomes an UNUSABLE row (and one ``jpeg-explorer: error:``
line on stderr) and the batch goes on. The batch's exit code is the worst of its files' (the single-file
contract): 0 every file verified, 1 some written or judged but NOT verified, 2 some input unusable.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, fail

JPEG_SUFFIXES = (".jpg", ".jpeg")
STATUS = {EXIT_OK: "verified", EXIT_FAILED: "not verified", EXIT_BAD_INPUT: "unusable"}


@dataclass
class FileResult:
    """One file's outcome: ``name`` as the table shows it, its exit ``code`` (0, 1 or 2), a ``note`` (the
    error when unusable, else what the user should know) and the fields of its JSON object."""

    name: str
    code: int
    note: str = ""
    fields: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return STATUS[self.code]

    def as_dict(self) -> dict[str, object]:
        return {
            **self.fields,
            "status": self.status,
            "exit": self.code,
            "error": self.note if self.code == EXIT_BAD_INPUT else None,
            "seconds": round(self.seconds, 3),
        }


def unusable(name: str, message: str, **fields: object) -> FileResult:
    return FileResult(name, EXIT_BAD_INPUT, message, dict(fields))


@dataclass(frozen=True)
class Job:
    """A file to process: its name for the progress line and the table, and the work (which may raise
    one of the batch's ``expected`` errors: that file is then unusable)."""

    name: str
    work: Callable[[], FileResult]
    fields: dict[str, object] = field(default_factory=dict)
    """What its JSON object holds even when the work fails (the paths)."""


class Progress:
    """``[i/n] name`` rewritten in place on ``stream``, only when ``shown`` (stderr is a terminal and the user
    did not ask for quiet)."""

    def __init__(self, total: int, stream: TextIO, shown: bool) -> None:
        self.total, self.stream, self.shown = total, stream, shown
        self.width = 0

    def show(self, index: int, name: str) -> None:
        if self.shown:
            line = f"[{index + 1}/{self.total}] {name}"
            self.stream.write("\r" + line.ljust(self.width))
            self.stream.flush()
            self.width = len(line)

    def clear(self) -> None:
        if self.shown and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def jpegs_in(folder: Path) -> list[Path]:
    """The folder's .jpg and .jpeg files (any case), by name; not its sub-folders."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in JPEG_SUFFIXES and p.is_file())


def worst(results: Iterable[FileResult]) -> int:
    return max((r.code for r in results), default=EXIT_OK)


def table(results: Sequence[FileResult]) -> str:
    """The summary: one row per file (result, seconds, file, note) and a count of each result."""
    rows = [("result", "seconds", "file", "note")]
    rows += [(r.status.upper(), f"{r.seconds:.1f}", r.name, r.note) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:<{widths[2]}}  {d}".rstrip() for a, b, c, d in rows]
    counts = ", ".join(f"{sum(r.code == code for r in results)} {status}" for code, status in STATUS.items())
    lines.append(f"{len(results)} file(s): {counts}; exit {worst(results)}")
    return "\n".join(lines)


def run_jobs(jobs: Sequence[Job], expected: tuple[type[Exception], ...], as_json: bool, quiet: bool) -> int:
    """Run every job; print one JSON object per line as each ends (``as_json``) or the summary table at the
    end; return the worst exit code. ``expected`` errors make their file unusable; so does any other error,
    named as unexpected, so that one file can never stop the others."""
    progress = Progress(len(jobs), sys.stderr, shown=not quiet and sys.stderr.isatty())
    results = []
    for index, job in enumerate(jobs):
        progress.show(index, job.name)
        start = time.perf_counter()
        try:
            result = job.work()
        except expected as error:
            result = unusable(job.name, str(error), **job.fields)
        except Exception as error:  # noqa: BLE001 - a bug on one file must not stop the batch
            result = unusable(job.name, f"unexpected {type(error).__name__} (please report it): {error}", **job.fields)
        result.seconds = time.perf_counter() - start
        progress.clear()
        if result.code == EXIT_BAD_INPUT:
            fail(result.note)
        if as_json:
            print(json.dumps(result.as_dict()), flush=True)
        results.append(result)
    if not as_json:
        print(table(results))
    return worst(results)
