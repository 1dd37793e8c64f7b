"""Long work off the GUI thread: one job at a time, progress, previews, and a cancel that always lands.

A job is a generator function ``job(control, *args)`` run in a superqt worker thread. It yields
:class:`Progress` (coarse steps, optionally with something to show now) and returns its result. The
job stops between two yields once cancelled; work that is one long call polls ``control.cancelled()``
and reports finer progress through ``control.progress(done, total)``. A job whose generator finished
always delivers its result, even if cancel was pressed a moment too late: a job that has committed
something must be shown committed. Nothing here ever waits on the GUI thread for a worker with a
timeout, so closing the window cannot abort the application.

Every job runs on one thread that lives as long as the window (:class:`Jobs`' own pool) with torch's
intra-op threads, and the GUI thread's own torch calls run single-threaded. Each Python thread that runs a
torch operator with several threads keeps an OpenMP team of its own; with the GUI thread's team beside a
job thread's, a 256-px edit on a 12-MP photo took twice as long in the job (2.3–2.9 s on the 2-core CPU)
as the same edit on the main thread (1.1–1.5 s), and small operators 5× as long; with the GUI thread kept
out of OpenMP it takes 1.3–1.4 s in the job. (Likely why: libgomp keeps a team's idle threads spinning, so
that the next operator starts at once, only while it manages no more threads than there are cores.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import torch
from PyQt6.QtCore import QObject, QThreadPool, pyqtSignal
from superqt.utils import GeneratorWorker, create_worker

from ...engine.progress import Cancelled


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

JOB_THREADS = torch.get_num_threads()
"""torch's intra-op threads for jobs: what it chose for this machine (or OMP_NUM_THREADS) at import."""


def single_threaded_torch_here() -> None:
    """Make the calling thread's torch operators single-threaded (the GUI thread's, before it runs any: a
    team it has started stays; see the module's docstring)."""
    torch.get_num_threads()  # initializes this thread's setting first, or the first operator would undo it
    torch.set_num_threads(1)


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
    torch.set_num_threads(JOB_THREADS)  # this thread's own OpenMP setting (see the module's docstring)
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
        """Made on the GUI thread, whose torch calls from now on run single-threaded (module docstring)."""
        super().__init__()
        self.worker: GeneratorWorker | None = None
        self.control: JobControl | None = None
        self.label = ""
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self.pool.setExpiryTimeout(-1)  # the same thread for every job: one OpenMP team for the process
        single_threaded_torch_here()

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
        self.pool.start(worker)
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
        self.pool.waitForDone()
