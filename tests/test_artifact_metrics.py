"""The figures grain cannot fool: block edges, grain in flat areas, spread between decodes."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from conftest import synthetic_photo
from explorer_app.metrics.artifacts import blockiness, flat_grain, seed_spread, texture_masks


def _grey(pixels: np.ndarray) -> np.ndarray:
    return pixels.astype(np.float64).mean(axis=2)


def _jpeg_round_trip(pixels: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def test_a_coarse_jpeg_is_blocky_and_the_photo_is_not() -> None:
    photo = synthetic_photo(128, 128, seed=3)
    assert 0.8 < blockiness(_grey(photo)) < 1.3
    assert blockiness(_grey(_jpeg_round_trip(photo, 8))) > 1.6


def test_block_offsets_raise_blockiness_but_texture_does_not() -> None:
    rng = np.random.default_rng(0)
    smooth = np.cumsum(rng.normal(0, 1, (96, 96)), axis=1)
    blocks = smooth + np.kron(rng.normal(0, 6, (12, 12)), np.ones((8, 8)))
    assert blockiness(blocks) > 2 * blockiness(smooth)
    assert blockiness(smooth + rng.normal(0, 5, smooth.shape)) < 1.2


def test_grain_in_flat_areas_is_measured_against_the_truth() -> None:
    truth = _grey(synthetic_photo(128, 128, seed=4))
    flat, textured = texture_masks(truth)
    assert flat.mean() > 0.2 and textured.mean() > 0.2 and not (flat & textured).any()
    noisy = truth + np.random.default_rng(1).normal(0, 4, truth.shape)
    assert flat_grain(noisy, flat) > 2 * flat_grain(truth, flat)


def test_seed_spread_is_zero_for_equal_decodes_and_splits_by_area() -> None:
    truth = _grey(synthetic_photo(96, 96, seed=5))
    flat, textured = texture_masks(truth)
    assert seed_spread([truth, truth], flat, textured)["mean_abs_difference"] == 0.0
    other = truth + np.where(textured, 6.0, 0.0)
    spread = seed_spread([truth, other], flat, textured)
    assert spread["textured_abs_difference"] == 6.0 and spread["flat_abs_difference"] == 0.0
