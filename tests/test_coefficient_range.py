"""Range proofs of unreachable MCUs (docs/verification.md, "Files no image reaches"): sound on genuine files,
equal to the per-MCU computation, and libjpeg's real deviation from the reference well inside its bound."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer_app.codec import read_jpeg
from explorer_app.verify.coefficient_range import LIBJPEG_DEVIATION, range_bounds
from explorer_app.verify.encoders import LIBJPEG, REFERENCE
from explorer_app.verify.reachability import affine_map, target
from explorer_app.verify.reference_encoder import code_tensors64
from explorer_app.verify.tiles import mcu_grid, pixel_window

from conftest import compress, synthetic_photo

HOSTILE = Path(__file__).parent / "data" / "hostile" / "slow-export"


def code_of(tmp_path: Path, pixels: np.ndarray, codec: str, quality: int, sampling: str):
    path = tmp_path / f"{codec}-{quality}-{sampling}.jpg"
    path.write_bytes(compress(pixels, codec, quality, sampling))
    return code_tensors64(read_jpeg(path))


def every_mcu(code) -> np.ndarray:
    return np.ones(mcu_grid(code), dtype=bool)


def test_bounds_equal_the_per_mcu_ranges_whole_and_cut_by_the_edges(tmp_path: Path) -> None:
    for name in ("mutant-1-299.jpg", "mutant-103-169.jpg"):  # 53×67 4:2:0 and 48×80 4:2:2: edge MCUs of all kinds
        code = code_tensors64(read_jpeg(HOSTILE / name))
        bounds = range_bounds(code, 3, every_mcu(code))
        rows, cols = mcu_grid(code)
        for row in range(rows):
            for col in range(cols):
                part = code.crop(*pixel_window((row, col, row + 1, col + 1), code))
                (a, b), quantized = affine_map(part, 3), target(part)
                low = b + np.minimum(a, 0).sum(1) * 255
                high = b + np.maximum(a, 0).sum(1) * 255
                expected = (np.maximum(low - quantized, quantized - high) - 0.5).max()
                assert bounds.reference[row, col] == pytest.approx(expected, abs=1e-9)
        assert bounds.impossible(libjpeg=True).any()


def test_only_marked_mcus_are_bounded() -> None:
    code = code_tensors64(read_jpeg(HOSTILE / "mutant-103-515.jpg"))
    marked = np.zeros(mcu_grid(code), dtype=bool)
    marked[0, 0] = marked[-1, -1] = True
    bounds = range_bounds(code, 3, marked)
    assert np.isfinite(bounds.reference[marked]).all() and np.isneginf(bounds.reference[~marked]).all()


@pytest.mark.parametrize("sampling", ["4:2:0", "4:4:4"])
def test_no_genuine_file_is_called_impossible_under_libjpeg(tmp_path: Path, sampling: str) -> None:
    """Files libjpeg wrote from real pixels, saturated colours included, at every quality: the proof that no
    8-bit image reaches an MCU under libjpeg must never fire (it would refuse a genuine original)."""
    photo = synthetic_photo(53, 75, seed=3)
    photo[8:30, 10:40] = (255, 255, 0)  # saturated yellow: Cb below what exact arithmetic reaches
    photo[30:50, 40:70] = (0, 0, 255)
    for codec in ("pillow", "opencv"):
        for quality in (1, 10, 50, 90, 98, 100):
            code = code_of(tmp_path, photo, codec, quality, sampling)
            bounds = range_bounds(code, 3, every_mcu(code))
            assert not bounds.impossible(libjpeg=True).any(), (codec, quality)


def test_libjpeg_deviates_from_the_reference_far_less_than_the_bound(tmp_path: Path) -> None:
    """The bound the libjpeg proof rests on, measured: random, extreme (0/255) and smooth 8-bit images, tables
    of ones (so quotients are coefficients), 4:2:0 and 4:4:4."""
    rng = np.random.default_rng(7)
    worst = 0.0
    for sampling in ("4:2:0", "4:4:4"):
        code = code_of(tmp_path, synthetic_photo(32, 48), "pillow", 90, sampling)
        ones = code.map(torch.ones_like)
        ones = dataclasses.replace(ones, y_q=code.y_q, c_q=code.c_q)
        images = [
            rng.integers(0, 256, (24, 32, 48, 3)),
            rng.choice([0, 255], (24, 32, 48, 3)),
            np.clip(rng.normal(128, 90, (24, 1, 1, 3)) + rng.normal(0, 2, (24, 32, 48, 3)), 0, 255).round(),
        ]
        for image in images:
            pixels = torch.from_numpy(image.astype(np.float64)).permute(0, 3, 1, 2)
            count = len(image)
            batch = ones.map(lambda t, count=count: t.expand(count, *t.shape[1:]))
            pairs = zip(LIBJPEG.normalized(pixels, batch), REFERENCE.normalized(pixels, batch), strict=True)
            for ours, theirs in pairs:
                worst = max(worst, float((ours - theirs).abs().max()))
    assert 1.0 < worst < LIBJPEG_DEVIATION / 2  # real rounding differences (2.6 measured), well inside the bound
