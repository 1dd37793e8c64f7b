"""``jpeg-explorer decode IN.jpg -o OUT.png``: network decode plus verified export (and its report).

Several files or a folder (``decode a.jpg b.jpg CASEDIR -o OUTDIR``) is a batch: see :mod:`.batch`.
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from pathlib import Path

import torch

from ..codec import JpegCode, JpegError, read_jpeg
from ..decoder.inference import decode_code
from ..decoder.registry import MODEL_NAMES, ModelNotFoundError
from ..decoder.selection import ChosenDecoder, choose_decoder
from ..devices import DeviceError, pick_device
from ..export.exporter import ExportError, check_destination, export_verified, report_path
from ..verify.encoders import BY_KEY
from ..verify.report import VerificationReport
from .batch import FileResult, Job, jpegs_in, run_jobs, unusable
from .errors import EXIT_FAILED, EXIT_OK, fail

BIT_DEPTHS = {"auto": None, "8": 8, "16": 16}
BATCH_HELP = (
    "Batch: several JPEG files and/or folders (a folder gives its .jpg and .jpeg files, not its "
    "sub-folders) with -o OUTDIR (created if missing) write OUTDIR/NAME.png and OUTDIR/NAME.png.json for "
    "each input NAME.jpg. A file that cannot be used (a bad JPEG, a second input of the same NAME, an "
    "output that would be one of the inputs) is reported on stderr and skipped; the others go on. At the "
    "end: a table of every file, or with --json one JSON object per file (one a line, as each ends). A "
    "progress line goes to stderr when it is a terminal (not with --quiet). A batch exits 0 when every "
    "file verified, 1 when some were written but NOT verified, 2 when some input was unusable."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = f"{parser.description}. {BATCH_HELP}"
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="the JPEG file to decode; or several JPEG files and folders (a batch)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="the PNG to write (never the input); its report goes to OUT.png.json. For a batch: the folder",
    )
    parser.add_argument(
        "--model",
        choices=MODEL_NAMES,
        default="faithful",
        help="which decoder (weights from the shipped models folder, or the folder named by "
        "the JPEG_EXPLORER_MODELS environment variable)",
    )
    parser.add_argument("--size", choices=("auto", "full", "lite"), default="auto")
    parser.add_argument("--seed", type=int, default=None, help="decode with a random z drawn from this seed")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument(
        "--bit-depth",
        choices=tuple(BIT_DEPTHS),
        default="auto",
        help="auto (default): 8 bits when libjpeg's own pipeline then reproduces the file, else "
        "16 bits (exact under the reference encoder)",
    )
    parser.add_argument(
        "--encoder",
        choices=tuple(BY_KEY),
        default=None,
        metavar="KEY",
        help="the encoder that wrote the file, when you know it (the file cannot say): an 8-bit export is "
        "repaired for it first where it is a local 8-bit pipeline, and the report judges it; keys: "
        + ", ".join(BY_KEY),
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per file instead of text")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress line during a batch")


def decode_file(
    source: Path, output: Path, args: argparse.Namespace, chosen: ChosenDecoder, device: torch.device
) -> FileResult:
    """Read, decode and export one file of a batch; raises JpegError or ExportError."""
    code = read_jpeg(source)
    check_destination(output, str(source))
    return export_decode(source, code, output, args, chosen, device)


def export_decode(
    source: Path, code: JpegCode, output: Path, args: argparse.Namespace, chosen: ChosenDecoder, device: torch.device
) -> FileResult:
    """Decode ``code`` and write ``output`` with its report; raises ExportError (also when the disk fails)."""
    result = decode_code(chosen.decoder, code, args.seed, device)
    history = [{"tool": "decode", "seed": args.seed}]
    try:
        depth, writer = BIT_DEPTHS[args.bit_depth], BY_KEY.get(args.encoder)
        report = export_verified(result, code, output, depth, chosen.describe(), history, writer=writer)
    except OSError as error:  # disk full, permission denied, ...: the pair was not written
        raise ExportError(f"{output}: cannot be written ({error.strerror or error}); nothing was written") from None
    return decoded(source, output, report, chosen, device)


def decoded(
    source: Path, output: Path, report: VerificationReport, chosen: ChosenDecoder, device: torch.device
) -> FileResult:
    """A written file's row: verified or not, its bit depth or remedy in the note, its JSON fields."""
    fields = {
        "input": str(source),
        "output": str(output),
        "report": str(report_path(output)),
        "verified": report.verified,
        "verdict": report.summary(),
        "bit_depth": report.image["bit_depth"],
        "model": f"{chosen.name}/{chosen.size}",
        "device": device.type,
        "remedy": report.remedy,
    }
    return FileResult(
        f"{source} → {output}",
        EXIT_OK if report.verified else EXIT_FAILED,
        f"remedy: {report.remedy}" if report.remedy else f"{report.image['bit_depth']}-bit",
        fields,
    )


def run(args: argparse.Namespace) -> int:
    sources = [Path(name) for name in args.inputs]
    if len(sources) == 1 and not sources[0].is_dir():
        return run_one(sources[0], Path(args.output), args)
    return run_batch(sources, Path(args.output), args)


def run_one(source: Path, output: Path, args: argparse.Namespace) -> int:
    if output.suffix.lower() != ".png":
        return fail(f"{output}: the output must be a .png file")
    try:
        code = read_jpeg(source)
        check_destination(output, str(source))
        device = pick_device(args.device)
        chosen = choose_decoder(args.model, args.size, device)
    except (JpegError, ExportError, DeviceError, ModelNotFoundError) as error:
        return fail(str(error))
    if chosen.note and not args.json:
        print(f"note: {chosen.note}")
    try:
        result = export_decode(source, code, output, args, chosen, device)
    except ExportError as error:
        return fail(str(error))
    if args.json:
        print(json.dumps(result.as_dict()))
        return result.code
    print(f"wrote {output} ({result.fields['bit_depth']}-bit, {chosen.name}/{chosen.size} on {device.type})")
    print(result.fields["verdict"])
    if result.fields["remedy"]:
        print(f"remedy: {result.fields['remedy']}")
    print(f"report: {result.fields['report']}")
    return result.code


def planned(sources: list[Path], folder: Path) -> list[tuple[Path, Path | str]]:
    """(input, its output in ``folder``), or (input, why it cannot be used), for every JPEG the inputs name;
    a folder without JPEGs is an unusable input of its own."""
    inputs: list[Path] = []
    plan: list[tuple[Path, Path | str]] = []
    for source in sources:
        if source.is_dir():
            found = jpegs_in(source)
            inputs += found
            if not found:
                plan.append((source, f"{source}: no .jpg or .jpeg files in this folder"))
        else:
            inputs.append(source)
    identities = {key: path for path in inputs if (key := identity(path)) is not None}
    taken: dict[Path, Path] = {}
    for source in inputs:
        output = folder / f"{source.stem}.png"
        clash = next(
            (identities[key] for target in (output, report_path(output)) if (key := identity(target)) in identities),
            None,
        )
        if clash is not None:
            plan.append((source, f"{output}: would overwrite the input {clash}; choose another -o folder"))
        elif output in taken:
            plan.append((source, f"{source}: its output {output} is also {taken[output]}'s; rename one"))
        else:
            taken[output] = source
            plan.append((source, output))
    return plan


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of an existing file, so that links and other spellings of one file compare equal."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def run_batch(sources: list[Path], folder: Path, args: argparse.Namespace) -> int:
    if folder.suffix.lower() == ".png":
        return fail(f"{folder}: with several inputs or a folder, -o names the output folder, not a PNG")
    if folder.exists() and not folder.is_dir():
        return fail(f"{folder}: exists and is not a folder")
    plan = planned(sources, folder)
    try:
        device = pick_device(args.device)
        chosen = choose_decoder(args.model, args.size, device)
        if any(isinstance(target, Path) for _, target in plan):
            folder.mkdir(parents=True, exist_ok=True)
    except (DeviceError, ModelNotFoundError) as error:
        return fail(str(error))
    except OSError as error:
        return fail(f"{folder}: cannot be created ({error.strerror or error})")
    if chosen.note and not args.json:
        print(f"note: {chosen.note}")
    jobs = []
    for source, target in plan:
        if isinstance(target, Path):
            jobs.append(
                Job(
                    str(source),
                    partial(decode_file, source, target, args, chosen, device),
                    {"input": str(source), "output": str(target)},
                )
            )
        else:
            jobs.append(Job(str(source), partial(unusable, str(source), target, input=str(source))))
    return run_jobs(jobs, (JpegError, ExportError), args.json, args.quiet)
