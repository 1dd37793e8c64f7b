"""Drive the application into a telling state on a real X display and photograph the whole screen.

    xvfb-run -s "-screen 0 1280x800x24" python docs/screenshots/take_screenshots.py clock light OUT.png
    xvfb-run -s "-screen 0 1920x1080x24" python docs/screenshots/take_screenshots.py example dark OUT.png

"clock": the bundled clock, a brightness edit (the status says what was asked, allowed and reached),
then the digit hypotheses for the first digit with one of them shown and the cursor over the image.
"example": the bundled photo, a variance edit, the alternatives for the same region and the
quantization map with its legend. "dark" applies a dark Fusion palette, as a dark desktop would.
The picture is taken with ImageMagick's ``import -window root`` (the screen as the user sees it).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PyQt6.QtCore import QPoint, QPointF, QRectF, QTimer
from PyQt6.QtGui import QColor, QCursor, QGuiApplication, QPainterPath, QPalette
from PyQt6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from explorer_app.gui.settings import Settings
from explorer_app.gui.window.main_window import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2d2d31"),
        (QPalette.ColorRole.WindowText, "#e8e8ec"),
        (QPalette.ColorRole.Base, "#1f1f23"),
        (QPalette.ColorRole.AlternateBase, "#2a2a2e"),
        (QPalette.ColorRole.Text, "#e8e8ec"),
        (QPalette.ColorRole.Button, "#38383d"),
        (QPalette.ColorRole.ButtonText, "#e8e8ec"),
        (QPalette.ColorRole.Highlight, "#3d7bd9"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#38383d"),
        (QPalette.ColorRole.ToolTipText, "#e8e8ec"),
        (QPalette.ColorRole.PlaceholderText, "#9a9aa0"),
    ):
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a80"))
    return palette


class Script:
    """Steps run one after the other, each when the window has no job running."""

    def __init__(self, window: MainWindow, steps: list, out: Path) -> None:
        self.window, self.steps, self.out = window, steps, out
        self.timer = QTimer()
        self.timer.timeout.connect(self.tick)
        self.timer.start(200)

    def tick(self) -> None:
        if self.window.jobs.busy:
            return
        if self.steps:
            self.steps.pop(0)()
            return
        self.timer.stop()
        QApplication.processEvents()
        subprocess.run(["import", "-window", "root", str(self.out)], check=True)
        self.window.explorer.saved_generation = self.window.explorer.generation
        QApplication.quit()


def select(window: MainWindow, x: float, y: float, width: float, height: float) -> None:
    path = QPainterPath()
    path.addRect(QRectF(x, y, width, height))
    window.region.add(path)


def hover(window: MainWindow, x: float, y: float) -> None:
    """Put the mouse over image pixel (x, y), as a user's hand does."""
    QCursor.setPos(window.canvas.viewport().mapToGlobal(window.canvas.mapFromScene(QPointF(x, y))))


def clock_steps(window: MainWindow) -> list:
    def brighten() -> None:
        select(window, 200, 30, 40, 40)
        window.tool_panels["Brightness"].controls["amount"].setValue(40)
        window.toolbox.show_panel("Brightness").apply()

    def digits() -> None:
        window.region.clear()
        select(window, 164, 20, 56, 88)  # the "3": one character, as the digit tool wants it
        window.toolbox.show_panel("Digits / letters").apply()

    def show_one() -> None:
        gallery = window.tool_panels["Digits / letters"].gallery
        gallery.buttons[0].click()
        hover(window, 150, 64)

    return [lambda: window.open_path(EXAMPLES / "clock.jpg"), brighten, digits, show_one]


def example_steps(window: MainWindow) -> list:
    def detail() -> None:
        select(window, 180, 150, 128, 128)
        window.toolbox.show_panel("Variance").apply()

    def alternatives() -> None:
        window.tool_panels["Alternatives"].controls["count"].setValue(4)
        window.toolbox.show_panel("Alternatives").apply()

    def show_one() -> None:
        window.tool_panels["Alternatives"].gallery.buttons[1].click()
        window.commands["coarseness"].trigger()
        hover(window, 100, 380)

    return [lambda: window.open_path(EXAMPLES / "example.jpg"), detail, alternatives, show_one]


def main(argv: list[str]) -> int:
    scene, palette, out = argv[0], argv[1], Path(argv[2]).resolve()
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    if palette == "dark":
        app.setPalette(dark_palette())
    screen = QGuiApplication.primaryScreen().geometry()
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(Settings(Path(folder) / "settings.ini"))
        window.setGeometry(screen)
        window.move(QPoint(0, 0))
        window.show()
        steps = {"clock": clock_steps, "example": example_steps}[scene](window)
        script = Script(window, steps, out)  # noqa: F841 - kept alive by the name until exec returns
        return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
