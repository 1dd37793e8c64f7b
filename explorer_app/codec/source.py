"""Read an input file safely: regular files only, never more than their size, never more than a bound.

A FIFO, a socket or a character device (``/dev/zero``) is refused at once instead of blocking forever or
being read without end; the file is opened without blocking and checked on the open descriptor, so a path
swapped for a FIFO between the check and the open is refused too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFileError(ValueError):
    """The path is not a readable regular file of acceptable size; the message is one line for the user."""


_KINDS = {
    stat.S_ISFIFO: "a FIFO",
    stat.S_ISSOCK: "a socket",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISDIR: "a folder",
}


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS.items() if test(mode)), "not a regular file")


def open_regular_file(path: str | os.PathLike) -> tuple[int, os.stat_result]:
    """A read-only descriptor of ``path`` and its status, when it is a regular file: a FIFO or device is
    refused without blocking. The caller closes the descriptor.

    Raises UnreadableFileError naming the problem: missing, a folder, a FIFO or device, unreadable.
    """
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableFileError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise UnreadableFileError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFileError(f"{path}: is {_kind(info.st_mode)}, not a regular file")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, info


def read_regular_file(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``: at most its size at opening, refused above ``max_bytes``.

    Raises UnreadableFileError naming the problem: missing, a folder, a FIFO or device, unreadable, too large.
    """
    path = Path(path)
    descriptor, info = open_regular_file(path)
    try:
        if info.st_size > max_bytes:
            raise UnreadableFileError(
                f"{path}: {info.st_size / 2**20:.0f} MiB is larger than any file this "
                f"application opens ({max_bytes // 2**20} MiB)"
            )
        return _read_exactly(descriptor, info.st_size, path)
    finally:
        os.close(descriptor)


def _read_exactly(descriptor: int, size: int, path: Path) -> bytes:
    """Up to ``size`` bytes from ``descriptor``; fewer when the file shrank while being read."""
    buffer = bytearray(size)
    view, filled = memoryview(buffer), 0
    try:
        while filled < size:
            count = os.readv(descriptor, [view[filled:]])
            if count == 0:
                break
            filled += count
    except OSError as error:
        raise UnreadableFileError(f"{path}: cannot be read ({error.strerror})") from None
    finally:
        view.release()
    del buffer[filled:]
    return bytes(buffer)
