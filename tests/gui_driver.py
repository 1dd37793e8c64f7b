"""How the GUI tests drive the window as a user's hand does (mouse, selections, Apply) and what they give it
(a small photo, a tiny model, a stand-in digit classifier). The window fixtures are in conftest.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from PyQt6.QtCore import QEvent, QPointF, QRectF, Qt
from PyQt6.QtGui import QImage, QMouseEvent, QPainter
from PyQt6.QtWidgets import QApplication

from explorer_app.decoder.model import DecoderSize, JpegDecoder
from explorer_app.gui.jobs.opening import LoadedModel
from explorer_app.gui.window.main_window import MainWindow

WAIT_MS = 60_000


def write_photo(
    path: Path, size: tuple[int, int] = (72, 56), quality: int = 20, seed: int = 0, orientation: int = 1
) -> Path:
    """A small colour JPEG (4:2:0) with smooth shapes and some texture; optional EXIF orientation."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    image = np.stack([120 + 80 * np.sin(x / 9.0), 100 + 60 * np.cos(y / 7.0), 90 + 0.8 * x], -1)
    image[(x - w / 2) ** 2 + (y - h / 2) ** 2 < (h / 4) ** 2] = [230, 210, 60]
    image += rng.normal(0, 6, image.shape)
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(
        path, quality=quality, subsampling=2, exif=exif.tobytes()
    )
    return path


def tiny_model() -> LoadedModel:
    """A tiny decoder whose output depends on z (random, non-zero head), so tools have work to do."""
    torch.manual_seed(0)
    decoder = JpegDecoder(DecoderSize(16, 2, 8, 2), name="tiny-test")
    for head in (decoder.luma.head, decoder.chroma.head):
        torch.nn.init.normal_(head.weight, std=0.05)
    return LoadedModel(decoder.eval(), torch.device("cpu"), "tiny-test", {"name": "tiny-test", "size": "test"})


def unexpected_dialog(parent, title, text, *args):
    raise AssertionError(f"unexpected error dialog: {text}")


def wait_idle(qtbot, window: MainWindow, timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=timeout)


def mouse(
    window: MainWindow,
    kind: QEvent.Type,
    image_xy: tuple[float, float],
    buttons: Qt.MouseButton = Qt.MouseButton.LeftButton,
) -> None:
    """Send one mouse event to the canvas at image pixel ``image_xy`` (what a user's hand does)."""
    viewport = window.canvas.viewport()
    local = QPointF(window.canvas.mapFromScene(QPointF(*image_xy)))
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind, local, QPointF(viewport.mapToGlobal(local.toPoint())), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, event)


def drag(window: MainWindow, points: list[tuple[float, float]]) -> None:
    """Press at the first point, move through the others with the button held, release at the last."""
    mouse(window, QEvent.Type.MouseButtonPress, points[0])
    for point in points[1:]:
        mouse(window, QEvent.Type.MouseMove, point)
    mouse(window, QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)


def select_rectangle(window: MainWindow, x0: int, y0: int, x1: int, y1: int) -> None:
    window.commands["select_rectangle"].trigger()
    drag(window, [(x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2), (x1, y1)])


def shown_pixels(window: MainWindow) -> bytes:
    """The RGB bytes of the image the canvas shows now (with a live preview patch over it)."""
    canvas = window.canvas
    image = QImage(canvas.shown_image().size(), QImage.Format.Format_RGB888)
    canvas.region.setVisible(False)
    painter = QPainter(image)
    canvas.scene().render(painter, QRectF(image.rect()), canvas.sceneRect())
    painter.end()
    canvas.region.setVisible(True)
    rows = [bytes(image.constScanLine(y).asarray(image.width() * 3)) for y in range(image.height())]
    return b"".join(rows)


def press_apply(qtbot, window: MainWindow, title: str) -> None:
    panel = window.toolbox.show_panel(title)
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert window.jobs.busy or panel.message.text() == "", panel.message.text()
    wait_idle(qtbot, window)
