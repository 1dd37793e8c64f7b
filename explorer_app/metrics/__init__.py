"""Image quality figures for evaluating the decoders offline.

- :func:`niqe`: the no-reference NIQE score (Mittal, Soundararajan & Bovik, IEEE SPL 2013); lower is
  more natural. Used to show that the explorable (GAN-trained) decoder looks more natural than the
  faithful (L1-trained) one, as the paper does.
- :func:`ssim` and :func:`psnr`: full-reference fidelity to the ground truth.

Everything here is numpy/scipy/OpenCV on the CPU and needs no network or GPU. Note that the package
attribute ``niqe`` is the function: reach the module's helpers with
``from explorer_app.metrics.niqe import ...``.
"""

from __future__ import annotations

from .niqe import (
    PristineModel,
    fit_pristine_model,
    load_pristine_model,
    niqe,
    niqe_features,
    save_pristine_model,
)
from .ssim import psnr, ssim

__all__ = [
    "PristineModel",
    "fit_pristine_model",
    "load_pristine_model",
    "niqe",
    "niqe_features",
    "psnr",
    "save_pristine_model",
    "ssim",
]
