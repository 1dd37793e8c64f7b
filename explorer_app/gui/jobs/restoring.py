"""Restoring a saved session into the open file's fresh session, in the background."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt6.QtGui import QImage

from ...engine.session import Session
from ...engine.session_file import restore
from .edits import consistent
from .opening import shown
from .runner import JobControl, Progress


@dataclass(frozen=True)
class Restored:
    """The restored current image (uint8 display image and its QImage) and whether it is consistent."""

    current: np.ndarray
    screen: QImage
    consistent: bool


def restore_job(control: JobControl, session: Session, path: Path) -> Generator[Progress, None, Restored]:
    yield Progress(0, 0, stage="reading the session")
    restore(session, path)
    current, screen = shown(session.image, session.code.orientation)
    return Restored(current, screen, consistent(session))
