"""The README's "Verified export" screenshot: the bundled clock after a brightness edit, exported with the
bit depth left to choose, and the result dialog (verdict, per-component figures, the encoder the PNG was
repaired for). Run from the repository root under Xvfb:

    xvfb-run -s "-screen 0 1440x900x24" python docs/screenshots/take_export_screenshot.py OUT.png
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QRectF
from PyQt6.QtGui import QGuiApplication, QPainterPath
from PyQt6.QtWidgets import QApplication

from explorer_app.gui.settings import Settings
from explorer_app.gui.window.collector import GuiThreadCollector
from explorer_app.gui.window.main_window import MainWindow

CLOCK = Path(__file__).resolve().parents[2] / "assets" / "examples" / "clock.jpg"


def wait(app: QApplication, condition: Callable[[], bool], timeout_s: float = 120.0) -> None:
    """Run the event loop until ``condition`` holds."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout_s:
            raise TimeoutError("the window did not get there")
        app.processEvents()
        time.sleep(0.01)


def main(out: Path) -> int:
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    GuiThreadCollector(app).start()
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(Settings(Path(folder) / "settings.ini"))
        window.setGeometry(QGuiApplication.primaryScreen().geometry())
        window.show()
        window.open_path(CLOCK)
        wait(app, lambda: not window.jobs.busy and window.opened is not None)
        square = QPainterPath()
        square.addRect(QRectF(200, 30, 40, 40))
        window.region.add(square)
        window.tool_panels["Brightness"].controls["amount"].setValue(40)
        window.toolbox.show_panel("Brightness").apply()
        wait(app, lambda: not window.jobs.busy and window.explorer.session.history.position == 1)
        window.export_to(Path(folder) / "clock-export.png", 0)
        wait(app, lambda: not window.jobs.busy and window.export_result is not None)
        settle = time.monotonic()
        wait(app, lambda: time.monotonic() - settle > 1.0)  # the dialog drawn
        QGuiApplication.primaryScreen().grabWindow(0).save(str(out))
        window.export_result.close()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
