"""Session files from the window: written in the background from a snapshot, and the crash autosaves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal
from superqt.utils import FunctionWorker, create_worker

from ...engine.session import Session
from ...engine.session_file import SessionFileError, read_facts, snapshot, write_snapshot

SESSION_SUFFIX = ".jxs"


def with_suffix(path: Path) -> Path:
    """``path`` ending in .jxs (a name typed without it gets it)."""
    return path if path.suffix.lower() == SESSION_SUFFIX else path.with_name(path.name + SESSION_SUFFIX)


def autosave_path(folder: Path, sha256: str) -> Path:
    """The autosaved session of the file with this SHA-256."""
    return folder / f"{sha256}{SESSION_SUFFIX}"


def pending_autosaves(folder: Path) -> list[tuple[Path, str]]:
    """(session file, its JPEG's path) of autosaves left behind, newest first."""
    found = []
    for path in [*folder.glob(f"*{SESSION_SUFFIX}"), *folder.glob("*.session")]:
        try:
            found.append((path.stat().st_mtime, path, read_facts(path).source_path))
        except (OSError, SessionFileError):
            continue
    return [(path, source) for _, path, source in sorted(found, reverse=True)]


class SessionWriter(QObject):
    """Writes sessions without blocking the window: the snapshot (cheap) is taken at once, while nothing
    changes the session; compressing and writing run in a worker thread. ``written(path, bytes)`` and
    ``failed(path, message)`` report the outcome; ``pending`` counts writes still running."""

    written = pyqtSignal(object, int)
    failed = pyqtSignal(object, str)
    idle = pyqtSignal()

    def __init__(self) -> None:
        super().__init__()
        self.workers: set[FunctionWorker] = set()

    @property
    def pending(self) -> int:
        return len(self.workers)

    def write(
        self,
        session: Session,
        path: Path,
        on_written: Callable[[Path, int], None] | None = None,
        on_failed: Callable[[Path, str], None] | None = None,
    ) -> None:
        """Write ``session`` to ``path`` in the background; ``on_written(path, bytes)`` or
        ``on_failed(path, message)`` is called for this write only (before ``written`` or ``failed``)."""
        frozen = snapshot(session)
        worker = create_worker(write_snapshot, frozen, path, _start_thread=False, _ignore_errors=True)
        self.workers.add(worker)
        worker.returned.connect(lambda size: self._done(path, size, on_written))
        worker.errored.connect(lambda error: self._failed(path, str(error), on_failed))

        def finished(_: object = None) -> None:
            self._finished(worker)

        worker.finished.connect(finished)
        worker.start()

    def _done(self, path: Path, size: int, on_written: Callable[[Path, int], None] | None) -> None:
        if on_written is not None:
            on_written(path, size)
        self.written.emit(path, size)

    def _failed(self, path: Path, message: str, on_failed: Callable[[Path, str], None] | None) -> None:
        if on_failed is not None:
            on_failed(path, message)
        self.failed.emit(path, message)

    def _finished(self, worker: FunctionWorker) -> None:
        self.workers.discard(worker)
        if not self.workers:
            self.idle.emit()
