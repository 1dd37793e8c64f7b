"""``jpeg-explorer verify OUT.png IN.jpg``: exit 0 verified, 1 not verified, 2 bad input."""
from __future__ import annotations

import argparse
import json

from ..codec import JpegError, read_jpeg
from ..verify.png_io import ImageReadError
from ..verify.verifier import verify_file
from .errors import EXIT_FAILED, EXIT_OK, fail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="the PNG (8- or 16-bit) to judge")
    parser.add_argument("jpeg", help="the JPEG file it claims to come from")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        code = read_jpeg(args.jpeg)
        report = verify_file(args.image, code)
    except (JpegError, ImageReadError) as error:
        return fail(str(error))
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.summary())
        for note in report.notes:
            print(f"note: {note}")
    return EXIT_OK if report.verified else EXIT_FAILED
