"""Progress and cancel for work that is one long call (a whole-image decode): counted per convolution.

Qt-free. ``progress(done, total)`` is called from the thread doing the work; ``cancelled()`` is polled
before every convolution, and when it turns true the work stops by raising :class:`Cancelled`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from torch import nn

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class Cancelled(Exception):
    """A long computation stopped because it was asked to; nothing it would have produced exists."""


@contextmanager
def watched(
    module: nn.Module, progress: ProgressCallback | None = None, cancelled: CancelCheck | None = None
) -> Iterator[int]:
    """While the block runs, every convolution of ``module`` reports ``progress(done, total)`` after it
    and checks ``cancelled()`` before it; yields ``total``, the convolutions of one forward pass."""
    convolutions = [m for m in module.modules() if isinstance(m, nn.Conv2d)]
    total = len(convolutions)
    done = 0

    def before(*_: object) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled

    def after(*_: object) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total)

    handles = [
        hook
        for conv in convolutions
        for hook in (conv.register_forward_pre_hook(before), conv.register_forward_hook(after))
    ]
    try:
        yield total
    finally:
        for handle in handles:
            handle.remove()
