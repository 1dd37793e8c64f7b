"""Choosing the decoder from the preferences, and the background jobs that open and export a file.

Opening shows libjpeg's decode as soon as the file is read (a 12-MP photo in well under a second), then
runs the network's decode with progress per convolution and a cancel that stops it between two of them.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PyQt6.QtGui import QImage

from ...codec import JpegCode, plain_decode, read_jpeg, to_display
from ...decoder.model import SIZES, JpegDecoder
from ...decoder.registry import ModelNotFoundError
from ...decoder.selection import choose_decoder
from ...devices import DeviceError, pick_device
from ...engine.session import Session
from ...engine.session_file import restore
from ..canvas.images import screen_image
from .edits import consistent
from .runner import JobControl, Progress


@dataclass(frozen=True)
class LoadedModel:
    """The decoder the window explores with, where it runs, and how the status bar names it."""

    decoder: JpegDecoder
    device: torch.device
    label: str
    description: dict[str, str | None]
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
        return LoadedModel(
            decoder, device, "no trained model (Δ = 0)", {"name": "untrained", "size": "lite"}, note or str(error)
        )
    return LoadedModel(chosen.decoder, device, f"{chosen.name}/{chosen.size}", chosen.describe(), note or chosen.note)


@dataclass(frozen=True)
class FirstView:
    """A file just read: its code and libjpeg's decode (uint8 display image and its QImage)."""

    path: Path
    code: JpegCode
    plain: np.ndarray
    plain_image: QImage


@dataclass(frozen=True)
class NetworkView:
    """The network's decode of the file being opened (uint8 display image and its QImage), shown while
    the session gets ready for edits."""

    network: np.ndarray
    network_image: QImage


@dataclass
class OpenedFile:
    """A file as the window shows it: libjpeg's decode, the unedited network decode and the current
    image (uint8 display images and their QImages), the exploration session, whether it is consistent,
    and the session file it was restored from (if any)."""

    path: Path
    plain: np.ndarray
    network: np.ndarray
    current: np.ndarray
    screens: dict[str, QImage]
    session: Session
    consistent: bool
    restored: Path | None = None

    @property
    def code(self) -> JpegCode:
        return self.session.code


def shown(image: torch.Tensor, orientation: int) -> tuple[np.ndarray, QImage]:
    """A whole decode (1, C, H, W) → its uint8 display image and QImage. Rounded and clipped by torch, on
    the job's threads (numpy's one-core float passes took a second of a 12-MP open); as display_image."""
    pixels = image[0].detach().round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).contiguous().cpu().numpy()
    pixels = to_display(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels, orientation)
    return pixels, screen_image(pixels)


def open_job(
    control: JobControl, path: Path, model: LoadedModel, session_file: Path | None = None
) -> Generator[Progress, None, OpenedFile]:
    """Read ``path`` and show libjpeg's decode at once (a FirstView preview); decode it with the network
    (z = 0, progress per convolution, cancellable); restore ``session_file`` into it when given and show
    the result (a NetworkView preview); warm the session up for edits (the first Adam step of a process
    imports and prepares seconds' worth of torch machinery on a CPU)."""
    yield Progress(0, 0, stage="reading the file")
    code = read_jpeg(path)
    plain = to_display(np.asarray(plain_decode(path)), code.orientation)
    yield Progress(0, 0, FirstView(path, code, plain, screen_image(plain)), stage="network decode")
    session = Session.decoded(code, model.decoder, model.device, control.progress, control.cancelled)
    network, network_image = shown(session.image, code.orientation)
    current, current_image = network, network_image
    if session_file is not None:
        yield Progress(0, 0, stage="restoring the session")
        restore(session, session_file)
        current, current_image = shown(session.image, code.orientation)
    yield Progress(0, 0, NetworkView(current, current_image), stage="getting ready for edits")
    session.warm_up()
    return OpenedFile(
        path,
        plain,
        network,
        current,
        {"plain": screen_image(plain), "network": network_image, "current": current_image},
        session,
        consistent(session),
        session_file,
    )
