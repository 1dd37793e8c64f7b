"""Start the application, optionally on a file, optionally just to save a screenshot."""
from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtCore import QEventLoop, QTimer
from PyQt6.QtWidgets import QApplication

from .icons import icon
from .window import MainWindow


def wait_until_idle(window: MainWindow, timeout_ms: int = 600_000) -> None:
    """Run the event loop until the window's background job is done (used for screenshots)."""
    loop = QEventLoop()
    window.jobs.busyChanged.connect(lambda busy: None if busy else loop.quit())
    QTimer.singleShot(timeout_ms, loop.quit)
    if window.jobs.busy:
        loop.exec()


def run_gui(path: Path | None, screenshot: Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("JPEG Explorer")
    app.setWindowIcon(icon("app"))
    window = MainWindow()
    window.show()
    if path is not None:
        window.open_path(path)
    if screenshot is None:
        return app.exec()
    wait_until_idle(window)
    app.processEvents()
    window.canvas.zoom_to_fit()
    app.processEvents()
    window.grab().save(str(screenshot))
    window.close()
    return 0
