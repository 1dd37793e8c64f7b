"""Photo pack builder on synthetic images: no network, no apt."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from explorer_app.train.photo_filter import classify, measure
from explorer_app.train.photo_pack import PackError, PhotoPack, main, validation_groups

PHOTO_NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")


def photo_like(rng: np.random.Generator, height: int = 450, width: int = 600) -> np.ndarray:
    """(H, W, 3) uint8 smooth multi-scale colour field with fine texture and sensor-like noise."""
    field = np.zeros((height, width, 3), np.float32)
    for sigma, weight in ((40.0, 60.0), (8.0, 25.0), (1.5, 10.0)):
        layer = cv2.GaussianBlur(rng.standard_normal((height, width, 3)).astype(np.float32), (0, 0), sigma)
        field += weight * layer / (layer.std() + 1e-6)
    field += rng.normal(0.0, 3.0, field.shape)
    return np.clip(field + 128.0, 0, 255).astype(np.uint8)


def drawing(height: int = 450, width: int = 600) -> np.ndarray:
    """(H, W, 3) uint8 flat-colour shapes on white, like clip-art."""
    image = np.full((height, width, 3), 255, np.uint8)
    cv2.rectangle(image, (50, 40), (300, 250), (220, 40, 40), -1)
    cv2.circle(image, (420, 300), 110, (40, 90, 220), -1)
    cv2.rectangle(image, (120, 300), (260, 420), (250, 210, 30), -1)
    return image


@pytest.fixture(scope="module")
def source_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of 8 photo-like PNGs, one drawing and one tiny photo."""
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(1)
    for name in PHOTO_NAMES:
        Image.fromarray(photo_like(rng)).save(folder / f"{name}.png")
    Image.fromarray(drawing()).save(folder / "shapes.png")
    Image.fromarray(photo_like(rng, 90, 120)).save(folder / "thumbnail.png")
    return folder


@pytest.fixture(scope="module")
def pack(source_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pack built through the command line from `source_folder`."""
    out = tmp_path_factory.mktemp("pack") / "pack"
    argv = ["--out", str(out), "--folder", str(source_folder), "--min-val", "2", "--quiet"]
    assert main(argv) == 0
    return out


def manifest(pack: Path) -> dict:
    """The pack's parsed manifest.json."""
    return json.loads((pack / "manifest.json").read_text())


def test_classifier_tells_photo_from_drawing() -> None:
    rng = np.random.default_rng(0)
    assert classify(measure(photo_like(rng), None)).keep
    assert not classify(measure(drawing(), None)).keep


def test_drawing_and_tiny_image_are_dropped(pack: Path) -> None:
    data = manifest(pack)
    kept = {Path(entry["path"]).stem for entry in data["images"]}
    dropped = {Path(entry["path"]).stem: entry["reason"] for entry in data["dropped"]}
    assert kept == set(PHOTO_NAMES)
    assert set(dropped) == {"shapes", "thumbnail"}
    assert dropped["thumbnail"].startswith("tiny")


def test_splits_are_disjoint_and_files_match(pack: Path) -> None:
    images = manifest(pack)["images"]
    train = {entry["path"] for entry in images if entry["split"] == "train"}
    val = {entry["path"] for entry in images if entry["split"] == "val"}
    assert len(val) >= 2 and train and not train & val
    for entry in images:
        data = (pack / entry["file"]).read_bytes()
        assert entry["file"].startswith(entry["split"] + "/")
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_photos_are_downscaled_2_to_4_times(pack: Path) -> None:
    for entry in manifest(pack)["images"]:
        width, height = entry["size"]
        assert 2.0 <= entry["downscale"] <= 4.0
        assert max(entry["original_size"]) / max(width, height) == pytest.approx(entry["downscale"], abs=0.01)
        with Image.open(pack / entry["file"]) as image:
            assert image.size == (width, height)
            assert image.format == "JPEG"


def test_pack_loads_and_gives_random_crops(pack: Path) -> None:
    train, val = PhotoPack(pack, "train"), PhotoPack(pack, "val")
    assert len(train) + len(val) == len(PHOTO_NAMES)
    image = train.load(0)
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    assert train.load(0) is image  # cached
    crops = train.random_crops(5, 64, np.random.default_rng(0))
    assert crops.shape == (5, 64, 64, 3) and crops.dtype == np.uint8


def test_bad_folder_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path / "pack"), "--folder", str(tmp_path / "missing")]) == 2
    error = capsys.readouterr().err.strip()
    assert "not a folder of images" in error and "\n" not in error


def test_validation_split_reaches_its_minimum() -> None:
    groups = [f"folder/{n}" for n in range(40)]
    chosen = validation_groups(groups, seed=0, minimum=12)
    assert len(chosen) >= 12 and chosen == validation_groups(groups, seed=0, minimum=12)


def test_a_small_pack_scales_its_validation_split() -> None:
    groups = [f"folder/{n}" for n in range(10)]
    chosen = validation_groups(groups, seed=0, minimum=12)
    assert 1 <= len(chosen) <= 3
    assert len(validation_groups(["a", "b"], seed=0)) == 1
    with pytest.raises(PackError, match="at least 2"):
        validation_groups(["a"], seed=0)
