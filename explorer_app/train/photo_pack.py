"""Build and load the offline training-photo pack.

A pack is a folder with `train/` and `val/` quality-95 4:4:4 JPEGs and a `manifest.json`.
Photos come from Debian packages, scikit-image and user folders (see `photo_sources`), pass the
photo classifier (see `photo_filter`) and are area-downscaled 2-4x (more only where the long
side would exceed --max-side) so their own compression history washes out; the JPEGs are shrunk
further only if they would not fit the --max-mib budget. Validation holds whole photos (grouped by name,
so numbered series and variants of one picture share a split) that training never sees.

    python -m explorer_app.train.photo_pack --out data/pack --debian --skimage [--folder DIR ...]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

import cv2
import numpy as np
from PIL import Image

from explorer_app.train.contact_sheet import save_sheets
from explorer_app.train.photo_filter import (
    DEFAULT_LIMITS,
    Thresholds,
    area_resize,
    classify,
    decode_image,
    measure,
)
from explorer_app.train.photo_sources import (
    DEBIAN_SOURCES,
    Candidate,
    SourceError,
    debian_candidates,
    folder_candidates,
    skimage_candidates,
)

QUALITY = 95
MIN_FACTOR = 2.0
MAX_FACTOR = 4.0
TARGET_SHORT = 256  # px: the downscale factor is lowered (down to 2) to keep this much short side
MIN_LONG = 384  # px: the size budget may not shrink photos below this long side
VAL_FRACTION = 0.1
MIN_VAL = 12
DUPLICATE_DISTANCE = 0.15  # mean |difference| of normalised 16x16 grey thumbnails
THUMB_SIDE = 160  # px, long side of contact-sheet thumbnails
MANIFEST = "manifest.json"
SPLITS = ("train", "val")
_SIZE_STEM = re.compile(r"^\d+x\d+$")
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


class PackError(RuntimeError):
    """The pack cannot be built or read; the message is one line."""


@dataclass(frozen=True)
class Photo:
    """A kept photo, downscaled.

    rgb: (H, W, 3) uint8 after downscaling. original: (width, height) in pixels of the source.
    """

    candidate: Candidate
    original: tuple[int, int]
    rgb: np.ndarray

    @property
    def factor(self) -> float:
        """Downscale factor: original long side / stored long side."""
        return max(self.original) / max(self.rgb.shape[:2])


# ---------------------------------------------------------------- selection


def unit_hash(text: str) -> float:
    """Deterministic number in [0, 1) from `text` (sha256)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) / 16**12


def downscale_factor(width: int, height: int, key: str, seed: int, max_long: int) -> float:
    """Factor in [2, 4] (more only to respect `max_long` px), drawn deterministically from key and seed.

    The upper end is lowered towards 2 so the short side keeps TARGET_SHORT px when it can.
    """
    short, long = min(width, height), max(width, height)
    high = min(MAX_FACTOR, max(MIN_FACTOR, short / TARGET_SHORT))
    factor = MIN_FACTOR + (high - MIN_FACTOR) * unit_hash(f"{seed}:factor:{key}")
    return max(factor, long / max_long)


@dataclass(frozen=True)
class Selection:
    """Outcome for one candidate: the kept photo (or None), why, and a (h, w, 3) uint8 thumbnail."""

    candidate: Candidate
    photo: Photo | None
    reason: str
    thumb: np.ndarray | None


def select_photo(candidate: Candidate, limits: Thresholds, seed: int, max_long: int) -> Selection:
    """Decode, classify and (when it is a photo) downscale one candidate."""
    try:
        rgb, alpha = decode_image(candidate.read())
    except (OSError, ValueError, SourceError, Image.DecompressionBombError) as error:
        return Selection(candidate, None, f"unreadable ({type(error).__name__})", None)
    thumb = area_resize(rgb, THUMB_SIDE)
    verdict = classify(measure(rgb, alpha), limits)
    if not verdict.keep:
        return Selection(candidate, None, verdict.reason, thumb)
    height, width = rgb.shape[:2]
    factor = downscale_factor(width, height, candidate.key, seed, max_long)
    small = area_resize(rgb, round(max(width, height) / factor))
    return Selection(candidate, Photo(candidate, (width, height), small), f"photo, /{factor:.2f}", thumb)


def signature(rgb: np.ndarray) -> np.ndarray:
    """(16, 16) float32 grey thumbnail of (H, W, 3) uint8, normalised to zero mean, unit std."""
    grey = cv2.cvtColor(cv2.resize(rgb, (16, 16), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    grey = grey.astype(np.float32)
    return (grey - grey.mean()) / (grey.std() + 1.0)


def drop_duplicates(photos: list[Photo]) -> tuple[list[Photo], list[tuple[Photo, str]]]:
    """Keep one photo of each near-identical set (the largest original); returns (kept, dropped+reason)."""
    kept: list[tuple[Photo, np.ndarray]] = []
    dropped: list[tuple[Photo, str]] = []
    for photo in sorted(photos, key=lambda p: (-p.original[0] * p.original[1], p.candidate.key)):
        sig = signature(photo.rgb)
        twin = next((p for p, s in kept if np.abs(s - sig).mean() < DUPLICATE_DISTANCE), None)
        if twin is None:
            kept.append((photo, sig))
        else:
            dropped.append((photo, f"duplicate of {twin.candidate.key}"))
    return sorted((p for p, _ in kept), key=lambda p: p.candidate.key), dropped


# ---------------------------------------------------------------- splits


def split_group(candidate: Candidate) -> str:
    """Name shared by variants of one picture: source plus the first word of the file stem.

    "left01"/"left02", "leuvenA"/"leuvenB", "Big_ben_cubic"/"Big_ben_cylindrical" pair up;
    wallpapers named by size ("Path/contents/images/2560x1600.jpg") use their top folder.
    """
    path = PurePath(candidate.name)
    stem = path.parts[-4] if _SIZE_STEM.match(path.stem) and len(path.parts) >= 4 else path.stem
    words = _WORD.findall(stem)
    return f"{candidate.source}/{(words[0] if words else stem).lower()}"


def validation_groups(
    groups: Sequence[str], seed: int, fraction: float = VAL_FRACTION, minimum: int = MIN_VAL
) -> set[str]:
    """Groups for validation: those hashing below `fraction`, topped up in hash order to `minimum` photos,
    a minimum lowered to a third of the photos for small packs (10 photos: 3 for validation).

    `groups` has one entry per photo (repeats allowed); training keeps at least one photo, so a pack needs
    at least 2 photos.
    """
    if len(groups) < 2:
        raise PackError(f"too few photos ({len(groups)}): a pack needs at least 2, one to train on and one to validate")
    minimum = min(minimum, max(1, len(groups) // 3))
    counts = Counter(groups)
    ordered = sorted(counts, key=lambda g: unit_hash(f"{seed}:split:{g}"))
    chosen: set[str] = set()
    total = 0
    for group in ordered:
        if unit_hash(f"{seed}:split:{group}") >= fraction and total >= minimum:
            break
        chosen.add(group)
        total += counts[group]
    if total >= len(groups):
        raise PackError(f"too few photos ({len(groups)}) for a validation split of {minimum}")
    return chosen


# ---------------------------------------------------------------- encoding and budget


def encode_jpeg(rgb: np.ndarray) -> bytes:
    """Quality-95 4:4:4 baseline JPEG of (H, W, 3) uint8."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=QUALITY, subsampling=0)
    return buffer.getvalue()


def fit_budget(photos: list[Photo], max_bytes: int) -> tuple[list[Photo], list[bytes]]:
    """Shrink the largest photos (lower long-side cap) until all JPEGs fit in `max_bytes`.

    Returns the possibly resized photos and their encodings. More distinct photos are worth more
    than bigger ones, so nothing is dropped; fails when the cap would fall below MIN_LONG px.
    """
    photos = list(photos)
    encoded = [encode_jpeg(p.rgb) for p in photos]
    cap = max(max(p.rgb.shape[:2]) for p in photos)
    while sum(map(len, encoded)) > max_bytes:
        cap = int(cap * 0.95)
        if cap < MIN_LONG:
            raise PackError(f"{len(photos)} photos do not fit in {max_bytes / 2**20:.1f} MiB")
        for index, photo in enumerate(photos):
            if max(photo.rgb.shape[:2]) > cap:
                photos[index] = Photo(photo.candidate, photo.original, area_resize(photo.rgb, cap))
                encoded[index] = encode_jpeg(photos[index].rgb)
    return photos, encoded


# ---------------------------------------------------------------- writing


def file_name(index: int, candidate: Candidate) -> str:
    """Readable unique JPEG name: running number plus a slug of the source file stem."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", PurePath(candidate.name).stem).strip("-")[:40]
    return f"{index:04d}-{slug or 'photo'}.jpg"


def prepare_folder(out: Path) -> None:
    """Make `out` an empty pack folder; refuses to clear a non-empty folder that is not a pack."""
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise PackError(f"refusing to overwrite non-pack folder {out}")
    for name in SPLITS:
        shutil.rmtree(out / name, ignore_errors=True)
        (out / name).mkdir(parents=True)


def write_pack(
    out: Path,
    photos: list[Photo],
    encoded: list[bytes],
    val: set[str],
    dropped: list[dict],
    seed: int,
) -> dict:
    """Write the JPEGs and manifest.json into `out`; returns the manifest."""
    prepare_folder(out)
    entries = []
    for index, (photo, data) in enumerate(zip(photos, encoded, strict=True)):
        split = "val" if split_group(photo.candidate) in val else "train"
        relative = f"{split}/{file_name(index, photo.candidate)}"
        (out / relative).write_bytes(data)
        entries.append(
            {
                "file": relative,
                "split": split,
                "source": photo.candidate.source,
                "path": photo.candidate.name,
                "original_size": list(photo.original),
                "size": [photo.rgb.shape[1], photo.rgb.shape[0]],
                "downscale": round(photo.factor, 3),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    manifest = {
        "quality": QUALITY,
        "subsampling": "4:4:4",
        "seed": seed,
        "images": entries,
        "dropped": dropped,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


# ---------------------------------------------------------------- pipeline


def collect_candidates(debian: bool, skimage: bool, folders: Iterable[Path], cache: Path) -> list[Candidate]:
    """Candidates from the chosen sources; a Debian package that cannot be fetched is reported and skipped."""
    found: list[Candidate] = []
    if debian:
        for package in DEBIAN_SOURCES:
            try:
                found += debian_candidates(package, cache)
            except SourceError as error:
                print(f"skip source debian:{package}: {error}")
    if skimage:
        found += skimage_candidates()
    for folder in folders:
        found += folder_candidates(folder)
    return found


def select_photos(
    candidates: list[Candidate], limits: Thresholds, seed: int, max_long: int, verbose: bool
) -> list[Selection]:
    """Classify and downscale all candidates, printing one keep/drop line each when `verbose`."""
    selections = []
    for candidate in candidates:
        selection = select_photo(candidate, limits, seed, max_long)
        if verbose:
            print(f"{'keep' if selection.photo else 'drop'} {candidate.key}: {selection.reason}")
        selections.append(selection)
    return selections


def write_sheets(folder: Path, photos: list[Photo], dropped: list[Selection]) -> None:
    """Contact sheets of the kept photos and of the dropped images that were not tiny."""
    kept = [(PurePath(p.candidate.name).name, area_resize(p.rgb, THUMB_SIDE)) for p in photos]
    shown = [
        (f"{PurePath(s.candidate.name).name} {s.reason}", s.thumb)
        for s in dropped
        if s.thumb is not None and not s.reason.startswith("tiny")
    ]
    save_sheets(kept, folder, "kept")
    save_sheets(
        shown,
        folder,
        "dropped",
    )


def build_pack(
    candidates: list[Candidate],
    out: Path,
    max_mib: float = 45.0,
    seed: int = 0,
    max_long: int = 1024,
    min_val: int = MIN_VAL,
    limits: Thresholds = DEFAULT_LIMITS,
    sheets: Path | None = None,
    verbose: bool = True,
) -> dict:
    """Select photos from `candidates`, downscale, split, fit in `max_mib` MiB and write the pack.

    JPEG bytes count against the budget; manifest.json (a few hundred KiB) does not.
    """
    selections = select_photos(candidates, limits, seed, max_long, verbose)
    dropped = [s for s in selections if s.photo is None]
    photos, duplicates = drop_duplicates([s.photo for s in selections if s.photo is not None])
    for photo, reason in duplicates:
        if verbose:
            print(f"drop {photo.candidate.key}: {reason}")
        dropped.append(Selection(photo.candidate, None, reason, area_resize(photo.rgb, THUMB_SIDE)))
    if not photos:
        raise PackError("no photos left after filtering")
    val = validation_groups([split_group(p.candidate) for p in photos], seed, minimum=min_val)
    photos, encoded = fit_budget(photos, int(max_mib * 2**20))
    drops = [{"source": s.candidate.source, "path": s.candidate.name, "reason": s.reason} for s in dropped]
    manifest = write_pack(out, photos, encoded, val, drops, seed)
    if sheets is not None:
        write_sheets(sheets, photos, dropped)
    return manifest


def summary_lines(manifest: dict, out: Path) -> list[str]:
    """Human summary: photos per source, split counts and pack size."""
    images = manifest["images"]
    lines = [f"{source}: {count} photos" for source, count in sorted(Counter(i["source"] for i in images).items())]
    splits = Counter(i["split"] for i in images)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    lines.append(f"train {splits['train']}, val {splits['val']}, dropped {len(manifest['dropped'])}")
    lines.append(f"pack {out}: {size / 2**20:.1f} MiB")
    return lines


# ---------------------------------------------------------------- loading


class PhotoPack:
    """Read one split of a pack; decoded images are cached in memory after the first load."""

    def __init__(self, path: Path | str, split: str = "train") -> None:
        if split not in SPLITS:
            raise PackError(f"split must be one of {SPLITS}, not {split!r}")
        self.path = Path(path)
        manifest_path = self.path / MANIFEST
        if not manifest_path.is_file():
            raise PackError(f"no {MANIFEST} in {self.path}")
        images = json.loads(manifest_path.read_text())["images"]
        self.entries = [entry for entry in images if entry["split"] == split]
        self._cache: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def load(self, index: int) -> np.ndarray:
        """Photo `index` as (H, W, 3) uint8 RGB."""
        if index not in self._cache:
            with Image.open(self.path / self.entries[index]["file"]) as image:
                self._cache[index] = np.asarray(image.convert("RGB"))
        return self._cache[index]

    def random_crops(self, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
        """(n, size, size, 3) uint8 random crops, each from a random photo, randomly flipped."""
        eligible = [i for i, e in enumerate(self.entries) if min(e["size"]) >= size]
        if not eligible:
            raise PackError(f"no photo in {self.path} is at least {size} px on its short side")
        crops = np.empty((n, size, size, 3), np.uint8)
        for k, index in enumerate(rng.choice(eligible, size=n)):
            image = self.load(int(index))
            top = rng.integers(0, image.shape[0] - size + 1)
            left = rng.integers(0, image.shape[1] - size + 1)
            crop = image[top : top + size, left : left + size]
            if rng.random() < 0.5:
                crop = crop[:, ::-1]
            if rng.random() < 0.5:
                crop = crop[::-1]
            crops[k] = crop
        return crops


# ---------------------------------------------------------------- command line


def setup_args() -> argparse.ArgumentParser:
    """Command-line options of the pack builder."""
    parser = argparse.ArgumentParser(
        prog="python -m explorer_app.train.photo_pack",
        description="Build the offline training-photo pack (train/ and val/ JPEGs plus manifest.json).",
    )
    parser.add_argument("--out", type=Path, required=True, help="pack folder to (re)write")
    parser.add_argument("--debian", action="store_true", help="use photos from Debian packages (apt-get download)")
    parser.add_argument("--skimage", action="store_true", help="use the photos bundled with scikit-image")
    parser.add_argument(
        "--folder",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        metavar="DIR",
        help="folders of your own photos (ImageNet, DIV2K, ...)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path.home() / ".cache" / "explorer_app" / "debs",
        help="where .deb files are downloaded and unpacked",
    )
    parser.add_argument("--max-mib", type=float, default=45.0, help="size budget of the JPEGs, MiB")
    parser.add_argument("--max-side", type=int, default=1024, help="longest stored side, px")
    parser.add_argument("--seed", type=int, default=0, help="seed of downscale factors and the split")
    parser.add_argument(
        "--min-val",
        type=int,
        default=MIN_VAL,
        help="fewest validation photos (about 10%% otherwise; at most a third of the pack, so 2 photos suffice)",
    )
    parser.add_argument("--sheets", type=Path, help="also write contact sheets of kept photos here")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the builder; returns the process exit status."""
    args = setup_args().parse_args(argv)
    if not (args.debian or args.skimage or args.folder):
        print(
            "photo_pack: error: choose at least one source: --debian, --skimage or --folder DIR",
            file=sys.stderr,
        )
        return 2
    try:
        candidates = collect_candidates(args.debian, args.skimage, args.folder, args.cache)
        manifest = build_pack(
            candidates,
            args.out,
            args.max_mib,
            args.seed,
            args.max_side,
            args.min_val,
            sheets=args.sheets,
            verbose=not args.quiet,
        )
    except (SourceError, PackError) as error:
        print(f"photo_pack: error: {error}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(manifest, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
