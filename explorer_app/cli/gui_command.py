"""``jpeg-explorer [gui] [FILE] [--screenshot OUT.png]``: the desktop application."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..codec import JpegError, read_jpeg
from .errors import fail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", help="a JPEG to open")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen, save it, exit")


def run(args: argparse.Namespace) -> int:
    import os

    path = Path(args.file) if args.file else None
    if path is not None:
        try:
            read_jpeg(path)
        except JpegError as error:
            return fail(str(error))
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ..gui.app import run_gui  # Qt loads only for this command

    return run_gui(path, Path(args.screenshot) if args.screenshot else None)
