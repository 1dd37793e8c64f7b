"""Errors raised for files the application refuses to open.

Every message is one line meant for the user: it names the file problem, not the stack.
"""


class JpegError(ValueError):
    """A JPEG file cannot be used; ``str(error)`` is the one-line message shown to the user."""


class InvalidJpegError(JpegError):
    """The file is missing, empty, truncated, corrupt or not a JPEG at all."""


class UnsupportedJpegError(JpegError):
    """The file is a valid JPEG of a kind this application does not decode (CMYK, 12-bit, lossless, ...)."""
