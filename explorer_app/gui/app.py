"""Start the application: a window showing a JPEG decoded by the shipped model."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from PyQt6.QtWidgets import QApplication, QMainWindow

from ..codec import JpegCode, read_jpeg, to_display
from ..decoder.inference import decode_code
from ..decoder.model import SIZES, JpegDecoder
from ..decoder.registry import ModelNotFoundError
from ..decoder.selection import choose_decoder
from .canvas import ImageCanvas


def decoded_for_display(code: JpegCode) -> tuple[np.ndarray, str]:
    """uint8 display image (EXIF orientation applied) of the explorable model's z = 0 decode, and a
    status line naming the model."""
    try:
        chosen = choose_decoder("explorable", "auto", torch.device("cpu"))
        decoder, status = chosen.decoder, f"model: {chosen.name}/{chosen.size}"
    except ModelNotFoundError:
        decoder, status = JpegDecoder(SIZES["lite"]), "no trained model shipped: plain consistent decode (Δ = 0)"
    image = decode_code(decoder, code)["image"][0].permute(1, 2, 0).clamp(0, 255).round().byte().numpy()
    return to_display(image[:, :, 0] if image.shape[2] == 1 else image, code.orientation), status


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("JPEG Explorer")
        self.canvas = ImageCanvas()
        self.setCentralWidget(self.canvas)
        self.resize(1100, 800)

    def open_file(self, path: Path) -> None:
        code = read_jpeg(path)
        image, status = decoded_for_display(code)
        self.canvas.set_image(image)
        self.canvas.zoom_to_fit()
        self.setWindowTitle(f"JPEG Explorer: {path.name}")
        self.statusBar().showMessage(f"{code.width}×{code.height} {code.subsampling}  {status}")


def run_gui(path: Path | None, screenshot: Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow()
    window.show()
    if path is not None:
        window.open_file(path)
        window.canvas.zoom_to_fit()
    if screenshot is not None:
        app.processEvents()
        window.canvas.zoom_to_fit()
        app.processEvents()
        window.grab().save(str(screenshot))
        return 0
    return app.exec()
