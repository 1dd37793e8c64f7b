"""NIQE: the Natural Image Quality Evaluator (Mittal, Soundararajan & Bovik, IEEE SPL 2013).

A "completely blind" score: natural-scene statistics of an image are compared with those of pristine
photographs, with no training on distorted images or human opinions. Lower is more natural.

The pipeline (one image):
1. grey (H, W) float64 on [0, 255]; cropped to whole 96×96 blocks.
2. MSCN coefficients (I − μ) / (σ + 1), μ and σ the local mean and standard deviation under a 7×7
   Gaussian window (σ_w = 7/6), edges replicated.
3. Per block, 18 features: the generalised Gaussian fit of the MSCN block (shape α and scale β,
   moment matching; fitted as an AGGD whose two scales are averaged, as the authors' release does),
   and for each of four neighbour products (horizontal, vertical, main and anti-diagonal, wrapping
   inside the block) the asymmetric GGD fit (shape, mean, left scale, right scale). Shapes are
   searched on the grid α ∈ {0.2, 0.201, …, 10}.
4. The same at half resolution (antialiased bicubic, 48×48 blocks): 36 features per block.
5. A multivariate Gaussian (mean, covariance) of the blocks' features, and the score
   sqrt((ν₁ − ν₂)ᵀ ((Σ₁ + Σ₂) / 2)⁺ (ν₁ − ν₂)) against the pristine model (ν₁, Σ₁).

The pristine model shipped in ``models/niqe_pristine.safetensors`` holds the published parameters of
the authors' release (see its card ``models/niqe_pristine.md``). :func:`fit_pristine_model` fits a new
one from pristine photos the way the paper does, keeping only the sharpest blocks of each image.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy import ndimage
from scipy.special import gamma as gamma_fn

BLOCK_SIZE = 96
"""Block side in pixels at full resolution (48 at half resolution)."""
SCALES = 2
FEATURES_PER_SCALE = 18
FEATURE_COUNT = SCALES * FEATURES_PER_SCALE
WINDOW_SIZE = 7
WINDOW_SIGMA = 7.0 / 6.0
SHARPNESS_FRACTION = 0.75
"""A pristine block is kept when its mean local σ exceeds this fraction of its image's sharpest block."""
MODEL_FILE = "niqe_pristine.safetensors"

_GREY_WEIGHTS = np.array([0.298936021293775, 0.587043074451121, 0.114020904255103])
"""ITU-R BT.601 luma weights as MATLAB's rgb2gray applies them (the reference implementation's grey)."""
_SHAPE_GRID = np.round(np.arange(200, 10001) * 1e-3, 3)
"""Candidate GGD/AGGD shape parameters α: 0.2, 0.201, …, 10.0."""
_PAIR_SHIFTS = ((0, 1), (1, 0), (1, 1), (1, -1))
"""(row, column) shifts of the neighbour in the four pairwise products: H, V, D1, D2."""


class PristineModel(NamedTuple):
    """The multivariate Gaussian of pristine features; unpacks as ``mu, cov = model``."""

    mu: np.ndarray
    """(36,) mean feature vector."""
    cov: np.ndarray
    """(36, 36) feature covariance."""


# --------------------------------------------------------------------------------------------------
# Image preparation


def to_grey(image: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, 3) uint8/float image on [0, 255] → (H, W) float64 grey on [0, 255].

    RGB is weighted like MATLAB's ``rgb2gray``; for uint8 input the grey is rounded to integers as
    ``rgb2gray`` does, so the score matches the reference implementation on 8-bit files.
    """
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        return array.astype(np.float64)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an (H, W) grey or (H, W, 3) RGB image, got shape {array.shape}")
    grey = array.astype(np.float64) @ _GREY_WEIGHTS
    return np.round(grey) if array.dtype == np.uint8 else grey


def crop_to_blocks(grey: np.ndarray, block: int = BLOCK_SIZE) -> np.ndarray:
    """(H, W) → (⌊H/block⌋·block, ⌊W/block⌋·block), keeping the top-left corner."""
    rows, cols = grey.shape[0] // block, grey.shape[1] // block
    if rows == 0 or cols == 0:
        raise ValueError(f"NIQE needs at least {block}×{block} pixels, got {grey.shape[1]}×{grey.shape[0]}")
    return grey[: rows * block, : cols * block]


def gaussian_window(size: int = WINDOW_SIZE, sigma: float = WINDOW_SIGMA) -> np.ndarray:
    """(size, size) Gaussian weights summing to 1 (σ in pixels)."""
    offsets = np.arange(size) - (size - 1) / 2.0
    profile = np.exp(-(offsets**2) / (2.0 * sigma**2))
    window = np.outer(profile, profile)
    return window / window.sum()


def mscn(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, W) grey → (MSCN coefficients (H, W), local standard deviation σ (H, W) in grey levels)."""
    window = gaussian_window()
    mean = ndimage.correlate(grey, window, mode="nearest")
    second_moment = ndimage.correlate(grey * grey, window, mode="nearest")
    sigma = np.sqrt(np.abs(second_moment - mean * mean))
    return (grey - mean) / (sigma + 1.0), sigma


def _cubic(distance: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel (a = −0.5) at the given distances."""
    x = np.abs(distance)
    near = (1.5 * x - 2.5) * x * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x <= 1.0, near, np.where(x <= 2.0, far, 0.0))


@lru_cache(maxsize=64)
def _halving_matrix(length: int) -> np.ndarray:
    """(⌈length/2⌉, length) weights of an antialiased bicubic 2× reduction along one axis.

    Output sample i sits at input coordinate 2i + 0.5; the kernel is the cubic stretched by 2
    (8 taps), rows normalised to sum 1, and taps past an edge mirrored back (half-sample symmetric),
    as MATLAB's ``imresize(·, 0.5)`` does.
    """
    out_length = (length + 1) // 2
    centres = 2.0 * np.arange(out_length) + 0.5
    taps = np.floor(centres)[:, None].astype(np.int64) + np.arange(-4, 6)[None, :]
    weights = 0.5 * _cubic(0.5 * (centres[:, None] - taps))
    weights /= weights.sum(axis=1, keepdims=True)
    period = np.mod(taps, 2 * length)
    mirrored = np.where(period < length, period, 2 * length - 1 - period)
    matrix = np.zeros((out_length, length))
    np.add.at(matrix, (np.repeat(np.arange(out_length), taps.shape[1]), mirrored.ravel()), weights.ravel())
    return matrix


def downscale_half(grey: np.ndarray) -> np.ndarray:
    """(H, W) → (⌈H/2⌉, ⌈W/2⌉) antialiased bicubic reduction (no rounding)."""
    return _halving_matrix(grey.shape[0]) @ grey @ _halving_matrix(grey.shape[1]).T


def image_blocks(plane: np.ndarray, block: int) -> np.ndarray:
    """(R·block, C·block) → (R·C, block, block) non-overlapping blocks in row-major order."""
    rows, cols = plane.shape[0] // block, plane.shape[1] // block
    tiles = plane[: rows * block, : cols * block].reshape(rows, block, cols, block)
    return tiles.swapaxes(1, 2).reshape(rows * cols, block, block)


# --------------------------------------------------------------------------------------------------
# Distribution fits (moment matching), vectorised over blocks


@lru_cache(maxsize=1)
def _aggd_ratio_table() -> np.ndarray:
    """(len(grid),) E[|x|]²/E[x²] of a unit GGD for each grid shape α: Γ(2/α)²/(Γ(1/α)Γ(3/α))."""
    a = _SHAPE_GRID
    return gamma_fn(2.0 / a) ** 2 / (gamma_fn(1.0 / a) * gamma_fn(3.0 / a))


def _nearest_shape(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(n,) moment ratios → (n,) grid shapes whose (monotone) table entry is nearest; NaN if undefined."""
    order = np.argsort(table)
    ordered = table[order]
    safe = np.where(np.isfinite(values), values, ordered[0])
    upper = np.clip(np.searchsorted(ordered, safe), 1, len(ordered) - 1)
    lower = upper - 1
    pick = np.where(np.abs(safe - ordered[lower]) <= np.abs(ordered[upper] - safe), lower, upper)
    return np.where(np.isfinite(values), _SHAPE_GRID[order[pick]], np.nan)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise numerator / denominator, NaN where the denominator is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)


def aggd_fit(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, m) rows of samples → (shape α, left scale β_l, right scale β_r), each (n,), of an AGGD.

    Moment matching (Lasmar, Stitou & Berthoumieu 2009): σ_l² and σ_r² are the mean squares of the
    negative and positive samples, γ̂ = σ_l/σ_r, r̂ = E[|x|]²/E[x²], and α is the grid shape whose
    Γ(2/α)²/(Γ(1/α)Γ(3/α)) is nearest to r̂(γ̂³ + 1)(γ̂ + 1)/(γ̂² + 1)². The scales are
    β = σ·sqrt(Γ(1/α)/Γ(3/α)), in the samples' units. For symmetric data this is the GGD fit.
    """
    square = samples * samples
    negative, positive = samples < 0, samples > 0
    left_std = np.sqrt(_ratio(np.sum(square * negative, axis=1), np.sum(negative, axis=1)))
    right_std = np.sqrt(_ratio(np.sum(square * positive, axis=1), np.sum(positive, axis=1)))
    skew = _ratio(left_std, right_std)
    r_hat = _ratio(np.mean(np.abs(samples), axis=1) ** 2, np.mean(square, axis=1))
    r_norm = r_hat * (skew**3 + 1.0) * (skew + 1.0) / (skew**2 + 1.0) ** 2
    shape = _nearest_shape(r_norm, _aggd_ratio_table())
    with np.errstate(invalid="ignore"):
        to_scale = np.sqrt(gamma_fn(1.0 / shape) / gamma_fn(3.0 / shape))
    return shape, left_std * to_scale, right_std * to_scale


def aggd_mean(shape: np.ndarray, left_scale: np.ndarray, right_scale: np.ndarray) -> np.ndarray:
    """(n,) AGGD parameters → (n,) the distribution's mean η = (β_r − β_l)·Γ(2/α)/Γ(1/α)."""
    with np.errstate(invalid="ignore"):
        return (right_scale - left_scale) * gamma_fn(2.0 / shape) / gamma_fn(1.0 / shape)


def block_features(blocks: np.ndarray) -> np.ndarray:
    """(n, b, b) MSCN blocks → (n, 18) features.

    Columns: the MSCN coefficients' shape α and scale (β_l + β_r)/2; then for each neighbour product
    (H, V, D1, D2) its AGGD shape α, mean η, left scale β_l and right scale β_r. These are the
    definitions of the authors' release, which its published pristine model was computed with.
    """
    count = blocks.shape[0]
    shape, left, right = aggd_fit(blocks.reshape(count, -1))
    columns = [shape, (left + right) / 2.0]
    for shift in _PAIR_SHIFTS:
        products = blocks * np.roll(blocks, shift, axis=(1, 2))
        shape, left, right = aggd_fit(products.reshape(count, -1))
        columns.extend([shape, aggd_mean(shape, left, right), left, right])
    return np.stack(columns, axis=1)


# --------------------------------------------------------------------------------------------------
# Features of an image, models, score


def niqe_features(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Image → (features (n_blocks, 36), sharpness (n_blocks,)) over its 96×96 blocks.

    Columns 0–17 come from full resolution, 18–35 from half resolution (the same block's 48×48
    footprint). Sharpness is the block's mean local σ in grey levels; undefined features are NaN.
    """
    grey = crop_to_blocks(to_grey(image))
    per_scale: list[np.ndarray] = []
    sharpness = np.empty(0)
    for scale in range(SCALES):
        coefficients, sigma = mscn(grey)
        block = BLOCK_SIZE >> scale
        per_scale.append(block_features(image_blocks(coefficients, block)))
        if scale == 0:
            sharpness = image_blocks(sigma, block).mean(axis=(1, 2))
        if scale + 1 < SCALES:
            grey = downscale_half(grey)
    return np.concatenate(per_scale, axis=1), sharpness


def _gaussian_of(features: np.ndarray) -> PristineModel:
    """(n, 36) → mean over each column's defined values; covariance over the fully defined rows."""
    defined = np.isfinite(features)
    complete = features[np.all(defined, axis=1)]
    mu = _ratio(np.sum(np.where(defined, features, 0.0), axis=0), np.sum(defined, axis=0))
    cov = np.cov(complete, rowvar=False) if len(complete) > 1 else np.zeros((features.shape[1],) * 2)
    return PristineModel(mu, cov)


def fit_pristine_model(images: Iterable[np.ndarray], sharpness_fraction: float = SHARPNESS_FRACTION) -> PristineModel:
    """Pristine photos (each as :func:`niqe` takes them) → (mu (36,), cov (36, 36)).

    From each image only the blocks whose sharpness exceeds ``sharpness_fraction`` of that image's
    sharpest block are kept (the paper's selection of in-focus patches); the model is the mean and
    covariance of all kept blocks' features.
    """
    kept = []
    for image in images:
        features, sharpness = niqe_features(image)
        kept.append(features[sharpness > sharpness_fraction * sharpness.max()])
    if not kept:
        raise ValueError("fit_pristine_model needs at least one image")
    features = np.concatenate(kept)
    if np.sum(np.all(np.isfinite(features), axis=1)) <= FEATURE_COUNT:
        raise ValueError(f"only {len(features)} usable blocks: a pristine model needs more than {FEATURE_COUNT}")
    return _gaussian_of(features)


def default_model_path() -> Path:
    """The shipped pristine model (published parameters, see ``models/niqe_pristine.md``)."""
    from ..resources import models_dir

    return models_dir() / MODEL_FILE


def save_pristine_model(model: PristineModel, path: Path, metadata: dict[str, str] | None = None) -> None:
    """Write ``mu`` (36,) and ``cov`` (36, 36) as float64 safetensors, with string metadata."""
    from safetensors.numpy import save_file

    mu, cov = (np.ascontiguousarray(a, dtype=np.float64) for a in model)
    save_file({"mu": mu, "cov": cov}, str(path), metadata=metadata)


@lru_cache(maxsize=4)
def _load_cached(path: str) -> PristineModel:
    from safetensors.numpy import load_file

    tensors = load_file(path)
    mu, cov = tensors["mu"].astype(np.float64), tensors["cov"].astype(np.float64)
    if mu.shape != (FEATURE_COUNT,) or cov.shape != (FEATURE_COUNT, FEATURE_COUNT):
        raise ValueError(f"{path}: expected mu (36,) and cov (36, 36), got {mu.shape} and {cov.shape}")
    mu.setflags(write=False)
    cov.setflags(write=False)
    return PristineModel(mu, cov)


def load_pristine_model(path: Path | None = None) -> PristineModel:
    """Read a pristine model written by :func:`save_pristine_model` (default: the shipped one)."""
    return _load_cached(str(Path(path) if path is not None else default_model_path()))


def niqe_from_features(features: np.ndarray, model: PristineModel) -> float:
    """(n_blocks, 36) features of one image → NIQE against ``model`` (unitless, lower = more natural)."""
    mu, cov = _gaussian_of(features)
    if not np.all(np.isfinite(mu)):
        raise ValueError("NIQE is undefined for this image: some feature is undefined in every block (flat image?)")
    difference = np.asarray(model.mu) - mu
    pooled = (np.asarray(model.cov) + cov) / 2.0
    return float(np.sqrt(max(difference @ np.linalg.pinv(pooled) @ difference, 0.0)))


def niqe(image: np.ndarray, model: PristineModel | tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """NIQE of one image; lower means more natural.

    ``image``: (H, W) grey or (H, W, 3) RGB, uint8 or float on [0, 255], at least 96×96 pixels (only
    whole 96×96 blocks from the top-left count). ``model``: (mu (36,), cov (36, 36)); by default the
    published pristine model shipped with the application. Raises ValueError for a too-small image
    or one without texture (e.g. constant).
    """
    pristine = PristineModel(*model) if model is not None else load_pristine_model()
    features, _ = niqe_features(image)
    return niqe_from_features(features, pristine)
