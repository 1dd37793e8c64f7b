"""Cooperative cancel for the long steps of an export and of its verification.

Every long loop of the repair, the proofs and the verifier calls a :data:`Check` between two bounded pieces of
work (a strip, a batch of MCUs, a few polish steps, one linear programme); a check raises :class:`Interrupted`
once the caller's ``cancelled()`` turns true, and whatever was being made is dropped. The pieces are bounded
by counts, not by a clock, so a run that is not cancelled does the same work and gets the same result as one
with no check at all.
"""

from __future__ import annotations

from collections.abc import Callable

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
