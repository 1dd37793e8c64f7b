"""Where the shipped models and assets live: inside the installed package, or the source checkout."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[1]


def _folder(package: str, fallback: str) -> Path:
    """The data package ``package`` of an installed wheel (a regular package that setup.py writes at build
    time), else the source checkout's ``fallback`` folder (checkout on PYTHONPATH, editable install)."""
    try:
        return Path(str(importlib.resources.files(package)))
    except ModuleNotFoundError:
        return _SOURCE_ROOT / fallback


MODELS_ENV = "JPEG_EXPLORER_MODELS"
"""Environment variable naming a folder to use instead of the shipped models (tests, users' own weights)."""


def models_dir() -> Path:
    """Folder of the shipped weights (safetensors) and their model cards, or ``$JPEG_EXPLORER_MODELS``."""
    override = os.environ.get(MODELS_ENV)
    if override:
        return Path(override)
    return shipped_models_dir()


def shipped_models_dir() -> Path:
    """Folder of the weights that ship with the application, ignoring ``$JPEG_EXPLORER_MODELS``."""
    return _folder("explorer_app.models", "models")


def assets_dir() -> Path:
    """Folder of icons and example JPEGs."""
    return _folder("explorer_app.assets", "assets")


def example_jpeg() -> Path:
    """The bundled example photo the README's first command opens."""
    return assets_dir() / "examples" / "example.jpg"
