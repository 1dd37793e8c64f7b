"""Crash-safe writes of one file or of a pair of files (an export and its report).

Contents are written to anonymous files in the destination folder (Linux O_TMPFILE: a process killed while
writing leaves nothing behind) and flushed to disk; only then are they given their names. A pair is named
by a forked child process that does nothing else: link each file under a hidden name and rename it over
its destination, the report first. A kill of the exporting process (SIGKILL or SIGTERM, at any moment)
therefore leaves either the old pair or the new one: before the fork nothing is named yet, after it the
child finishes the two renames on its own. Files are created with mode 0666 less the umask, like any file
a user makes. Where O_TMPFILE is missing, hidden ``.partial`` files stand in for the anonymous ones (and are
removed on any error the process survives).
"""

from __future__ import annotations

import errno
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

FILE_MODE = 0o666
"""Mode of new files before the umask, as open(2) and shells use."""


@dataclass
class Staged:
    """Contents flushed to disk, not yet named: ``descriptor`` open on them, and ``partial`` the hidden name
    they already have where anonymous files are not available (else None)."""

    destination: Path
    descriptor: int
    partial: Path | None

    def discard(self) -> None:
        os.close(self.descriptor)
        if self.partial is not None:
            self.partial.unlink(missing_ok=True)


def hidden_name(destination: Path) -> Path:
    return destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.partial")


def stage(destination: Path, data: bytes) -> Staged:
    """Write ``data`` to an unnamed file in ``destination``'s folder (or a hidden one) and fsync it."""
    folder = destination.parent
    partial = None
    try:
        descriptor = os.open(folder, os.O_TMPFILE | os.O_WRONLY, FILE_MODE)
    except (AttributeError, OSError) as error:
        if isinstance(error, OSError) and error.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            raise
        partial = hidden_name(destination)
        descriptor = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    staged = Staged(destination, descriptor, partial)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    except BaseException:
        staged.discard()
        raise
    return staged


def name(staged: Staged) -> None:
    """Give staged contents their destination name, replacing what was there (atomic rename)."""
    partial = staged.partial
    if partial is None:
        partial = hidden_name(staged.destination)
        folder = os.open(partial.parent, os.O_RDONLY)
        try:  # a folder descriptor makes os.link call linkat(AT_SYMLINK_FOLLOW), which links the open file
            os.link(f"/proc/self/fd/{staged.descriptor}", partial.name, dst_dir_fd=folder)
        finally:
            os.close(folder)
    try:
        os.replace(partial, staged.destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def name_in_child(files: list[Staged]) -> None:
    """Name ``files`` in order from a forked child that a kill of this process cannot interrupt; raise the
    child's OSError here. A failure names none of the later files and removes any earlier one that was new."""
    child = os.fork()
    if child == 0:  # the child: system calls only, then _exit without any Python clean-up
        code = 0
        done: list[Path] = []
        try:
            for staged in files:
                name(staged)
                done.append(staged.destination)
            sync_folder(files[0].destination.parent)
        except OSError as error:
            code = error.errno or errno.EIO
            for destination in done:
                destination.unlink(missing_ok=True)
        os._exit(code)
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise OSError(code if code > 0 else errno.EINTR, os.strerror(code if code > 0 else errno.EINTR))


def write_pair(first: tuple[Path, bytes], second: tuple[Path, bytes]) -> None:
    """Write two files as a pair, ``first`` named first: after a kill at any moment both are the old files
    or both the new ones; after an error the process survives (disk full, a folder in the way) neither
    changed, except that a failure between the two names removes the first new file again."""
    staged: list[Staged] = []
    try:
        for destination, data in (first, second):
            staged.append(stage(Path(destination), data))
        name_in_child(staged)
    finally:
        for item in staged:
            item.discard()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the whole new one, never a part."""
    staged = stage(Path(path), data)
    try:
        name(staged)
    finally:
        staged.discard()
