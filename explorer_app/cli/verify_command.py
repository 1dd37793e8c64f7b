"""``jpeg-explorer verify OUT.png IN.jpg [--json] [--explain]``: exit 0 verified, 1 not verified, 2 bad input."""
from __future__ import annotations

import argparse
import json

from ..codec import JpegError, read_jpeg
from ..verify.explain import explanation
from ..verify.png_io import ImageReadError
from ..verify.verifier import SizeMismatchError, verify_file
from .errors import EXIT_FAILED, EXIT_OK, fail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="the PNG (8- or 16-bit) to judge")
    parser.add_argument("jpeg", help="the JPEG file it claims to come from")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the full report as JSON")
    output.add_argument("--explain", action="store_true",
                        help="also say what was checked, how much room the file leaves, and what verify can and "
                             "cannot detect")


def run(args: argparse.Namespace) -> int:
    try:
        code = read_jpeg(args.jpeg)
        report = verify_file(args.image, code)
    except (JpegError, ImageReadError, SizeMismatchError) as error:
        return fail(str(error))
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print("\n".join(explanation(report)) if args.explain else report.summary())
        for note in report.notes:
            print(f"note: {note}")
    return EXIT_OK if report.verified else EXIT_FAILED
