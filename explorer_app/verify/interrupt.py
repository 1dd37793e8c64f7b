"""Cooperative cancel for the long steps of an export and of its verification.

Every long loop of the repair, the proofs and the verifier calls a :data:`Check` between two bounded pieces of
work (a strip, a batch of MCUs, a few polish steps, one linear programme); a check raises :class:`Interrupted`
once the caller's ``cancelled()`` turns true, and whatever was being made is dropped. The pieces are bounded
by counts, not by a clock, so a run that is not cancelled does the same work and gets the same result as one
with no check at all. A piece that is one call into a library that cannot be interrupted (HiGHS's linear
programme, the PNG codec; both release the GIL) runs in a thread that is polled while it runs
(:func:`polled`) and abandoned, its result dropped, when the check raises.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

Check = Callable[[], None]
"""Called between two pieces of work; raises :class:`Interrupted` to stop."""


class Interrupted(Exception):  # noqa: N818 - a stop the user asked for, not an error
    """The work stopped because its ``cancelled()`` turned true; nothing it was making is kept."""


def never() -> None:
    """The check of work nobody can cancel."""


def checker(cancelled: Callable[[], bool] | None) -> Check:
    """A :data:`Check` that raises :class:`Interrupted` when ``cancelled()`` is true (never, for None)."""
    if cancelled is None:
        return never

    def check() -> None:
        if cancelled():
            raise Interrupted

    return check


POLL_SECONDS = 0.02
"""How often :func:`polled` checks while its call runs: the cancel's delay, not the work done."""


def polled(work: Callable[[], T], check: Check) -> T:
    """``work()``, one call that cannot be interrupted, run so that ``check`` can stop it: in a thread checked
    every :data:`POLL_SECONDS` while it runs (the call must release the GIL); when ``check`` raises, the call
    is abandoned and finishes unobserved, its result dropped. The thread is not a daemon: the interpreter's
    exit waits for the call (one bounded call: a programme or the PNG codec, a second or two), because a
    C++ library's call cut off at exit aborts the process (seen with the PNG codec: exit 134). With
    :func:`never`, called directly."""
    if check is never:
        return work()
    check()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as error:  # noqa: BLE001 - handed to the caller's thread below
            failure.append(error)

    worker = threading.Thread(target=run, name="polled work", daemon=False)
    worker.start()
    while worker.is_alive():
        worker.join(POLL_SECONDS)
        if worker.is_alive():
            check()
    if failure:
        raise failure[0]
    return outcome[0]
