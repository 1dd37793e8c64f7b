"""Choosing the decoder from the preferences, and the background jobs that open and export a file."""
from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..codec import JpegCode, plain_decode
from ..decoder.inference import decode_code
from ..decoder.model import SIZES, JpegDecoder
from ..decoder.registry import ModelNotFoundError
from ..decoder.selection import choose_decoder
from ..devices import DeviceError, pick_device
from ..export.exporter import export_verified
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
    """A file as the window shows it: its code, libjpeg's decode and the unedited network decode
    (display orientation, uint8), and the network's output for export."""

    path: Path
    code: JpegCode
    plain: np.ndarray
    network: np.ndarray
    output: dict[str, torch.Tensor | None]


def open_job(path: Path, code: JpegCode, model: LoadedModel) -> Generator[Progress, None, OpenedFile]:
    """Decode ``code`` with libjpeg and with the network (z = 0)."""
    yield Progress(0, 2)
    plain = display_image(np.atleast_3d(plain_decode(path)).astype(np.float64), code.orientation)
    yield Progress(1, 2)
    output = {k: None if v is None else v.cpu() for k, v in decode_code(model.decoder, code,
                                                                       device=model.device).items()}
    network = display_image(output["image"][0].permute(1, 2, 0).numpy(), code.orientation)
    yield Progress(2, 2)
    return OpenedFile(path, code, plain, network, output)


def export_job(output: dict[str, torch.Tensor | None], code: JpegCode, path: Path, bit_depth: int,
               model: dict[str, str], history: list[dict[str, object]]
               ) -> Generator[Progress, None, tuple[Path, VerificationReport]]:
    """Write a verified PNG (and its JSON report); returns where and the report."""
    yield Progress(0, 1)
    report = export_verified(output, code, path, bit_depth=bit_depth, model=model, history=history)
    yield Progress(1, 1)
    return path, report
