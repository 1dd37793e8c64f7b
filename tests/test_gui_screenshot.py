"""``gui --screenshot`` never fails silently. A destination that cannot be written (a missing
folder, a read-only one, an unknown image type, a folder, the input under any name) is one stderr line and
exit 2 with no file; a screenshot is written atomically."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from explorer_app.cli import output_set
from explorer_app.cli.main import main


def _one_error_line(capfd, words: str) -> str:
    _, err = capfd.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jpeg-explorer: error: "), err
    assert words.lower() in lines[0].lower() and "Traceback" not in err
    return lines[0]


@pytest.fixture
def no_qt(monkeypatch):
    """Refusals happen before Qt starts: the window must not be built."""
    from explorer_app.gui.window import app

    monkeypatch.setattr(app, "run_gui", lambda *a, **k: pytest.fail("the window was started"))


@pytest.mark.parametrize(
    "name, words",
    [
        ("missing/shot.png", "no such folder"),
        ("shot.txt", "unknown image type"),
        ("shot", "unknown image type"),
        ("folder.png", "is a folder"),
        ("", "no file name"),
    ],
)
def test_an_unusable_destination_is_one_line_and_exit_2(tmp_path, photo, capfd, no_qt, name, words):
    (tmp_path / "folder.png").mkdir()
    target = str(tmp_path / name) if name else ""
    before = sorted(tmp_path.rglob("*"))
    assert main(["gui", str(photo), "--screenshot", target]) == 2
    _one_error_line(capfd, words)
    assert sorted(tmp_path.rglob("*")) == before


def test_a_read_only_folder_is_refused_before_qt_starts(tmp_path, photo, capfd, no_qt, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(output_set.tempfile, "mkstemp", read_only)
    assert main(["gui", str(photo), "--screenshot", str(tmp_path / "shot.png")]) == 2
    _one_error_line(capfd, "Read-only file system")
    assert not (tmp_path / "shot.png").exists()


@pytest.mark.parametrize("link", ["same name", "hard link", "symlink", "dot-dot path"])
def test_the_input_is_never_the_screenshot_under_any_name(tmp_path, photo, capfd, no_qt, link):
    before = photo.read_bytes()
    target = {
        "same name": photo,
        "hard link": tmp_path / "shot.jpg",
        "symlink": tmp_path / "link.png",
        "dot-dot path": tmp_path / "sub" / ".." / photo.name,
    }[link]
    if link == "hard link":
        target.hardlink_to(photo)
    elif link == "symlink":
        target.symlink_to(photo)
    elif link == "dot-dot path":
        (tmp_path / "sub").mkdir()
    assert main(["gui", str(photo), "--screenshot", str(target)]) == 2
    _one_error_line(capfd, "refusing to overwrite")
    assert photo.read_bytes() == before and Path(target).read_bytes() == before


def test_a_failed_write_leaves_no_file(tmp_path, photo, capfd, models_folder, monkeypatch):
    from explorer_app.gui.window import app

    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(app, "atomic_write_bytes", full)
    assert main(["gui", str(photo), "--screenshot", str(tmp_path / "shot.png")]) == 2
    _one_error_line(capfd, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == [photo.name]


def test_a_file_the_window_cannot_open_is_one_line_and_no_dialog(tmp_path, photo, capfd, models_folder, monkeypatch):
    from explorer_app.gui.jobs import opening as loading

    def broken(path):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(loading, "plain_decode", broken)
    assert main(["gui", str(photo), "--screenshot", str(tmp_path / "shot.png")]) == 2
    _one_error_line(capfd, "Input/output error")
    assert not (tmp_path / "shot.png").exists()


def test_a_screenshot_replaces_an_old_one_atomically_and_says_nothing(tmp_path, photo, models_folder):
    """In a process of its own, as a user runs it: Qt's offscreen platform warns on stderr
    ("This plugin does not support propagateSizeHints()") unless the command keeps stderr to itself."""
    out = tmp_path / "shot.png"
    out.write_bytes(b"old")
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    environment.pop("QT_QPA_PLATFORM", None)  # the command chooses offscreen itself
    result = subprocess.run(
        [sys.executable, "-m", "explorer_app.cli.main", "gui", str(photo), "--screenshot", str(out)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert (result.returncode, result.stderr) == (0, "")
    with Image.open(out) as shot:
        assert shot.format == "PNG" and shot.width > 600 and shot.height > 400
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([photo.name, "shot.png"])  # no partial file
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
