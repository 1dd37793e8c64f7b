"""The desktop application on a 12-MP camera-like photo, driven like a user, timed end to end.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_journey_12mp.py [--json OUT.json] [--model explorable]

Journeys, each from the user's action to the result on screen: open (to the first sharp view, and to
the network decode on screen, and to the moment edits can start), a 256-px variance edit, undo, redo,
export (verified 16-bit PNG, to the result dialog), save and reopen the session. It also works on the
tree before the changes it measures (for the "before" figures): what that tree lacks is skipped. During each journey
a 10-ms QTimer runs on the GUI thread; the longest gap between its ticks (minus the interval) is how
long the GUI thread was blocked at worst.

The photo is made here, no download: a 3×2 composite of scikit-image's bundled photos, each upscaled
(bicubic) to 1334×1500, with grain and a fine stone texture laid over it so that it compresses like a
camera photo, saved by Pillow at quality 85 (4:2:0), 4000×3000. Shipped ``lite`` weights, CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtCore import QRectF, QTimer
from PyQt6.QtGui import QPainterPath
from PyQt6.QtWidgets import QApplication, QMessageBox

from explorer_app.gui.jobs.opening import load_model

try:  # the tree before kept torch's default threads on the GUI thread (for the "before" figures)
    from explorer_app.gui.jobs.runner import JOB_THREADS, single_threaded_torch_here
except ImportError:
    import torch

    JOB_THREADS = torch.get_num_threads()

    def single_threaded_torch_here() -> None:
        """Nothing: the tree before did not do this."""


from explorer_app.gui.settings import Settings
from explorer_app.gui.window.collector import GuiThreadCollector
from explorer_app.gui.window.main_window import MainWindow

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field")
TICK_MS = 10
EDIT_SIDE = 256


def camera_like_photo(width: int = 4000, height: int = 3000, seed: int = 0) -> np.ndarray:
    """uint8 (height, width, 3): six bundled photos upscaled into a 3×2 grid, with texture and grain."""
    import skimage.data

    rng = np.random.default_rng(seed)
    columns, rows = 3, 2
    tile_w, tile_h = -(-width // columns), -(-height // rows)
    canvas = np.zeros((rows * tile_h, columns * tile_w, 3), np.float32)
    for index, name in enumerate(PHOTOS):
        photo = getattr(skimage.data, name)().astype(np.float32)
        scale = max(tile_w / photo.shape[1], tile_h / photo.shape[0])
        big = cv2.resize(
            photo, (round(photo.shape[1] * scale) + 1, round(photo.shape[0] * scale) + 1), interpolation=cv2.INTER_CUBIC
        )
        top, left = (big.shape[0] - tile_h) // 2, (big.shape[1] - tile_w) // 2
        r, c = divmod(index, columns)
        canvas[r * tile_h : (r + 1) * tile_h, c * tile_w : (c + 1) * tile_w] = big[
            top : top + tile_h, left : left + tile_w
        ]
    stone = skimage.data.gravel().astype(np.float32)
    stone = np.tile(stone, (-(-canvas.shape[0] // 512), -(-canvas.shape[1] // 512)))[
        : canvas.shape[0], : canvas.shape[1]
    ]
    canvas += 0.08 * (stone - stone.mean())[:, :, None]
    canvas += rng.normal(0.0, 2.5, canvas.shape).astype(np.float32)
    return np.clip(np.round(canvas[:height, :width]), 0, 255).astype(np.uint8)


def prepare_torch() -> bool:
    """What the application does at start while the user picks a file (app.prepare_torch), here waited
    for, as a user choosing a file would; False for the application before it did this."""
    try:
        from explorer_app.gui.window import app as application
    except ImportError:
        return False
    if not hasattr(application, "prepare_torch"):
        return False
    thread = application.prepare_torch()
    if thread is not None:  # the application before returned nothing and was waited for by importing here
        thread.join()
    else:
        import importlib

        importlib.import_module("torch._dynamo")
    return True


def write_photo(path: Path) -> Path:
    Image.fromarray(camera_like_photo()).save(path, quality=85, subsampling=2)
    return path


class GapMeter:
    """A timer on the GUI thread: ``worst_ms`` is the longest time between two of its ticks beyond the
    interval, i.e. how long the GUI thread could not run its event loop."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst_ms = 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst_ms = max(self.worst_ms, (now - self.last) * 1000.0 - TICK_MS)
        self.last = now

    def reset(self) -> None:
        self.last, self.worst_ms = time.perf_counter(), 0.0


def wait_for(app: QApplication, condition: Callable[[], bool], timeout_s: float = 600.0) -> float:
    """Run the event loop until ``condition`` holds; the seconds it took."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout_s:
            raise TimeoutError("the journey did not finish")
        app.processEvents()
        time.sleep(0.002)
    return time.perf_counter() - start


def journey(
    app: QApplication,
    meter: GapMeter,
    act: Callable[[], object],
    done: Callable[[], bool],
    marks: dict[str, Callable[[], bool]] | None = None,
) -> dict[str, float]:
    """Do ``act`` and run the event loop until ``done``: seconds to each of ``marks`` and to the end,
    and the longest GUI-thread block (ms)."""
    marks = dict(marks or {})
    seen: dict[str, float] = {}
    meter.reset()
    start = time.perf_counter()
    act()
    while not done() or len(seen) < len(marks):
        for name, mark in marks.items():
            if name not in seen and mark():
                seen[name] = time.perf_counter() - start
        if time.perf_counter() - start > 600:
            raise TimeoutError("the journey did not finish")
        app.processEvents()
        time.sleep(0.002)
    figures = {f"{name}_s": round(value, 3) for name, value in seen.items()}
    figures["total_s"] = round(time.perf_counter() - start, 3)
    settle = time.perf_counter()
    while time.perf_counter() - settle < 3 * TICK_MS / 1000:  # let the meter see the last stretch too
        app.processEvents()
        time.sleep(0.002)
    figures["gui_blocked_max_ms"] = round(meter.worst_ms, 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="explorable")
    parser.add_argument("--size", default="lite")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    single_threaded_torch_here()  # as the window's Jobs does, before this script loads the model here
    GuiThreadCollector(app).start()  # as run_gui does: cyclic garbage is collected on the GUI thread
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)  # type: ignore
    folder = Path(tempfile.mkdtemp(prefix="journey12mp-"))
    photo = write_photo(folder / "photo.jpg")
    started = time.perf_counter()
    prepared = prepare_torch()  # as the application does at start, while the user picks a file
    prepare_s = round(time.perf_counter() - started, 2)
    settings = Settings(folder / "settings.ini")
    model = load_model(args.model, args.size, "cpu")
    window = MainWindow(settings, model=model)
    window.resize(1280, 800)
    window.show()
    meter = GapMeter()
    idle = lambda: not window.jobs.busy  # noqa: E731
    figures: dict[str, object] = {
        "photo": f"4000x3000 composite of scikit-image photos, Pillow quality 85, 4:2:0, "
        f"{photo.stat().st_size / 2**20:.2f} MiB",
        "model": model.label,
        "device": "cpu",
        "torch_threads": JOB_THREADS,
        "cpu": platform.processor() or platform.machine(),
        "os_cpu_count": os.cpu_count(),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        "startup_imports_s": prepare_s if prepared else None,
    }
    wait_for(app, lambda: True)

    def full_view() -> bool:
        """The whole photo is on screen at full resolution (image_size(); the canvas before this benchmark
        was written had only a pixmap, which the figures before the change were measured with)."""
        if hasattr(window.canvas, "image_size"):
            width, height = window.canvas.image_size()
        else:
            pixmap = window.canvas.image_pixmap()
            width, height = pixmap.width(), pixmap.height()
        return width * height >= 4000 * 3000

    marks = {"first_view": full_view}
    if hasattr(window.canvas, "images"):  # the tree before showed the network decode only when ready
        marks["network_view"] = lambda: "current" in window.canvas.images.sources
    figures["open"] = journey(
        app, meter, lambda: window.open_path(photo), lambda: idle() and window.opened is not None, marks
    )
    history = lambda: window.explorer.session.history  # noqa: E731

    def select_square() -> None:
        path = QPainterPath()
        path.addRect(QRectF(1900, 1400, EDIT_SIDE, EDIT_SIDE))
        window.region.add(path)

    select_square()
    window.toolbox.show_panel("Variance")
    figures["edit_256px_variance"] = journey(
        app, meter, window.tool_panels["Variance"].apply_button.click, lambda: idle() and history().position == 1
    )
    figures["undo"] = journey(app, meter, window.commands["undo"].trigger, lambda: idle() and history().position == 0)
    figures["redo"] = journey(app, meter, window.commands["redo"].trigger, lambda: idle() and history().position == 1)
    export = folder / "export.png"
    figures["export_16bit"] = journey(
        app, meter, lambda: window.export_to(export, 16), lambda: idle() and window.export_result is not None
    )
    figures["export_16bit"]["verified"] = window.export_result.report.verified
    window.export_result.close()
    session_file = folder / "work.jxs"
    writing = lambda: getattr(getattr(window, "writer", None), "pending", 0)  # noqa: E731 - no writer before
    figures["save_session"] = journey(
        app,
        meter,
        lambda: window.sessions.save_session(session_file),
        lambda: idle() and session_file.exists() and not writing(),
    )
    figures["save_session"]["size_mib"] = round(session_file.stat().st_size / 2**20, 2)
    if hasattr(window, "sessions") and hasattr(window.sessions, "open_session"):
        figures["reopen_session"] = journey(
            app,
            meter,
            lambda: window.sessions.open_session(session_file),
            lambda: idle() and window.explorer.session.history.position == 1,
        )
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)  # type: ignore
    window.close()
    figures["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
