"""Run ``jpeg-explorer`` once in its own process, under a time limit and an address-space limit.

Two ways, the same outcome: :func:`run_forked` forks the current process, which has imported the application
once (a case costs its own work, not torch's start-up), and :func:`run_fresh` starts a new interpreter (what a
user runs, 5 s more per case). The process gets its own process group, so the JPEG reader's child dies with
it on a hang; its peak resident memory comes from ``wait4``.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass


OUTPUT_BYTES = 1 << 16
"""How much of stdout and stderr is kept."""
TRACEBACK_EXIT = 70
"""Exit status of a forked case that ended with an uncaught exception (its traceback is on its stderr)."""


@dataclass(frozen=True)
class Limits:
    """seconds: wall-clock time; address_space: RLIMIT_AS in bytes (a hard stop, above the budget)."""

    seconds: float
    address_space: int


@dataclass(frozen=True)
class Outcome:
    """exit_code: None when killed; signal: the signal that ended it (ours on a hang too); peak_bytes: the
    largest resident set of the process and the children it waited for."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    seconds: float
    peak_bytes: int
    stdout: str
    stderr: str


Entry = Callable[[list[str]], int]
"""What a case runs: ``explorer_app.cli.main.main`` for the commands, or another importable function."""
Runner = Callable[[Entry, list[str], Limits], Outcome]


def run_forked(entry: Entry, arguments: list[str], limits: Limits) -> Outcome:
    """``entry(arguments)`` in a forked copy of this process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(entry, arguments, limits, out.fileno(), err.fileno())
        try:
            os.setpgid(pid, pid)  # also set here: a hang may be killed before the child has run a line
        except OSError:
            pass  # the child got there first, or has already exited
        return _wait(pid, start, limits, out, err)


def _child(entry: Entry, arguments: list[str], limits: Limits, out: int, err: int) -> None:
    """The forked case: never returns."""
    code = TRACEBACK_EXIT
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        faulthandler.disable()  # a crash is seen in the exit status; a parent's handler must not report it
        resource.setrlimit(resource.RLIMIT_AS, (limits.address_space, limits.address_space))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the streams of this process until _exit
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - (a caller such as pytest may have replaced them)
        code = entry(arguments)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001 - what escapes main is exactly what the fuzzer looks for
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_fresh(entry: Entry, arguments: list[str], limits: Limits) -> Outcome:
    """``entry(arguments)`` in a new interpreter (the address-space limit set before anything loads)."""
    bootstrap = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({0}, {0})); "
        "from {1} import {2}; sys.exit({2}(sys.argv[1:]))"
    ).format(limits.address_space, entry.__module__, entry.__name__)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", bootstrap, *arguments],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        return _wait(process.pid, start, limits, out, err)


def _wait(pid: int, start: float, limits: Limits, out, err) -> Outcome:
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > limits.seconds:
            timed_out = True
            _kill_group(pid)
            _, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.02)
    seconds = time.monotonic() - start
    _kill_group(pid)  # the reader's child, if the case left one behind
    return Outcome(
        os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None,
        os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        timed_out,
        seconds,
        usage.ru_maxrss * 1024,
        _text(out),
        _text(err),
    )


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is already gone


def _text(stream) -> str:
    stream.seek(0)
    return stream.read(OUTPUT_BYTES).decode(errors="replace")
