"""How long the things the tests check by mechanism take on this machine, against the budgets they had.

    QT_QPA_PLATFORM=offscreen python benchmarks/latency.py [--json OUT.json]

The tests assert what happens (no optimizer step starts after a cancel, a decode stops at its next
convolution, the 8-bit export of a quality-100 file says NOT VERIFIED, NIQE scores a photo); how fast is
measured here, where a loaded machine makes a slow figure instead of a failed test:

- ``cancel_edit_s``: Esc during a long edit until the window is idle again (budget 1 s);
- ``cancel_open_s``: Esc while a photo decodes with 0.3 s per convolution, until idle (budget 1 s);
- ``export_8bit_q100_s``: the 8-bit export of a 64×48 quality-100 file, which cannot verify (budget 30 s);
- ``niqe_s``: NIQE of a 600×512 photo (matplotlib's sample) with the bundled model (budget 2 s).

Tiny test decoders (tests/gui_driver.py, tests/conftest.py), CPU.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

BUDGETS = {"cancel_edit_s": 1.0, "cancel_open_s": 1.0, "export_8bit_q100_s": 30.0, "niqe_s": 2.0}


def wait(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    """Run the Qt event loop until ``condition()`` holds."""
    from PyQt6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.002)


def gui_cancels(folder: Path) -> dict[str, float]:
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QPainterPath
    from PyQt6.QtWidgets import QApplication

    from explorer_app.engine.optimize import Budget
    from explorer_app.gui.settings import Settings
    from explorer_app.gui.window.main_window import MainWindow

    from gui_driver import tiny_model, write_photo

    app = QApplication.instance() or QApplication([])
    window = MainWindow(Settings(folder / "settings.ini"), model=tiny_model())
    window.show()
    window.open_path(write_photo(folder / "photo.jpg"))
    wait(lambda: window.opened is not None and not window.jobs.busy)
    path = QPainterPath()
    path.addRect(QRectF(8, 8, 56, 40))
    window.region.add(path)
    window.explorer.budget = lambda: Budget(steps=100_000, patience=0)  # type: ignore[method-assign]
    window.tool_panels["Variance"].apply()
    wait(lambda: window.status.progress.value() >= 2)
    started = time.monotonic()
    window.commands["cancel"].trigger()
    wait(lambda: not window.jobs.busy)
    figures = {"cancel_edit_s": time.monotonic() - started}

    def slow(*_: object) -> None:
        time.sleep(0.3)

    assert window.model is not None
    hooks = [
        m.register_forward_pre_hook(slow) for m in window.model.decoder.modules() if isinstance(m, torch.nn.Conv2d)
    ]
    window.open_path(write_photo(folder / "other.jpg", size=(320, 240), seed=3))
    wait(lambda: window.status.progress.value() >= 1 and window.status.progress.maximum() > 1)
    started = time.monotonic()
    window.commands["cancel"].trigger()
    wait(lambda: not window.jobs.busy)
    figures["cancel_open_s"] = time.monotonic() - started
    for hook in hooks:
        hook.remove()
    window.explorer.saved_generation = window.explorer.generation  # nothing to offer saving
    window.close()
    app.processEvents()
    return figures


def export_8bit_q100(folder: Path) -> float:
    from explorer_app.codec import read_jpeg
    from explorer_app.decoder.code_tensors import CodeTensors
    from explorer_app.decoder.model import random_control
    from explorer_app.export.exporter import export_verified

    from conftest import make_file, tiny_decoder

    jpeg = make_file(folder, 48, 64, "4:4:4", 100, 5)
    code = read_jpeg(jpeg)
    tensors = CodeTensors.from_code(code)
    with torch.no_grad():
        output = tiny_decoder(5)(tensors, random_control(tensors, 5))
    started = time.monotonic()
    report = export_verified(output, code, folder / "out.png", bit_depth=8)
    seconds = time.monotonic() - started
    assert not report.verified
    return seconds


def niqe_photo() -> float:
    from matplotlib import cbook
    from PIL import Image

    from explorer_app.metrics import niqe

    with Image.open(cbook.get_sample_data("grace_hopper.jpg")) as image:
        photo = np.asarray(image.convert("RGB"))
    started = time.monotonic()
    niqe(photo)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        figures = gui_cancels(folder)
        figures["export_8bit_q100_s"] = export_8bit_q100(folder)
    figures["niqe_s"] = niqe_photo()
    result = {
        "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads",
        "figures": {key: round(value, 3) for key, value in figures.items()},
        "budgets": BUDGETS,
        "within_budget": {key: figures[key] <= BUDGETS[key] for key in BUDGETS},
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
