"""``jpeg-explorer verify OUT.png IN.jpg [--json] [--explain] [--encoder KEY]``: exit 0 verified, 1 not
verified, 2 bad input.

Two folders (``verify PNGDIR JPEGDIR``) or ``--pairs`` is a batch: see :mod:`.batch`.
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from pathlib import Path

from ..codec import JpegError, read_jpeg
from ..verify.encoders import BY_KEY, Encoder
from ..verify.explain import explanation
from ..verify.png_io import ImageReadError
from ..verify.verifier import SizeMismatchError, verify_file
from .batch import JPEG_SUFFIXES, FileResult, Job, run_jobs, unusable
from .errors import EXIT_FAILED, EXIT_OK, fail

READ_ERRORS = (JpegError, ImageReadError, SizeMismatchError)
BATCH_HELP = (
    "Batch: 'verify PNGDIR JPEGDIR' judges every .png of PNGDIR (not its sub-folders) against the JPEG "
    "of the same name in JPEGDIR (NAME.png against NAME.jpg or NAME.jpeg, any case of the suffix: what "
    "'decode JPEGDIR -o PNGDIR' wrote); 'verify --pairs A.png A.jpg B.png B.jpg ...' judges the pairs "
    "given. A pair that cannot be judged (no JPEG of that name, a bad file, another size) is reported on "
    "stderr and the others go on. At the end: a table of every pair, or with --json one JSON object per "
    "pair (one a line, as each ends; its 'report' is what --json prints for one pair). A progress line "
    "goes to stderr when it is a terminal (not with --quiet). A batch exits 0 when every pair verified, "
    "1 when some were judged NOT verified, 2 when some pair could not be judged."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = f"{parser.description}. {BATCH_HELP}"
    parser.add_argument("image", nargs="?", help="the PNG (8- or 16-bit) to judge; or a folder of PNGs (a batch)")
    parser.add_argument("jpeg", nargs="?", help="the JPEG file it claims to come from; or the folder of JPEGs")
    parser.add_argument("--pairs", nargs="+", metavar="FILE", help="PNG JPEG PNG JPEG ...: judge these pairs")
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--json", action="store_true", help="print the full report as JSON (a batch: one object per pair)"
    )
    output.add_argument(
        "--explain",
        action="store_true",
        help="also say what was checked, how much room the file leaves, and what verify can and "
        "cannot detect (one pair only)",
    )
    parser.add_argument(
        "--encoder",
        choices=tuple(BY_KEY),
        default=None,
        metavar="KEY",
        help="also judge this encoder over the whole image, whatever else reproduces the file (the one "
        "an export was repaired for: its report's repaired_for); keys: " + ", ".join(BY_KEY),
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress line during a batch")


def run(args: argparse.Namespace) -> int:
    given = [name for name in (args.image, args.jpeg) if name is not None]
    if args.pairs is not None:
        if given:
            return fail("give either IMAGE JPEG (files or folders) or --pairs, not both")
        if len(args.pairs) % 2:
            return fail(f"--pairs takes a PNG and a JPEG for each pair; {len(args.pairs)} paths given")
        pairs = [(Path(png), Path(jpeg)) for png, jpeg in zip(args.pairs[::2], args.pairs[1::2], strict=True)]
        return run_batch([pair_job(png, jpeg, writer(args)) for png, jpeg in pairs], args)
    if len(given) < 2:
        return fail("give the PNG and the JPEG (or a folder of each, or --pairs)")
    image, jpeg = Path(args.image), Path(args.jpeg)
    if image.is_dir() and jpeg.is_dir():
        return run_batch(folder_jobs(image, jpeg, writer(args)), args)
    if image.is_dir() or jpeg.is_dir():
        return fail(f"{image if image.is_dir() else jpeg}: is a folder; give two files, or two folders")
    return run_one(args)


def run_one(args: argparse.Namespace) -> int:
    try:
        code = read_jpeg(args.jpeg)
        report = verify_file(args.image, code, writer(args))
    except READ_ERRORS as error:
        return fail(str(error))
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print("\n".join(explanation(report)) if args.explain else report.summary())
        for note in report.notes:
            print(f"note: {note}")
    return EXIT_OK if report.verified else EXIT_FAILED


def writer(args: argparse.Namespace) -> Encoder | None:
    """The encoder ``--encoder`` names, if any."""
    return BY_KEY.get(args.encoder)


def judge(image: Path, jpeg: Path, named: Encoder | None = None) -> FileResult:
    """One pair of a batch (``named``: see ``--encoder``); raises one of READ_ERRORS when it cannot be judged."""
    report = verify_file(image, read_jpeg(jpeg), named)
    fields = {"image": str(image), "jpeg": str(jpeg), "verified": report.verified, "report": report.as_dict()}
    return FileResult(f"{image} ~ {jpeg}", EXIT_OK if report.verified else EXIT_FAILED, report.summary(), fields)


def pair_job(image: Path, jpeg: Path, named: Encoder | None = None) -> Job:
    return Job(f"{image} ~ {jpeg}", lambda: judge(image, jpeg, named), {"image": str(image), "jpeg": str(jpeg)})


def folder_jobs(images: Path, jpegs: Path, named: Encoder | None = None) -> list[Job]:
    """Every PNG of ``images`` with the JPEG of its name in ``jpegs``; a PNG without exactly one is unusable."""
    by_stem: dict[str, list[Path]] = {}
    for path in sorted(jpegs.iterdir()):
        if path.suffix.lower() in JPEG_SUFFIXES and path.is_file():
            by_stem.setdefault(path.stem, []).append(path)
    pngs = sorted(p for p in images.iterdir() if p.suffix.lower() == ".png" and p.is_file())
    if not pngs:
        return [Job(str(images), lambda: unusable(str(images), f"{images}: no .png files in this folder"))]
    jobs = []
    for png in pngs:
        matches = by_stem.get(png.stem, [])
        if len(matches) == 1:
            jobs.append(pair_job(png, matches[0], named))
            continue
        why = (
            f"{png}: no {png.stem}.jpg or {png.stem}.jpeg in {jpegs}"
            if not matches
            else f"{png}: several JPEGs of that name in {jpegs} ({', '.join(m.name for m in matches)})"
        )
        jobs.append(Job(str(png), partial(unusable, str(png), why, image=str(png))))
    return jobs


def run_batch(jobs: list[Job], args: argparse.Namespace) -> int:
    if args.explain:
        return fail("--explain judges one pair; for a batch use --json")
    return run_jobs(jobs, READ_ERRORS, args.json, args.quiet)
