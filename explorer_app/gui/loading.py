"""Choosing the decoder from the preferences, and the background jobs that open and export a file."""
from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..codec import JpegCode, plain_decode
from ..decoder.model import SIZES, JpegDecoder
from ..decoder.registry import ModelNotFoundError
from ..decoder.selection import choose_decoder
from ..devices import DeviceError, pick_device
from ..engine.session import Session
from ..verify.report import VerificationReport
from .jobs import Progress
from .maps import display_image


@dataclass(frozen=True)
class LoadedModel:
    """The decoder the window explores with, where it runs, and how the status bar names it."""

    decoder: JpegDecoder
    device: torch.device
    label: str
    description: dict[str, str]
    note: str = ""


def load_model(model: str, size: str, device_choice: str) -> LoadedModel:
    """The shipped ``model`` in ``size`` on the preferred device. Without shipped weights: an untrained
    lite decoder (Δ = 0, i.e. the plain consistent decode), said so in the label."""
    note = ""
    try:
        device = pick_device(device_choice)
    except DeviceError as error:
        device, note = torch.device("cpu"), str(error)
    try:
        chosen = choose_decoder(model, size, device)
    except ModelNotFoundError as error:
        decoder = JpegDecoder(SIZES["lite"], name="untrained").to(device).eval()
        return LoadedModel(decoder, device, "no trained model (Δ = 0)", {"name": "untrained", "size": "lite"},
                           note or str(error))
    return LoadedModel(chosen.decoder, device, f"{chosen.name}/{chosen.size}", chosen.describe(),
                       note or chosen.note)


@dataclass
class OpenedFile:
    """A file as the window shows it: libjpeg's decode and the unedited network decode (display
    orientation, uint8), and the exploration session."""

    path: Path
    plain: np.ndarray
    network: np.ndarray
    session: Session

    @property
    def code(self) -> JpegCode:
        return self.session.code


def open_job(path: Path, code: JpegCode, model: LoadedModel) -> Generator[Progress, None, OpenedFile]:
    """Decode ``code`` with libjpeg and with the network (z = 0) into a new Session, warmed up for edits."""
    yield Progress(0, 3)
    plain = display_image(np.atleast_3d(plain_decode(path)).astype(np.float64), code.orientation)
    yield Progress(1, 3)
    session = Session(code, model.decoder, model.device)
    network = display_image(session.image[0].permute(1, 2, 0).cpu().numpy(), code.orientation)
    yield Progress(2, 3)
    session.warm_up()
    yield Progress(3, 3)
    return OpenedFile(path, plain, network, session)


def export_job(session: Session, path: Path, bit_depth: int
               ) -> Generator[Progress, None, tuple[Path, VerificationReport]]:
    """Write the session's current image as a verified PNG (and its JSON report); returns where and the report."""
    yield Progress(0, 1)
    report = session.export(path, bit_depth)
    yield Progress(1, 1)
    return path, report
