"""``jpeg-explorer decode IN.jpg -o OUT.png``: network decode plus verified export."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..codec import JpegError, read_jpeg
from ..decoder.inference import decode_code
from ..decoder.registry import MODEL_NAMES, ModelNotFoundError
from ..decoder.selection import choose_decoder
from ..devices import DeviceError, pick_device
from ..export.exporter import ExportError, export_verified, report_path
from .errors import EXIT_FAILED, EXIT_OK, fail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="the JPEG file to decode")
    parser.add_argument("-o", "--output", required=True, help="the PNG to write (never the input)")
    parser.add_argument("--model", choices=MODEL_NAMES, default="faithful",
                        help="which decoder (weights from the shipped models folder, or the folder named by "
                             "the JPEG_EXPLORER_MODELS environment variable)")
    parser.add_argument("--size", choices=("auto", "full", "lite"), default="auto")
    parser.add_argument("--seed", type=int, default=None, help="decode with a random z drawn from this seed")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--bit-depth", type=int, choices=(16, 8), default=16)


def run(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.suffix.lower() != ".png":
        return fail(f"{output}: the output must be a .png file")
    try:
        device = pick_device(args.device)
        code = read_jpeg(args.input)
        if output.exists() and output.resolve() == Path(args.input).resolve():
            return fail(f"{output}: refusing to overwrite the input JPEG")
        chosen = choose_decoder(args.model, args.size, device)
    except (JpegError, DeviceError, ModelNotFoundError) as error:
        return fail(str(error))
    if chosen.note:
        print(f"note: {chosen.note}")
    result = decode_code(chosen.decoder, code, args.seed, device)
    history = [{"tool": "decode", "seed": args.seed}]
    try:
        report = export_verified(result, code, output, args.bit_depth, chosen.describe(), history)
    except ExportError as error:
        return fail(str(error), EXIT_FAILED)
    except OSError as error:  # disk full, permission denied, ...: the atomic write left nothing behind
        return fail(f"{output}: cannot be written ({error.strerror or error})", EXIT_FAILED)
    print(f"wrote {output} ({args.bit_depth}-bit, {chosen.name}/{chosen.size} on {device.type})")
    print(report.summary())
    print(f"report: {report_path(output)}")
    return EXIT_OK if report.verified else EXIT_FAILED
