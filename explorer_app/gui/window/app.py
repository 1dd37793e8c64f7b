"""Start the application, optionally on a file, optionally just to save a screenshot."""

from __future__ import annotations

import gc
import importlib
import sys
import tempfile
import threading
from pathlib import Path

from PyQt6.QtCore import QBuffer, QEventLoop, QIODevice, QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PyQt6.QtWidgets import QApplication

from ...atomic import atomic_write_bytes
from ..settings import Settings
from ..widgets.icons import icon
from .collector import GuiThreadCollector
from .main_window import MainWindow


def wait_until_idle(window: MainWindow, timeout_ms: int = 600_000) -> None:
    """Run the event loop until the window's background job is done (used for screenshots)."""
    loop = QEventLoop()
    window.jobs.busyChanged.connect(lambda busy: None if busy else loop.quit())
    QTimer.singleShot(timeout_ms, loop.quit)
    if window.jobs.busy:
        loop.exec()


SCREENSHOT_SIZE = (1440, 900)


class ScreenshotError(ValueError):
    """The screenshot could not be encoded or written; nothing was written. One line for the user."""


def prepare_torch() -> threading.Thread:
    """Import, while the user picks a file, what the first optimizer step of the process imports anyway
    (torch._dynamo, through torch.optim: seconds on a CPU), so that neither opening a file nor
    the first edit waits for it; then freeze what it made (sympy's and dynamo's objects: hundreds of
    thousands) out of the cyclic collector's sight, as :class:`GuiThreadCollector` froze what was imported
    before it started: every full collection on the GUI thread scanned them, a 125–165-ms pause of the
    window while a 12-MP photo opened (20–35 ms with them frozen). Returns the (daemon) thread."""

    def prepare() -> None:
        importlib.import_module("torch._dynamo")
        gc.freeze()

    thread = threading.Thread(target=prepare, name="prepare torch", daemon=True)
    thread.start()
    return thread


def run_gui(path: Path | None, screenshot: Path | None = None, kind: str = "PNG") -> int:
    """The application on ``path`` (or none). With ``screenshot``: default preferences and layout (the
    user's are neither used nor changed), a fixed window size, the picture saved atomically in the Qt image
    format ``kind``, exit; raises ScreenshotError when it cannot be."""
    if screenshot is not None:  # stderr is ours: one line on failure, nothing on success
        qInstallMessageHandler(_quiet)
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("JPEG Explorer")
    app.setWindowIcon(icon("app"))
    collector = GuiThreadCollector(app)
    collector.start()
    try:
        if screenshot is None:
            prepare_torch()
            window = MainWindow()
            window.show()
            if path is not None:
                window.open_path(path)
            else:
                window.sessions.offer_autosaves()
            return app.exec()
        with tempfile.TemporaryDirectory() as folder:
            window = MainWindow(Settings(Path(folder) / "settings.ini"))
            return save_screenshot(app, window, path, screenshot, kind)
    finally:
        collector.stop()


def _quiet(kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
    """Qt's own messages in a screenshot run ("This plugin does not support propagateSizeHints()" of the
    offscreen platform): dropped, except a fatal one."""
    if kind == QtMsgType.QtFatalMsg:
        sys.stderr.write(f"jpeg-explorer: error: Qt: {message}\n")


def encoded(window: MainWindow, kind: str) -> bytes:
    """The window's picture in the Qt image format ``kind``."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not window.grab().save(buffer, kind):
        raise ScreenshotError(f"the window could not be encoded as {kind}")
    return buffer.data().data()


def save_screenshot(
    app: QApplication, window: MainWindow, path: Path | None, screenshot: Path, kind: str = "PNG"
) -> int:
    failures: list[str] = []
    window.report_failure = failures.append
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    if path is not None:
        window.open_path(path)
    wait_until_idle(window)
    app.processEvents()
    if failures or (path is not None and window.opened is None):
        window.close()
        raise ScreenshotError(failures[0] if failures else f"{path}: could not be opened")
    window.canvas.zoom_to_fit()
    app.processEvents()
    try:
        data = encoded(window, kind)
        atomic_write_bytes(screenshot, data)
    except OSError as error:
        raise ScreenshotError(f"{screenshot}: cannot write it ({error.strerror or error})") from None
    finally:
        window.close()
    return 0
