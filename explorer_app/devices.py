"""Choosing the torch device: the GPU when present (unless told otherwise), else the CPU."""

from __future__ import annotations

import torch


class DeviceError(ValueError):
    """The requested device cannot be used; one line for the user."""


def pick_device(choice: str = "auto") -> torch.device:
    """``auto`` → cuda if available else cpu; ``cpu``; ``cuda`` (refused when no GPU is present)."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise DeviceError("--device cuda was asked for, but no CUDA GPU is available")
    return torch.device(choice)
