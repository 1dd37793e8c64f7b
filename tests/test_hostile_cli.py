"""Hostile input at the command line: digits never writes over its input and never leaves a partial set; whatever
goes wrong, stderr holds one line, ours, and there is no traceback."""

from __future__ import annotations

import argparse
import os
import warnings

import pytest

from explorer_app.cli import digits_command
from explorer_app.cli import main as main_module
from explorer_app.cli.main import main
from explorer_app.engine.session import Session

from conftest import quick_digits_command, write_picture


@pytest.fixture
def quick_digits(monkeypatch):
    quick_digits_command(monkeypatch)


def _one_error_line(capfd, words: str) -> str:
    _, err = capfd.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jpeg-explorer: error: "), err
    assert words.lower() in lines[0].lower() and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("link", ["hard link", "symlink", "same name"])
def test_digits_refuses_to_write_over_its_input_under_any_name(tmp_path, quick_digits, capfd, link):
    folder = tmp_path / "D"
    folder.mkdir()
    jpeg = write_picture(tmp_path / "clock.jpg")
    before = jpeg.read_bytes()
    if link == "same name":  # the JPEG itself is D/7.png.json, the report digits would write for 7
        source = jpeg.rename(folder / "7.png.json")
    else:
        source = folder / "7.png.json"
        source.hardlink_to(jpeg) if link == "hard link" else source.symlink_to(jpeg)
    assert main(["digits", str(source), "--box", "48,32,24,32", "-o", str(folder)]) == 2
    _one_error_line(capfd, "refusing to overwrite")
    assert source.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["7.png.json"]


def test_digits_on_a_full_disk_leaves_no_partial_set(tmp_path, quick_digits, capfd, monkeypatch):
    jpeg = write_picture(tmp_path / "clock.jpg")
    real_export, calls = Session.export, []

    def export_until_full(self, path, *args, **kwargs):
        calls.append(path)
        if len(calls) > 3:
            raise OSError(28, "No space left on device")
        return real_export(self, path, *args, **kwargs)

    monkeypatch.setattr(Session, "export", export_until_full)
    assert main(["digits", str(jpeg), "--box", "48,32,24,32", "-o", str(tmp_path / "out")]) == 1
    _one_error_line(capfd, "No space left on device")
    assert len(calls) == 4 and not (tmp_path / "out").exists()  # three pairs were written, then removed


def test_digits_into_a_folder_it_cannot_write_fails_at_once(tmp_path, quick_digits, capfd, monkeypatch):
    jpeg = write_picture(tmp_path / "clock.jpg")
    out = tmp_path / "readonly"
    out.mkdir()

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(digits_command, "glyph_hypotheses", lambda *a: pytest.fail("the long work ran"))
    monkeypatch.setattr("tempfile.mkstemp", read_only)
    assert main(["digits", str(jpeg), "--box", "48,32,24,32", "-o", str(out)]) == 2
    _one_error_line(capfd, "Read-only file system")
    assert list(out.iterdir()) == []


def _command_that(behaviour):
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        pass

    return ("oops", "a command that misbehaves", add_arguments, lambda args: behaviour())


def test_an_unexpected_exception_is_one_line_and_exit_3(monkeypatch, capfd):
    def broken():
        raise KeyError("state.z")

    monkeypatch.setattr(main_module, "COMMANDS", [*main_module.COMMANDS, _command_that(broken)])
    assert main(["oops"]) == 3
    line = _one_error_line(capfd, "internal error")
    assert "KeyError" in line and "state.z" in line


def test_python_warnings_never_reach_stderr(monkeypatch, capfd):
    def warns():
        warnings.warn("Corrupt EXIF data", UserWarning, stacklevel=2)
        return 0

    monkeypatch.setattr(main_module, "COMMANDS", [*main_module.COMMANDS, _command_that(warns)])
    assert main(["oops"]) == 0
    assert capfd.readouterr().err == ""


def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path, capfd):
    name = tmp_path / "two\nlines.jpg"
    assert main(["verify", str(tmp_path / "x.png"), str(name)]) == 2
    _one_error_line(capfd, "no such file")


def test_the_memory_corrupting_file_is_read_by_every_command(tmp_path, capfd, models_folder):
    """COM with content, then an empty COM: SIGSEGV or SIGABRT inside jpeglib in every command before."""
    from fuzz.hostile import HOSTILE

    path = next(h for h in HOSTILE if h.name == "com-then-empty-com").build(tmp_path)
    assert main(["decode", str(path), "-o", str(tmp_path / "out.png"), "--device", "cpu"]) == 0
    assert main(["verify", str(tmp_path / "out.png"), str(path)]) == 0
    assert capfd.readouterr().err == "" and os.path.exists(tmp_path / "out.png.json")
