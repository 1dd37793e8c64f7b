"""``jpeg-explorer [gui] [FILE] [--screenshot OUT.png]``: the desktop application.

The desktop application opens even on a file it cannot use, and says why in a dialog; before Qt starts,
missing system libraries of Qt's X11 plugin are named in one line (Qt would abort). A screenshot's input
is checked before Qt starts, and so is its destination (a known image type, not a folder, not the input
under any name, a folder that exists and takes a file); the picture is then encoded in memory and written
atomically, so a failure is one line on stderr, exit 2, and no file.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..codec import JpegError, read_jpeg
from ..gui.window.platform_check import platform_problem
from .errors import fail
from .output_set import OutputError, check_not_inputs, prepare_folder

SCREENSHOT_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP", ".ppm": "PPM"}
"""Suffixes a screenshot may have, and the Qt image format each is written in."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", help="a JPEG to open")
    parser.add_argument(
        "--screenshot", metavar="OUT.png", help="render the window offscreen, save it (.png, .jpg, .bmp or .ppm), exit"
    )


def screenshot_format(screenshot: Path, source: Path | None) -> str:
    """The Qt image format to write ``screenshot`` in, once it is known that it can be written and is not
    ``source`` under any name (path, symlink, hard link); raises OutputError (one line) otherwise."""
    if not screenshot.name:
        raise OutputError(f"{str(screenshot)!r}: not a file name")
    kind = SCREENSHOT_FORMATS.get(screenshot.suffix.lower())
    if kind is None:
        raise OutputError(
            f"{screenshot}: unknown image type {screenshot.suffix or '(no extension)'}; "
            f"use one of {', '.join(SCREENSHOT_FORMATS)}"
        )
    if screenshot.is_dir():
        raise OutputError(f"{screenshot}: is a folder")
    if source is not None:
        check_not_inputs([screenshot], [source])
        if os.path.realpath(screenshot) == os.path.realpath(source):
            raise OutputError(f"{screenshot}: is the input {source}; refusing to overwrite it")
    if not screenshot.parent.is_dir():
        raise OutputError(f"{screenshot.parent}: no such folder")
    prepare_folder(screenshot.parent)  # probes with a temporary file: a read-only mount is refused now
    return kind


def run(args: argparse.Namespace) -> int:
    if args.screenshot == "":
        return fail("--screenshot: no file name given")
    path = Path(args.file) if args.file else None
    screenshot = None if args.screenshot is None else Path(args.screenshot)
    if screenshot is None:  # the window says what is wrong with the file, in a dialog
        problem = platform_problem(os.environ)
        if problem:
            return fail(problem)
    elif path is not None:
        try:
            read_jpeg(path)
        except JpegError as error:
            return fail(str(error))
    kind = "PNG"
    if screenshot is not None:
        try:
            kind = screenshot_format(screenshot, path)
        except OutputError as error:
            return fail(str(error))
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ..gui.window.app import ScreenshotError, run_gui  # Qt loads only for this command

    try:
        return run_gui(path, screenshot, kind)
    except ScreenshotError as error:
        return fail(str(error))
