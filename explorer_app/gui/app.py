"""Start the application, optionally on a file, optionally just to save a screenshot."""

from __future__ import annotations

import importlib
import sys
import tempfile
import threading
from pathlib import Path

from PyQt6.QtCore import QEventLoop, QTimer
from PyQt6.QtWidgets import QApplication

from .icons import icon
from .settings import Settings
from .window import MainWindow


def wait_until_idle(window: MainWindow, timeout_ms: int = 600_000) -> None:
    """Run the event loop until the window's background job is done (used for screenshots)."""
    loop = QEventLoop()
    window.jobs.busyChanged.connect(lambda busy: None if busy else loop.quit())
    QTimer.singleShot(timeout_ms, loop.quit)
    if window.jobs.busy:
        loop.exec()


SCREENSHOT_SIZE = (1440, 900)


def prepare_torch() -> None:
    """Import, while the user picks a file, what the first optimizer step of the process imports anyway
    (torch._dynamo, through torch.optim: about 3 s on a 2-core CPU), so that neither opening a file nor
    the first edit waits for it."""
    threading.Thread(target=importlib.import_module, args=("torch._dynamo",), daemon=True).start()


def run_gui(path: Path | None, screenshot: Path | None = None) -> int:
    """The application on ``path`` (or none). With ``screenshot``: default preferences and layout (the
    user's are neither used nor changed), a fixed window size, the picture saved, exit."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("JPEG Explorer")
    app.setWindowIcon(icon("app"))
    if screenshot is None:
        prepare_torch()
        window = MainWindow()
        window.show()
        if path is not None:
            window.open_path(path)
        else:
            window.offer_autosaves()
        return app.exec()
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(Settings(Path(folder) / "settings.ini"))
        return save_screenshot(app, window, path, screenshot)


def save_screenshot(app: QApplication, window: MainWindow, path: Path | None, screenshot: Path) -> int:
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    if path is not None:
        window.open_path(path)
    wait_until_idle(window)
    app.processEvents()
    window.canvas.zoom_to_fit()
    app.processEvents()
    window.grab().save(str(screenshot))
    window.close()
    return 0
