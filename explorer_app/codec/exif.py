"""EXIF facts shown to the user (camera, dates) and the orientation, from the file's EXIF APP1 segment.

EXIF is optional metadata: a damaged block gives no facts and orientation 1, never a refusal, and Pillow's
warnings about it ("Corrupt EXIF data") are not passed on.
"""

from __future__ import annotations

import warnings

from PIL import Image

_NAMES = {0x010F: "camera make", 0x0110: "camera model", 0x0132: "date", 0x9003: "date taken"}
_ORIENTATION, _EXIF_IFD, _DATE_TAKEN = 0x0112, 0x8769, 0x9003


def read_exif(segment: bytes | None) -> tuple[dict[str, str], int]:
    """(readable fields, orientation 1–8) of an APP1 body starting with ``Exif\\0\\0``; ({}, 1) without one."""
    if segment is None:
        return {}, 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exif = Image.Exif()
            exif.load(segment)
            fields = {name: str(exif[tag]) for tag, name in _NAMES.items() if tag in exif}
            taken = exif.get_ifd(_EXIF_IFD).get(_DATE_TAKEN)
            orientation = exif.get(_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - Pillow raises many kinds on damaged EXIF; it must not refuse the image
        return {}, 1
    if taken is not None:
        fields["date taken"] = str(taken)
    return fields, orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1
