"""What a user's install gets: ``pip install .`` (not editable) into a fresh virtual environment, then the
installed command decodes and verifies the installed example from another directory, with models found inside
the venv.

The wheel is built from a copy of the sources (the checkout stays clean) without build isolation when
setuptools and wheel are at hand (no download), and installed with ``--no-deps``; the venv sees the running
environment's site-packages through a .pth file, so torch and Qt are not installed again. A .pth line only
adds a path (its own .pth files, e.g. an editable install of this project, are not run), and the venv's
site-packages come first, so ``explorer_app`` is the installed wheel."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "explorer_app", "models", "assets")


def _run(args: list, cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def _can_build_offline() -> bool:
    """setuptools (as pyproject.toml's build-system asks) and wheel already here: no build isolation needed."""
    try:
        return int(version("setuptools").split(".")[0]) >= 68 and bool(version("wheel"))
    except PackageNotFoundError:
        return False


def _build_wheel(tmp: Path) -> Path:
    source = tmp / "src"
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, source / name)
    offline = ["--no-build-isolation"] if _can_build_offline() else []
    _run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", *offline, "-w", tmp / "dist"], source)
    (wheel,) = (tmp / "dist").glob("jpeg_explorer-*.whl")
    return wheel


def _venv_with_current_packages(target: Path) -> tuple[Path, Path]:
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    purelib = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], target).stdout.strip()
    )
    (purelib / "_current_env.pth").write_text("".join(f"{p}\n" for p in site.getsitepackages()))
    return python, purelib


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A wheel built from a copy of the sources, installed into a fresh venv (about 15 s)."""
    tmp = tmp_path_factory.mktemp("install")
    wheel = _build_wheel(tmp)
    python, purelib = _venv_with_current_packages(tmp / "venv")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel], tmp)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JPEG_EXPLORER_MODELS")}
    return python, purelib, env, tmp


@pytest.mark.slow
def test_installed_package_uses_its_own_models_and_assets(installed):
    python, purelib, env, tmp = installed
    code = "from explorer_app import resources as r; print(r.models_dir()); print(r.example_jpeg()); print(r.__file__)"
    lines = _run([python, "-c", code], tmp, env).stdout.split()
    for line in lines:
        assert Path(line).is_relative_to(purelib / "explorer_app"), line
        assert not Path(line).is_relative_to(ROOT), line
    assert (Path(lines[0]) / "faithful-lite.safetensors").is_file()


@pytest.mark.slow
def test_installed_command_decodes_and_verifies_from_another_directory(installed):
    python, purelib, env, tmp = installed
    work = tmp / "elsewhere"
    work.mkdir()
    command = python.parent / "jpeg-explorer"
    example = purelib / "explorer_app" / "assets" / "examples" / "example.jpg"
    _run([command, "decode", example, "-o", "out.png", "--size", "lite", "--device", "cpu"], work, env)
    assert (work / "out.png").is_file() and (work / "out.png.json").is_file()
    _run([command, "verify", "out.png", example], work, env)


def test_desktop_files_agree_on_the_application_id():
    import configparser
    import xml.etree.ElementTree as ET

    folder = ROOT / "packaging"
    app_id = "io.github.jpeg_explorer.JpegExplorer"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(folder / f"{app_id}.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Icon"] == app_id
    assert desktop["Exec"].split()[0] == "jpeg-explorer"
    component = ET.parse(folder / f"{app_id}.metainfo.xml").getroot()
    assert component.findtext("id") == app_id
    assert component.findtext("launchable") == f"{app_id}.desktop"
    assert ET.parse(folder / f"{app_id}.svg").getroot().tag.endswith("svg")
