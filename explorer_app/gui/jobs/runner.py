"""Long work off the GUI thread: one job at a time, progress, previews, and a cancel that always lands.

A job is a generator function ``job(control, *args)`` run in a superqt worker thread. It yields
:class:`Progress` (coarse steps, optionally with something to show now) and returns its result. The
job stops between two yields once cancelled; work that is one long call polls ``control.cancelled()``
and reports finer progress through ``control.progress(done, total)``. A job whose generator finished
always delivers its result, even if cancel was pressed a moment too late: a job that has committed
something must be shown committed. Nothing here ever waits on the GUI thread for a worker with a
timeout, so closing the window cannot abort the application.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PyQt6.QtCore import QObject, QThreadPool, pyqtSignal
from superqt.utils import GeneratorWorker, create_worker

from ...engine.progress import Cancelled
from ..widgets.qt import present


@dataclass(frozen=True)
class Progress:
    """What a job yields: ``done`` of ``total`` steps (total 0: unknown), optionally a stage name and
    something to show now."""

    done: int
    total: int
    preview: Any = None
    stage: str = ""


class JobControl:
    """Handed to every job: ``cancelled()`` to poll inside long calls, ``progress(done, total)`` to
    report from inside them (any thread)."""

    def __init__(self, report: Callable[[int, int, str], None]) -> None:
        self._cancel = threading.Event()
        self._report = report
        self.stage = ""

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int) -> None:
        self._report(done, total, self.stage)


JobFunction = Callable[..., Generator[Progress, None, Any]]


class JobBusyError(RuntimeError):
    """A job was started while another one runs."""


class JobError(Exception):
    """A job failed. Not a RuntimeError on purpose: superqt takes a RuntimeError for a deleted Qt object
    and drops it without ever emitting ``finished``, which would leave the window busy forever (and torch
    raises RuntimeError for most of its failures)."""


CANCELLED = object()
"""What a job's wrapper returns when the job stopped on request."""


def guarded(control: JobControl, function: JobFunction, *args: Any) -> Generator[Progress, None, Any]:
    """Run ``function(control, *args)``: stop between yields once cancelled (closing the generator, so
    nothing after its yield runs) and turn a RuntimeError into a JobError."""
    steps = function(control, *args)
    try:
        step = next(steps)
        while True:
            if control.cancelled():
                steps.close()
                return CANCELLED
            control.stage = step.stage or control.stage
            yield step
            step = next(steps)
    except StopIteration as stop:
        return stop.value
    except Cancelled:
        return CANCELLED
    except RuntimeError as error:
        raise JobError(str(error)) from error


class Jobs(QObject):
    """Runs the application's long jobs. Signals: ``busyChanged(bool)``, ``progress(done, total, text)``
    (total 0: no measure yet), ``failed(message)``, ``cancelled(label)`` when a cancel took effect,
    ``finished(label)`` after every job."""

    busyChanged = pyqtSignal(bool)
    progress = pyqtSignal(int, int, str)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal(str)
    finished = pyqtSignal(str)

    def __init__(self) -> None:
        super().__init__()
        self.worker: GeneratorWorker | None = None
        self.control: JobControl | None = None
        self.label = ""

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def start(
        self,
        label: str,
        function: JobFunction,
        *args: Any,
        on_preview: Callable[[Any], None] | None = None,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> GeneratorWorker:
        """Run ``function(control, *args)`` in a worker thread. ``on_preview`` gets each non-None preview
        on the GUI thread, ``on_result`` the return value, ``on_error`` the exception of a failed job
        (default: the ``failed`` signal with a message)."""
        if self.worker is not None:
            raise JobBusyError(f"busy: {self.label}")
        control = JobControl(lambda done, total, stage: self.progress.emit(done, total, self._text(label, stage)))
        worker = create_worker(guarded, control, function, *args, _start_thread=False, _ignore_errors=True)
        self.worker, self.control, self.label = worker, control, label

        def yielded(step: Progress) -> None:
            self.progress.emit(step.done, step.total, self._text(label, step.stage))
            if step.preview is not None and on_preview is not None:
                on_preview(step.preview)

        def returned(result: Any) -> None:
            if result is CANCELLED:
                self.cancelled.emit(label)
            elif on_result is not None:
                on_result(result)

        def errored(error: BaseException) -> None:
            cause = error.__cause__ if isinstance(error, JobError) and error.__cause__ else error
            if on_error is not None:
                on_error(cause)
            else:
                self.failed.emit(f"{label} failed: {cause}")

        worker.yielded.connect(yielded)
        worker.returned.connect(returned)
        worker.errored.connect(errored)

        def finished(_: object = None) -> None:
            self._finished(worker, label)

        worker.finished.connect(finished)
        self.busyChanged.emit(True)
        self.progress.emit(0, 0, label)
        worker.start()
        return worker

    @staticmethod
    def _text(label: str, stage: str) -> str:
        return f"{label}: {stage}" if stage else label

    def cancel(self) -> None:
        """Ask the running job to stop at its next step (or inside a long call that polls for it)."""
        if self.control is not None:
            self.control.cancel()

    def _finished(self, worker: GeneratorWorker, label: str) -> None:
        if self.worker is worker:
            self.worker, self.control = None, None
            self.busyChanged.emit(False)
            self.finished.emit(label)

    def shutdown(self) -> None:
        """Cancel the running job and wait until its thread has ended (test teardown; the window instead
        waits without blocking, see ``MainWindow.closeEvent``)."""
        self.cancel()
        present(QThreadPool.globalInstance()).waitForDone()
