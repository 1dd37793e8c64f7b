"""What is under the cursor, as an analyst wants it: the file's pixel, its colour and luma, the 8×8 block
it lies in and that block's quantization. Plain numpy, no Qt."""

from __future__ import annotations

import numpy as np

from ...codec import JpegCode
from .geometry import display_to_file_point


def readout(code: JpegCode, shown: np.ndarray, x: float, y: float) -> tuple[str, str]:
    """(one line, a fuller description with the AC steps too) for the display position (x, y) on ``shown``
    (the uint8 display image on screen, EXIF orientation applied)."""
    dx, dy = int(x), int(y)
    fx, fy = (int(v) for v in display_to_file_point(dx + 0.5, dy + 0.5, code.orientation, code.height, code.width))
    value = np.atleast_1d(shown[dy, dx]).astype(float)
    colour = f"RGB {value[0]:.0f} {value[1]:.0f} {value[2]:.0f}" if value.size >= 3 else f"grey {value[0]:.0f}"
    luma = float(value[0]) if value.size < 3 else 0.299 * value[0] + 0.587 * value[1] + 0.114 * value[2]
    bx, by = fx // 8, fy // 8
    kept = int(np.count_nonzero(code.coefficients[0][by, bx]))
    table = code.tables[0].reshape(64)
    steps = f"DC step {int(table[0])}, AC steps {int(table[1:].min())}–{int(table[1:].max())}"
    line = f"x {fx}, y {fy} · {colour} · Y {luma:.0f} · block ({bx}, {by}): {kept}/64 kept, DC step {int(table[0])}"
    full = (
        f"File pixel x {fx}, y {fy} (displayed at {dx}, {dy})\n{colour}, luma Y {luma:.1f}\n"
        f"8×8 block column {bx}, row {by}: {kept} of 64 luma coefficients non-zero in the file\n"
        f"Luma quantization: {steps} (every block of a component shares its table)"
    )
    return line, full
