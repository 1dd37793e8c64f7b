"""Long work off the GUI thread: one job at a time, a superqt generator worker that yields progress and
stops between yields when cancelled."""
from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal
from superqt.utils import GeneratorWorker, WorkerBase, create_worker


@dataclass(frozen=True)
class Progress:
    """What a job yields: ``done`` of ``total`` steps, and optionally something to show now."""

    done: int
    total: int
    preview: Any = None


JobFunction = Callable[..., Generator[Progress, None, Any]]


class JobBusyError(RuntimeError):
    """A job was started while another one runs."""


class JobError(Exception):
    """A job failed. Not a RuntimeError on purpose: superqt takes a RuntimeError for a deleted Qt object
    and drops it without ever emitting ``finished``, which would leave the window busy forever (and torch
    raises RuntimeError for most of its failures)."""


def guarded(function: JobFunction, *args: Any) -> Generator[Progress, None, Any]:
    """Run the generator ``function(*args)``, turning any RuntimeError into a JobError."""
    try:
        return (yield from function(*args))
    except RuntimeError as error:
        raise JobError(str(error)) from error


class Jobs(QObject):
    """Runs the application's long jobs. Signals: ``busyChanged(bool)``, ``progress(done, total, label)``,
    ``failed(message)``; ``cancelled()`` when a cancel took effect."""

    busyChanged = pyqtSignal(bool)
    progress = pyqtSignal(int, int, str)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()

    def __init__(self) -> None:
        super().__init__()
        self.worker: GeneratorWorker | None = None
        self.label = ""

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def start(self, label: str, function: JobFunction, *args: Any,
              on_preview: Callable[[Any], None] | None = None,
              on_result: Callable[[Any], None] | None = None) -> GeneratorWorker:
        """Run ``function(*args)`` (a generator of :class:`Progress`) in a worker thread. ``on_preview`` gets
        each non-None preview on the GUI thread, ``on_result`` the generator's return value."""
        if self.worker is not None:
            raise JobBusyError(f"busy: {self.label}")
        worker = create_worker(guarded, function, *args, _start_thread=False, _ignore_errors=True)
        self.worker, self.label = worker, label

        def yielded(step: Progress) -> None:
            self.progress.emit(step.done, step.total, label)
            if step.preview is not None and on_preview is not None:
                on_preview(step.preview)

        worker.yielded.connect(yielded)
        if on_result is not None:
            worker.returned.connect(on_result)
        worker.errored.connect(lambda error: self.failed.emit(f"{label} failed: {error}"))
        worker.aborted.connect(self.cancelled.emit)
        worker.finished.connect(lambda: self._finished(worker))
        self.busyChanged.emit(True)
        self.progress.emit(0, 0, label)
        worker.start()
        return worker

    def cancel(self) -> None:
        """Ask the running job to stop at its next step."""
        if self.worker is not None:
            self.worker.quit()

    def _finished(self, worker: GeneratorWorker) -> None:
        if self.worker is worker:
            self.worker = None
            self.busyChanged.emit(False)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel and wait for every worker (window closing, test teardown)."""
        self.cancel()
        WorkerBase.await_workers(timeout_ms)
