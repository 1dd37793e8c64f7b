"""Where candidate photos come from: Debian packages, scikit-image's bundled data, user folders.

Every source yields `Candidate`s: a source label, a name that is unique inside that source, and a
function returning the encoded file bytes. Nothing here decides whether a file is a photograph;
that is `photo_filter`'s job.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import partial
from pathlib import Path, PurePath

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp"})


@dataclass(frozen=True)
class DebianSource:
    """Where a Debian package keeps its pictures.

    folder: folder inside the unpacked package that is searched (recursively).
    skip: fnmatch patterns for pictures the photo classifier cannot tell apart from photos:
        renders, digital art, paintings and synthetic test images, plus the second view of a
        stereo pair and extra map projections of one panorama. A pattern matches the file stem or any folder of the path.
    """

    folder: str
    skip: tuple[str, ...] = ()


DEBIAN_SOURCES: dict[str, DebianSource] = {
    "gcompris-qt-data": DebianSource(
        "usr/share/gcompris-qt/rcc",
        ("babyshapes", "paintings", "*Gogh*", "Eglise_dAuvers*", "PortraitOfPereTanguy*"),
    ),
    "lomiri-wallpapers-16.04": DebianSource("usr/share/backgrounds", ("analogpattern_by_*", "greentock_by_*")),
    "lomiri-wallpapers-20.04": DebianSource(
        "usr/share/backgrounds", ("Fossa_by_*", "Infinite-Sea_by_*", "Painting-Colors_by_*")
    ),
    "plasma-workspace-wallpapers": DebianSource(
        "usr/share/wallpapers",
        (
            "Altai",
            "Autumn",
            "Canopee",
            "Cascade",
            "Cluster",
            "ColdRipple",
            "DarkestHour",
            "Elarun",
            "Flow",
            "FlyingKonqui",
            "Honeywave",
            "IceCold",
            "Kay",
            "Kokkini",
            "MilkyWay",
            "Opal",
            "PastelHills",
            "Patak",
            "SafeLanding",
            "Shell",
            "Volna",
        ),
    ),
    "lxqt-themes": DebianSource("usr/share/lxqt/wallpapers", ("kde-plasma", "plasma_arch")),
    "opencv-doc": DebianSource(
        "usr/share/doc/opencv-doc/examples/data",
        ("pic[0-9]", "ellipses", "starry_night", "ml", "right[0-9][0-9]", "aloeR"),
    ),
    "palapeli-data": DebianSource("usr/share/palapeli/collection"),
    "hugin-data": DebianSource("usr/share/hugin/xrc/data", ("CA_artifical_*", "Big_ben_[!r]*", "360px-Pantheon-*")),
}

# scikit-image data files that are photographs (not text, drawings, phantoms or synthetic patterns).
SKIMAGE_PHOTOS = (
    "astronaut.png",
    "brick.png",
    "camera.png",
    "chelsea.png",
    "coffee.png",
    "coins.png",
    "grass.png",
    "gravel.png",
    "hubble_deep_field.jpg",
    "ihc.png",
    "moon.png",
    "motorcycle_left.png",
    "retina.jpg",
    "rocket.jpg",
)

_SIZE_STEM = re.compile(r"^\d+x\d+$")


class SourceError(RuntimeError):
    """A source cannot be read (missing folder, failed download); the message is one line."""


@dataclass(frozen=True)
class Candidate:
    """One image file that may be a photograph.

    source: where it came from, e.g. "debian:opencv-doc", "skimage", "folder:/data/div2k".
    name: path of the file inside its source (a Qt resource path for .rcc contents).
    read: returns the encoded file bytes.
    """

    source: str
    name: str
    read: Callable[[], bytes]

    @property
    def key(self) -> str:
        """Globally unique name "source/name", used for hashing into splits and for the manifest."""
        return f"{self.source}/{self.name}"


def is_image_file(path: Path) -> bool:
    """True for a regular file with an image suffix."""
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def keep_largest_size_variants(paths: Iterable[Path]) -> list[Path]:
    """Drop smaller renditions of one picture named by size ("1920x1080.jpg", "5120x2880.png").

    Wallpaper packages ship each picture at many resolutions in one folder; only the one with
    the most pixels is kept. Files not named WxH pass through unchanged.
    """
    best: dict[Path, tuple[int, Path]] = {}
    others: list[Path] = []
    for path in paths:
        if not _SIZE_STEM.match(path.stem):
            others.append(path)
            continue
        width, height = (int(v) for v in path.stem.split("x"))
        area = width * height
        if path.parent not in best or area > best[path.parent][0]:
            best[path.parent] = (area, path)
    return sorted(others + [path for _, path in best.values()])


def matches_any(path: PurePath, patterns: tuple[str, ...]) -> bool:
    """True when the stem or a folder of `path` matches one of the fnmatch `patterns` (case-sensitive)."""
    names = (path.stem, *path.parts[:-1])
    return any(fnmatchcase(name, pattern) for name in names for pattern in patterns)


def folder_candidates(root: Path, source: str | None = None, skip: tuple[str, ...] = ()) -> list[Candidate]:
    """All image files under `root` (recursively) except those matching `skip` patterns.

    Names are relative to `root`; the source label defaults to "folder:<root>".
    """
    if not root.is_dir():
        raise SourceError(f"not a folder of images: {root}")
    label = source or f"folder:{root}"
    found = (p for p in root.rglob("*") if is_image_file(p) and not matches_any(p.relative_to(root), skip))
    paths = keep_largest_size_variants(found)
    return [Candidate(label, str(p.relative_to(root)), partial(p.read_bytes)) for p in paths]


def skimage_candidates() -> list[Candidate]:
    """The photographs bundled in the installed scikit-image wheel."""
    import skimage

    root = Path(skimage.__file__).parent / "data"
    paths = [root / name for name in SKIMAGE_PHOTOS if (root / name).is_file()]
    return [Candidate("skimage", p.name, partial(p.read_bytes)) for p in paths]


def fetch_deb(package: str, cache: Path) -> Path:
    """Path of `package`'s .deb in `cache`, downloading it with `apt-get download` if absent."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob(f"{package}_*.deb"))
    if not found:
        result = subprocess.run(
            ["apt-get", "download", package], cwd=cache, capture_output=True, text=True, check=False
        )
        found = sorted(cache.glob(f"{package}_*.deb"))
        if result.returncode != 0 or not found:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise SourceError(f"apt-get download {package} failed: {last}")
    return found[-1]


def extract_deb(deb: Path, dest: Path) -> Path:
    """Unpack `deb` into `dest` with `dpkg -x` unless already done; returns `dest`."""
    done = dest / ".extracted"
    if not done.exists():
        dest.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["dpkg", "-x", str(deb), str(dest)], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SourceError(f"dpkg -x {deb.name} failed: {result.stderr.strip()}")
        done.touch()
    return dest


def read_qt_resource(path: str) -> bytes:
    """Bytes of a file inside registered Qt resources (path starts with ":/")."""
    from PyQt6.QtCore import QFile, QIODevice

    handle = QFile(path)
    if not handle.open(QIODevice.OpenModeFlag.ReadOnly):
        raise SourceError(f"cannot open Qt resource {path}")
    try:
        return bytes(handle.readAll().data())
    finally:
        handle.close()


def iter_qt_resource_images(root: str = ":/") -> Iterator[str]:
    """Resource paths of image files under `root` in all registered Qt resources, sorted."""
    from PyQt6.QtCore import QDirIterator

    walker = QDirIterator(root, QDirIterator.IteratorFlag.Subdirectories)
    found = []
    while walker.hasNext():
        path = walker.next()
        if not walker.fileInfo().isDir() and Path(path).suffix.lower() in IMAGE_SUFFIXES:
            found.append(path)
    return iter(sorted(found))


def rcc_candidates(rcc_dir: Path, source: str, skip: tuple[str, ...] = ()) -> list[Candidate]:
    """Images inside the Qt .rcc resource files in `rcc_dir`.

    Registration is process-wide and stays in place so that `read` works later; images that were
    already visible under ":/" before (Qt's own, or another source's) are not returned again, nor
    are those matching the `skip` patterns.
    """
    from PyQt6.QtCore import QResource

    before = set(iter_qt_resource_images())
    for rcc in sorted(rcc_dir.glob("*.rcc")):
        if not QResource.registerResource(str(rcc)):
            raise SourceError(f"cannot register Qt resource file {rcc}")
    paths = [p for p in iter_qt_resource_images() if p not in before and not matches_any(PurePath(p), skip)]
    return [Candidate(source, path, partial(read_qt_resource, path)) for path in paths]


def debian_candidates(package: str, cache: Path) -> list[Candidate]:
    """Image candidates of one Debian package, downloaded and unpacked under `cache`."""
    spec = DEBIAN_SOURCES[package]
    deb = fetch_deb(package, cache)
    root = extract_deb(deb, cache / "extracted" / package) / spec.folder
    source = f"debian:{package}"
    if not root.is_dir():
        raise SourceError(f"{package} has no folder {spec.folder}")
    if any(root.glob("*.rcc")):
        return rcc_candidates(root, source, spec.skip)
    return folder_candidates(root, source, spec.skip)
