"""Shared fixtures and makers: tiny seeded decoders, synthetic photo-like images, JPEGs written by Pillow at
test time, the engine's sessions and stand-ins, and a models folder the CLI finds through
``JPEG_EXPLORER_MODELS``. Test modules import makers from here, never from each other."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from explorer_app.codec import read_jpeg
from explorer_app.decoder.model import DecoderSize, JpegDecoder

if TYPE_CHECKING:  # the engine, scipy and the verifier are imported where used: pair_kills.py's child stays light
    from explorer_app.codec.jpeg_code import JpegCode
    from explorer_app.engine import Session

TINY = DecoderSize(luma_width=8, luma_depth=2, chroma_width=8, chroma_depth=2)
PILLOW_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}


def tiny_decoder(seed: int = 0, head_scale: float = 1.0) -> JpegDecoder:
    """A tiny decoder with every weight drawn from ``seed``; the head is not zero, so Δ spans most of (−½, ½).

    ``head_scale=0`` keeps the zero head of an untrained decoder (Δ = 0, the plain decode).
    """
    torch.manual_seed(seed)
    decoder = JpegDecoder(TINY, name=f"tiny-{seed}")
    with torch.no_grad():
        for net in (decoder.luma, decoder.chroma):
            net.head.weight.normal_(0.0, head_scale)
            net.head.bias.normal_(0.0, head_scale)
    return decoder.eval()


def synthetic_photo(height: int, width: int, seed: int = 0, color: bool = True) -> np.ndarray:
    """A uint8 (H, W, 3) or (H, W) image that JPEG-compresses like a photo: smooth fields at a few scales,
    a sharp edge, fine texture, values mostly inside [16, 235]."""
    rng = np.random.default_rng(seed)
    channels = 3 if color else 1
    image = np.zeros((height, width, channels))
    for cells, amplitude in ((3, 32.0), (12, 14.0), (48, 6.0)):
        coarse = rng.normal(0.0, 1.0, (cells, cells, channels)).astype(np.float32)
        field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
        image += amplitude * field.reshape(height, width, channels)
    yy, xx = np.mgrid[0:height, 0:width]
    angle = rng.uniform(0, np.pi)
    edge = (np.cos(angle) * (xx - width / 2) + np.sin(angle) * (yy - height / 2)) > 0
    image += np.where(edge, 14.0, -14.0)[:, :, None] * rng.uniform(0.5, 1.0, channels)
    image += rng.normal(0.0, 4.0, image.shape)
    image = 125.5 + 110.0 * np.tanh(image / 110.0) + rng.uniform(-15, 15, channels)  # soft limit to ~[16, 235]
    pixels = np.clip(np.round(image), 0, 255).astype(np.uint8)
    return pixels if color else pixels[:, :, 0]


SAMPLINGS = {"4:2:0": (2, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420), "4:4:4": (0, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444)}
"""Chroma layouts as (Pillow's subsampling, OpenCV's sampling factor)."""


def compress(pixels: np.ndarray, codec: str, quality: int, sampling: str) -> bytes:
    """JPEG bytes of ``pixels`` (uint8 RGB) written by ``codec`` ("pillow" or "opencv", both libjpeg) at IJG
    ``quality`` with ``sampling`` (a key of :data:`SAMPLINGS`)."""
    if codec == "pillow":
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality, subsampling=SAMPLINGS[sampling][0])
        return buffer.getvalue()
    ok, buffer = cv2.imencode(
        ".jpg",
        np.ascontiguousarray(pixels[:, :, ::-1]),
        [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, SAMPLINGS[sampling][1]],
    )
    assert ok
    return buffer.tobytes()


def jpeg_bytes(
    pixels: np.ndarray,
    quality: int | None = 50,
    subsampling: str = "4:2:0",
    progressive: bool = False,
    qtables: list[list[int]] | None = None,
    orientation: int | None = None,
) -> bytes:
    """Encode ``pixels`` (uint8 (H, W) grey or (H, W, 3) RGB) with Pillow/libjpeg."""
    image = Image.fromarray(pixels)
    options: dict[str, object] = {"progressive": progressive}
    if qtables is not None:
        options["qtables"] = qtables
    else:
        options["quality"] = quality
    if image.mode != "L":
        options["subsampling"] = PILLOW_SUBSAMPLING[subsampling]
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def write_jpeg(path: Path, pixels: np.ndarray, **options: object) -> Path:
    path.write_bytes(jpeg_bytes(pixels, **options))
    return path


# --- files under any tables, and an independent check of consistency ------------------------------------


def random_tables(seed: int) -> list[list[int]]:
    """Custom luma and chroma tables: a random smooth-ish ramp times noise, entries 1..255."""
    rng = np.random.default_rng(seed)
    ramp = 1 + np.add.outer(np.arange(8), np.arange(8)) * rng.uniform(1, 8)
    return [
        np.clip(np.round(ramp * rng.uniform(0.5, 2.0, (8, 8))), 1, 255).astype(int).ravel().tolist() for _ in range(2)
    ]


def make_file(folder: Path, height: int, width: int, sampling: str, quality: int | str, seed: int) -> Path:
    """folder/source.jpg: a synthetic photo (``sampling`` "grey" for greyscale) at an IJG ``quality`` or, with
    "custom", under random tables."""
    color = sampling != "grey"
    options = {"qtables": random_tables(seed)[: 2 if color else 1]} if quality == "custom" else {"quality": quality}
    return write_jpeg(
        folder / "source.jpg",
        synthetic_photo(height, width, seed, color),
        subsampling=sampling if color else "4:4:4",
        **options,
    )


def independent_requantize(image: np.ndarray, code) -> list[np.ndarray]:
    """The reference encoder (docs/verification.md) written again with numpy/scipy, to check the product's own:
    JFIF RGB→YCbCr, edge replication to the MCU, box-averaged chroma, orthonormal 8×8 DCT, ÷M, round half
    away from zero. Returns X_Q (by, bx, 8, 8) per component on the file's block grids."""
    import scipy.fft

    fy, fx = code.chroma_factor
    h, w = image.shape[:2]
    mcu_h, mcu_w = -(-h // (8 * fy)) * 8 * fy, -(-w // (8 * fx)) * 8 * fx
    if code.is_color:
        r, g, b = (image[:, :, i] for i in range(3))
        planes = [
            0.299 * r + 0.587 * g + 0.114 * b,
            -0.168735892 * r - 0.331264108 * g + 0.5 * b + 128,
            0.5 * r - 0.418687589 * g - 0.081312411 * b + 128,
        ]
    else:
        planes = [image[:, :, 0]]
    result = []
    for index, (plane, table, grid) in enumerate(zip(planes, code.tables, code.coefficients, strict=True)):
        plane = np.pad(plane, ((0, mcu_h - h), (0, mcu_w - w)), mode="edge") - 128.0
        if index > 0:
            plane = plane.reshape(mcu_h // fy, fy, mcu_w // fx, fx).mean(axis=(1, 3))
        by, bx = grid.shape[:2]
        blocks = plane[: 8 * by, : 8 * bx].reshape(by, 8, bx, 8).transpose(0, 2, 1, 3)
        normalized = scipy.fft.dctn(blocks, type=2, norm="ortho", axes=(2, 3)) / table
        result.append(np.sign(normalized) * np.floor(np.abs(normalized) + 0.5))
    return result


def independently_consistent(png_path, code) -> bool:
    from explorer_app.verify.png_io import read_png

    image, _ = read_png(png_path)
    return all(
        np.array_equal(ours, theirs.astype(np.float64))
        for ours, theirs in zip(independent_requantize(image, code), code.coefficients, strict=True)
    )


# --- the engine's makers: pictures, steerable decoders, sessions ------------

ENGINE_SIZE = DecoderSize(16, 2, 16, 2)


def synthetic_picture(height: int, width: int, seed: int = 0) -> np.ndarray:
    """uint8 (H, W, 3): gradients, a few discs and bars, mild noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.stack([80 + 100 * xx / width, 60 + 120 * yy / height, 140 + 60 * np.sin(xx / 7.0)], -1)
    for _ in range(6):
        cy, cx, r = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(4, 14)
        image[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.uniform(0, 255, 3)
    image[:, ::9] *= 0.7
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def write_picture(
    path: Path,
    height: int = 96,
    width: int = 128,
    quality: int = 20,
    subsampling: int = 2,
    grey: bool = False,
    seed: int = 0,
) -> Path:
    """A JPEG of a synthetic picture; subsampling as Pillow's (0: 4:4:4, 1: 4:2:2, 2: 4:2:0)."""
    image = Image.fromarray(synthetic_picture(height, width, seed))
    if grey:
        image = image.convert("L")
    image.save(path, quality=quality, subsampling=subsampling)
    return path


def random_decoder(seed: int = 0, size: DecoderSize = ENGINE_SIZE) -> JpegDecoder:
    """A small random decoder whose output heads are not zero, so z visibly changes the decode."""
    torch.manual_seed(seed)
    decoder = JpegDecoder(size, name=f"tiny-random-{seed}")
    for head in (decoder.luma.head, decoder.chroma.head):
        nn.init.normal_(head.weight, std=0.15)
    return decoder.eval()


def controllable_decoder(seed: int = 0, gain: float = 2.0) -> JpegDecoder:
    """A JpegDecoder whose z steers each block's Δ directly, like a well-trained explorable decoder:
    luma Δ_k ← z_k, Cb Δ_k ← z_(k+16) mod 64, Cr Δ_k ← z_(k+40) mod 64 (through one layer, plus small
    random weights). Every consistent image is reachable, so tool tests measure the engine, not the net."""
    torch.manual_seed(seed)
    decoder = JpegDecoder(DecoderSize(64, 1, 128, 1), name=f"controllable-{seed}")
    for net, feature_channels, sources in (
        (decoder.luma, 128, [list(range(64))]),
        (decoder.chroma, 512, [[(k + 16) % 64 for k in range(64)], [(k + 40) % 64 for k in range(64)]]),
    ):
        conv, head = net.layers[0].conv, net.head
        with torch.no_grad():
            nn.init.normal_(conv.weight, std=0.002)
            nn.init.normal_(head.weight, std=0.002)
            conv.bias.zero_()
            head.bias.zero_()
            for j in range(64):
                conv.weight[j, feature_channels + j, 1, 1] = 1.0
            for part, source in enumerate(sources):
                for k, j in enumerate(source):
                    head.weight[64 * part + k, j, 1, 1] = gain
    return decoder.eval()


def tiny_session(tmp_path: Path, decoder: JpegDecoder | None = None, **jpeg_options: object) -> Session:
    """A session on a synthetic picture's JPEG (options: see write_picture) with a random decoder by default."""
    from explorer_app.engine import Session

    return Session(read_jpeg(write_picture(tmp_path / "input.jpg", **jpeg_options)), decoder or random_decoder())


def quick_digits_command(monkeypatch) -> None:
    """Make ``digits`` run on a controllable decoder instead of the shipped one (seconds, not minutes)."""
    from explorer_app.cli import digits_command
    from explorer_app.decoder.selection import ChosenDecoder

    monkeypatch.setattr(
        digits_command,
        "choose_decoder",
        lambda name, size, device: ChosenDecoder(controllable_decoder(), name, "lite", ""),
    )


JPEGLIB_WRITERS = {  # report key of a writer: (jpeglib build, DCT method, chroma subsampling (fy, fx))
    "ijg-scaled": ("9e", "JDCT_ISLOW", (2, 2)),
    "libjpeg-float": ("turbo210", "JDCT_FLOAT", (2, 2)),
    "libjpeg-ifast": ("turbo210", "JDCT_IFAST", (1, 2)),
    "libjpeg": ("turbo210", "JDCT_ISLOW", (2, 2)),
}


def jpeglib_jpeg(path: Path, key: str, pixels: np.ndarray, qt: int | np.ndarray) -> Path:
    """``pixels`` (H, W, 3) uint8 as a JPEG at ``path`` by the jpeglib build behind writer ``key`` (see
    :data:`JPEGLIB_WRITERS`), at an IJG quality or under (3, 8, 8) tables ``qt``."""
    import jpeglib
    from jpeglib._cenum import DCTMethod

    build, method, (fy, fx) = JPEGLIB_WRITERS[key]
    with jpeglib.version(build):
        image = jpeglib.from_spatial(np.ascontiguousarray(pixels))
        image.samp_factor = np.array([[fy, fx], [1, 1], [1, 1]])  # jpeglib: (v, h)
        tables = {} if isinstance(qt, int) else {"quant_tbl_no": np.arange(3)}
        image.write_spatial(str(path), qt=qt, dct_method=DCTMethod[method], **tables)
    return path


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def models_folder(tmp_path_factory, monkeypatch):
    """A models folder holding tiny random decoders in the trained format under every shipped name and size,
    made the application's models folder through JPEG_EXPLORER_MODELS."""
    from explorer_app.decoder.registry import MODEL_NAMES, save_decoder

    folder = tmp_path_factory.mktemp("models")
    for name in MODEL_NAMES:
        for size in ("lite", "full"):
            save_decoder(tiny_decoder(seed=1), folder, name, size)
    monkeypatch.setenv("JPEG_EXPLORER_MODELS", str(folder))
    return folder


# --- the window (gui_driver.py drives it) -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _garbage_on_the_gui_thread(request: pytest.FixtureRequest):
    """In a test that uses Qt, cyclic garbage is collected on the GUI thread only, as the application
    does (gui/window/collector.py): a widget of an earlier test destroyed by a collection that a job's
    worker thread set off crashed a test worker now and then. Everything is collected at the end."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    from explorer_app.gui.window.collector import GuiThreadCollector

    request.getfixturevalue("qapp")
    collector = GuiThreadCollector()
    collector.start()
    yield
    collector.stop()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    from gui_driver import write_photo

    return write_photo(tmp_path / "photo.jpg")


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch):
    """A shown MainWindow with a tiny model and no file; an error dialog fails the test with its message (a
    modal box would block an offscreen test forever; tests that expect one patch it again)."""
    from PyQt6.QtWidgets import QMessageBox

    from explorer_app.gui.settings import Settings
    from explorer_app.gui.window.main_window import MainWindow

    from gui_driver import tiny_model, unexpected_dialog

    monkeypatch.setattr(QMessageBox, "critical", unexpected_dialog)
    win = MainWindow(Settings(tmp_path / "settings.ini"), model=tiny_model())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.jobs.shutdown()


@pytest.fixture
def opened(qtbot, window, photo: Path):
    """The window with the small photo open and decoded."""
    from gui_driver import wait_idle

    assert window.open_path(photo)
    wait_idle(qtbot, window)
    assert window.opened is not None
    return window


@pytest.fixture
def explore(qtbot, tmp_path: Path, photo: Path, monkeypatch):
    """A window ready to explore the small photo: 3-step edits, no hold outside the region, a stand-in digit
    classifier, and "No" to every question."""
    from PyQt6.QtWidgets import QMessageBox

    from explorer_app.gui.settings import Settings
    from explorer_app.gui.window.main_window import MainWindow

    from gui_driver import tiny_model, unexpected_dialog, wait_idle

    settings = Settings(tmp_path / "settings.ini")
    settings.edit_steps = 3
    settings.edit_hold = 0.0  # a random tiny decoder cannot brighten without touching the outside
    win = MainWindow(settings, model=tiny_model())
    qtbot.addWidget(win)
    win.show()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "critical", unexpected_dialog)
    win.open_path(photo)
    wait_idle(qtbot, win)
    yield win
    win.jobs.shutdown()


def read_in_process(path) -> JpegCode:
    """A file written by jpeglib, as read_jpeg reads it, but in this process through jpeglib (read_jpeg
    starts a child process per file, 0.3 s; test_encoder_matrix.py's
    test_the_in_process_reader_agrees_with_read_jpeg ties the two)."""
    import jpeglib

    from explorer_app.codec.jpeg_code import JpegCode

    dct = jpeglib.read_dct(str(path))
    planes = (dct.Y, dct.Cb, dct.Cr) if dct.has_chrominance else (dct.Y,)
    samp = np.asarray(dct.samp_factor)  # (v, h) per component
    factor = (int(samp[0, 0] // samp[1, 0]), int(samp[0, 1] // samp[1, 1])) if len(planes) == 3 else (1, 1)
    height, width = dct.height, dct.width
    grids = [(-(-height // 8), -(-width // 8))] + [(-(-height // (8 * factor[0])), -(-width // (8 * factor[1])))] * 2
    return JpegCode(
        tuple(np.asarray(p[:by, :bx], dtype=np.int16) for p, (by, bx) in zip(planes, grids, strict=False)),
        tuple(np.asarray(dct.qt[dct.quant_tbl_no[c]], dtype=np.int64) for c in range(len(planes))),
        factor,
        height,
        width,
    )
