"""numpy images → QImages, as the canvas paints them; the large ones are made in the jobs' worker thread."""

from __future__ import annotations

from typing import cast

import numpy as np
from PyQt6 import sip
from PyQt6.QtGui import QImage


def qimage_data(buffer: object) -> bytes:
    """``buffer`` (a numpy array's memory, or a sip pointer to it) as QImage's constructor takes it:
    PyQt6 accepts any buffer there, its stubs name only bytes."""
    return cast(bytes, buffer)


def to_qimage(image: np.ndarray) -> QImage:
    """uint8 (H, W, 3) RGB, (H, W, 4) RGBA or (H, W) grey → a QImage that owns a copy of the pixels."""
    pixels = np.ascontiguousarray(image)
    height, width = pixels.shape[:2]
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        return QImage(qimage_data(pixels.data), width, height, width, QImage.Format.Format_Grayscale8).copy()
    if pixels.shape[2] == 4:
        return QImage(qimage_data(pixels.data), width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
    return QImage(qimage_data(pixels.data), width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class BufferImage(QImage):
    """A QImage over a numpy buffer it keeps alive: painting into the image writes into the buffer."""

    def __init__(self, buffer: np.ndarray, image_format: QImage.Format) -> None:
        height, width = buffer.shape[:2]
        super().__init__(qimage_data(sip.voidptr(buffer.ctypes.data)), width, height, buffer.strides[0], image_format)
        self.buffer = buffer


def screen_image(image: np.ndarray) -> QImage:
    """A uint8 display image as the QImage format the canvas paints fastest (32-bit RGB, or 8-bit grey).
    The pixels are arranged by numpy, which lets other threads run meanwhile (Qt's own conversions hold
    Python's lock throughout): the window's jobs make the large ones in their worker."""
    if image.ndim == 2 or image.shape[2] == 1:
        return BufferImage(np.ascontiguousarray(image.reshape(image.shape[:2])), QImage.Format.Format_Grayscale8)
    bgra = np.empty((*image.shape[:2], 4), np.uint8)
    bgra[..., 0], bgra[..., 1], bgra[..., 2], bgra[..., 3] = image[..., 2], image[..., 1], image[..., 0], 255
    return BufferImage(bgra, QImage.Format.Format_RGB32)


def map_image(rgba: np.ndarray) -> QImage:
    """uint8 (H, W, 4) RGBA → a QImage over that buffer (made in a worker for large maps)."""
    return BufferImage(np.ascontiguousarray(rgba), QImage.Format.Format_RGBA8888)
