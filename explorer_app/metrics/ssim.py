"""Full-reference fidelity: PSNR and SSIM (Wang, Bovik, Sheikh & Simoncelli, IEEE TIP 2004).

Images are (H, W) grey or (H, W, C) colour arrays, uint8 or float, on [0, data_range] (default 255).
SSIM uses the paper's 11×11 Gaussian window (σ = 1.5 px), K1 = 0.01, K2 = 0.03, evaluated only where
the window fits inside the image, and averages the SSIM maps of all channels.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SSIM_WINDOW = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03


def _as_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two images → float64 (H, W, C) arrays of the same shape (C = 1 for grey)."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"images differ in shape: {x.shape} and {y.shape}")
    if x.ndim == 2:
        return x[..., None], y[..., None]
    if x.ndim != 3:
        raise ValueError(f"expected (H, W) or (H, W, C) images, got shape {x.shape}")
    return x, y


def psnr(a: np.ndarray, b: np.ndarray, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in dB over all pixels and channels; inf for identical images."""
    x, y = _as_pair(a, b)
    mse = float(np.mean((x - y) ** 2))
    return math.inf if mse == 0.0 else 10.0 * math.log10(data_range**2 / mse)


def _gaussian_kernel(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> np.ndarray:
    """(size,) 1-D Gaussian weights summing to 1."""
    offsets = np.arange(size) - (size - 1) / 2.0
    kernel = np.exp(-(offsets**2) / (2.0 * sigma**2))
    return kernel / kernel.sum()


def _local_mean(plane: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """(H, W) float64 → (H − k + 1, W − k + 1) Gaussian-weighted mean where the window fits ('valid')."""
    smooth = cv2.sepFilter2D(plane, cv2.CV_64F, kernel, kernel, borderType=cv2.BORDER_CONSTANT)
    border = len(kernel) // 2
    return smooth[border : plane.shape[0] - border, border : plane.shape[1] - border]


def ssim_map(a: np.ndarray, b: np.ndarray, data_range: float = 255.0) -> np.ndarray:
    """(H, W[, C]) pair → (H − 10, W − 10, C) local SSIM values in [−1, 1]."""
    x, y = _as_pair(a, b)
    if min(x.shape[:2]) < SSIM_WINDOW:
        raise ValueError(f"SSIM needs images of at least {SSIM_WINDOW}×{SSIM_WINDOW} pixels, got {x.shape[:2]}")
    kernel = _gaussian_kernel()
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    maps = []
    for channel in range(x.shape[2]):
        p, q = np.ascontiguousarray(x[..., channel]), np.ascontiguousarray(y[..., channel])
        mu_p, mu_q = _local_mean(p, kernel), _local_mean(q, kernel)
        var_p = _local_mean(p * p, kernel) - mu_p**2
        var_q = _local_mean(q * q, kernel) - mu_q**2
        cov_pq = _local_mean(p * q, kernel) - mu_p * mu_q
        numerator = (2.0 * mu_p * mu_q + c1) * (2.0 * cov_pq + c2)
        denominator = (mu_p**2 + mu_q**2 + c1) * (var_p + var_q + c2)
        maps.append(numerator / denominator)
    return np.stack(maps, axis=-1)


def ssim(a: np.ndarray, b: np.ndarray, data_range: float = 255.0) -> float:
    """Mean SSIM of two (H, W) or (H, W, C) images on [0, data_range]; 1 for identical images."""
    return float(np.mean(ssim_map(a, b, data_range)))
