"""What a native library writes on the process's stderr during one call, taken out of the user's way.

libpng (inside OpenCV) reports a damaged PNG with "libpng error: IDAT: CRC error" and an odd one with
"libpng warning: …", written straight to file descriptor 2, where Python's ``sys.stderr`` cannot catch it:
a command's one line of error would come second, after libpng's. :func:`call_capturing` points descriptor 2
at a temporary file for the call and hands the library's lines to the caller, to fold into its own message;
anything else written there meanwhile (another thread's output) is written out again afterwards.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, TypeVar

T = TypeVar("T")

_redirect = threading.Lock()
"""One redirection at a time: two interleaved ones would restore each other's descriptor."""


@contextmanager
def descriptor_2_into(stream: BinaryIO) -> Iterator[None]:
    """Inside the block, whatever anyone writes on file descriptor 2 (native code included) goes to
    ``stream``, a real file; the descriptor is restored after it, whatever happens."""
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(stream.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def call_capturing(work: Callable[[], T], prefix: str) -> tuple[T, list[str]]:
    """``work()``'s result and the lines starting with ``prefix`` that were written on descriptor 2 while it
    ran (without the prefix); every other line written there meanwhile is written out again. If ``work``
    raises, the exception propagates and the captured lines are dropped."""
    with _redirect, tempfile.TemporaryFile() as sink:
        try:
            with descriptor_2_into(sink):
                result = work()
        finally:
            sink.seek(0)
            lines = sink.read().decode(errors="replace").splitlines()
            others = [line for line in lines if not line.startswith(prefix)]
            if others:
                os.write(2, "".join(f"{line}\n" for line in others).encode())
    return result, [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]
