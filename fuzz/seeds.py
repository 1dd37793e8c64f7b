"""The valid files mutants start from: small crops of the bundled example photo, written by Pillow in the
kinds a user meets (4:2:0, 4:2:2, 4:4:4, grey, progressive, optimized tables, restart markers, EXIF, COM)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from explorer_app.resources import example_jpeg


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes


def _orientation_exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Fuzz Camera"
    return exif.tobytes()


_VARIANTS: dict[str, tuple[tuple[int, int, int, int], str, dict[str, object]]] = {
    "420-q30": ((100, 100, 196, 164), "RGB", {"quality": 30, "subsampling": 2}),
    "422-q50-restart": ((40, 200, 120, 248), "RGB", {"quality": 50, "subsampling": 1, "restart_marker_blocks": 4}),
    "444-q75-progressive": ((300, 60, 364, 116), "RGB", {"quality": 75, "subsampling": 0, "progressive": True}),
    "grey-q20-optimized": ((200, 300, 288, 360), "L", {"quality": 20, "optimize": True}),
    "420-q10-exif-comment": (
        (10, 380, 74, 428),
        "RGB",
        {"quality": 10, "subsampling": 2, "exif": _orientation_exif(6), "comment": b"a comment"},
    ),
    "420-q90-progressive-odd": ((250, 250, 317, 303), "RGB", {"quality": 90, "subsampling": 2, "progressive": True}),
}


def seed_jpegs() -> list[Seed]:
    """Six small valid JPEG files (≤ 96×64 px), the same bytes on every run."""
    with Image.open(example_jpeg()) as photo:
        photo = photo.convert("RGB")
        seeds = []
        for name, (box, mode, options) in _VARIANTS.items():
            buffer = io.BytesIO()
            photo.crop(box).convert(mode).save(buffer, format="JPEG", **options)
            seeds.append(Seed(name, buffer.getvalue()))
    return seeds


def png_of(jpeg: bytes) -> bytes:
    """libjpeg's plain decode of ``jpeg`` as an 8-bit PNG: the image ``verify`` is given beside a mutant."""
    with Image.open(io.BytesIO(jpeg)) as image:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    return buffer.getvalue()
