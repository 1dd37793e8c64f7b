"""``jpeg-explorer decode IN.jpg -o OUT.png``: network decode plus verified export (and its report)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..codec import JpegError, read_jpeg
from ..decoder.inference import decode_code
from ..decoder.registry import MODEL_NAMES, ModelNotFoundError
from ..decoder.selection import choose_decoder
from ..devices import DeviceError, pick_device
from ..export.exporter import ExportError, check_destination, export_verified, report_path
from .errors import EXIT_FAILED, EXIT_OK, fail

BIT_DEPTHS = {"auto": None, "8": 8, "16": 16}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="the JPEG file to decode")
    parser.add_argument("-o", "--output", required=True, help="the PNG to write (never the input); its report "
                                                              "goes to OUT.png.json")
    parser.add_argument("--model", choices=MODEL_NAMES, default="faithful",
                        help="which decoder (weights from the shipped models folder, or the folder named by "
                             "the JPEG_EXPLORER_MODELS environment variable)")
    parser.add_argument("--size", choices=("auto", "full", "lite"), default="auto")
    parser.add_argument("--seed", type=int, default=None, help="decode with a random z drawn from this seed")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--bit-depth", choices=tuple(BIT_DEPTHS), default="auto",
                        help="auto (default): 8 bits when libjpeg's own pipeline then reproduces the file, else "
                             "16 bits (exact under the reference encoder)")


def run(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.suffix.lower() != ".png":
        return fail(f"{output}: the output must be a .png file")
    try:
        code = read_jpeg(args.input)
        check_destination(output, str(args.input))
        device = pick_device(args.device)
        chosen = choose_decoder(args.model, args.size, device)
    except (JpegError, ExportError, DeviceError, ModelNotFoundError) as error:
        return fail(str(error))
    if chosen.note:
        print(f"note: {chosen.note}")
    result = decode_code(chosen.decoder, code, args.seed, device)
    history = [{"tool": "decode", "seed": args.seed}]
    try:
        report = export_verified(result, code, output, BIT_DEPTHS[args.bit_depth], chosen.describe(), history)
    except ExportError as error:
        return fail(str(error))
    except OSError as error:  # disk full, permission denied, ...: the pair was not written
        return fail(f"{output}: cannot be written ({error.strerror or error}); nothing was written")
    print(f"wrote {output} ({report.image['bit_depth']}-bit, {chosen.name}/{chosen.size} on {device.type})")
    print(report.summary())
    if report.remedy:
        print(f"remedy: {report.remedy}")
    print(f"report: {report_path(output)}")
    return EXIT_OK if report.verified else EXIT_FAILED
