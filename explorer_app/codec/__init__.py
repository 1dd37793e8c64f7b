"""Codec layer: read JPEG files into quantized coefficients and tables; no decoding maths here."""

from .errors import InvalidJpegError, JpegError, UnsupportedJpegError
from .jpeg_code import JpegCode, plain_decode, read_jpeg
from .orientation import from_display, to_display

__all__ = [
    "InvalidJpegError",
    "JpegCode",
    "JpegError",
    "UnsupportedJpegError",
    "from_display",
    "plain_decode",
    "read_jpeg",
    "to_display",
]
