"""A set of output files written together: never over an input, all or none.

A command that writes several files names them all first; they are checked against its inputs (same file
under any name: path, symlink or hard link), the folder is created and probed for writing before any long
work, and when writing fails part-way every file of the set is removed again, so no partial set is left.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputError(ValueError):
    """An output cannot or must not be written; the message is one line for the user."""


def check_not_inputs(targets: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Refuse when any target is, under whatever name, one of the existing ``inputs``."""
    sources = [path for path in inputs if path.exists()]
    for target in targets:
        for source in sources:
            if target.exists() and os.path.samefile(target, source):
                raise OutputError(f"{target}: is the input {source}; refusing to overwrite it")


def prepare_folder(folder: Path) -> bool:
    """Create ``folder`` if needed and check that files can be written in it; True when it was created."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder")
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        if created:
            remove_set([], folder, created)
        raise OutputError(f"{folder}: cannot write there ({error.strerror or error})") from None
    return created


def remove_set(targets: Iterable[Path], folder: Path, created: bool) -> None:
    """Remove every target (those not written are skipped), and ``folder`` too when this run created it and
    it is left empty."""
    for target in targets:
        try:
            target.unlink(missing_ok=True)
        except OSError:
            pass  # nothing more can be done about a file we cannot remove; the error already reported says why
    if created:
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty (the user put something there meanwhile) or already gone: leave it
