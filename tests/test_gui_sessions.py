"""Sessions: compact, saved and loaded in the background, opening their own JPEG
(found again by its SHA-256 when it moved)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtWidgets import QFileDialog, QMessageBox

from explorer_app.gui.settings import Settings
from explorer_app.gui.window.main_window import MainWindow

from gui_driver import press_apply, select_rectangle, tiny_model, unexpected_dialog, wait_idle, write_photo


@pytest.fixture
def saved(qtbot, explore: MainWindow, tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A session with one edit, saved as "work" (the name typed without .jxs); its current image."""
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Brightness")
    window.sessions.save_session(tmp_path / "work")
    assert window.writer.pending == 1  # written in the background: the window did not wait
    qtbot.waitUntil(lambda: window.writer.pending == 0)
    assert not window.explorer.dirty
    return tmp_path / "work.jxs", window.images["current"].copy()


def fresh_window(qtbot, tmp_path: Path, monkeypatch) -> MainWindow:
    monkeypatch.setattr(QMessageBox, "critical", unexpected_dialog)
    window = MainWindow(Settings(tmp_path / "fresh.ini"), model=tiny_model())
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_session_file_is_small_and_gets_its_suffix(
    qtbot,
    saved,
    explore: MainWindow,
    tmp_path: Path,
    monkeypatch,
) -> None:
    path, _ = saved
    assert path.exists() and not (path.parent / "work").exists()
    assert "Session saved to" in explore.status.message.text() and str(path) in explore.status.message.text()
    window = fresh_window(qtbot, tmp_path, monkeypatch)
    window.settings.edit_steps = 2
    window.open_path(write_photo(tmp_path / "larger.jpg", size=(640, 480)))
    wait_idle(qtbot, window)
    select_rectangle(window, 300, 200, 324, 224)
    press_apply(qtbot, window, "Brightness")
    window.sessions.save_session(tmp_path / "larger.jxs")
    qtbot.waitUntil(lambda: window.writer.pending == 0)
    state = window.explorer.session.state
    whole = sum(t.numel() * 4 for t in (state.z, state.delta_y, state.delta_c))
    assert (tmp_path / "larger.jxs").stat().st_size < 0.5 * whole  # at 12 MP: 4.5 MB instead of 121 MB
    window.jobs.shutdown()


def test_a_session_opens_its_own_jpeg(qtbot, saved, tmp_path: Path, monkeypatch) -> None:
    path, edited = saved
    window = fresh_window(qtbot, tmp_path, monkeypatch)
    assert window.sessions.open_session(path)
    wait_idle(qtbot, window)
    assert window.opened is not None and window.opened.path.name == "photo.jpg"
    assert np.array_equal(window.images["current"], edited)
    assert window.explorer.session.history.position == 1 and not window.explorer.dirty
    assert window.status.message.text() == "Session work.jxs reopened"
    window.jobs.shutdown()


def test_a_moved_jpeg_is_asked_for_and_checked(qtbot, saved, photo: Path, tmp_path: Path, monkeypatch) -> None:
    path, edited = saved
    moved = tmp_path / "elsewhere" / "renamed.jpg"
    moved.parent.mkdir()
    shutil.move(photo, moved)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warned.append(text))
    window = fresh_window(qtbot, tmp_path, monkeypatch)

    other = write_photo(tmp_path / "other.jpg", seed=5)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    assert not window.sessions.open_session(path)  # the wrong file: refused by its SHA-256
    assert "no longer at" in told[0] and "SHA-256 differs" in warned[0] and window.opened is None

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(moved), ""))
    assert window.sessions.open_session(path)
    wait_idle(qtbot, window)
    assert window.opened.path == moved and np.array_equal(window.images["current"], edited)
    window.jobs.shutdown()


def test_a_session_of_the_open_file_is_restored_without_decoding_it_again(
    qtbot,
    saved,
    photo: Path,
    tmp_path: Path,
    monkeypatch,
) -> None:
    path, edited = saved
    window = fresh_window(qtbot, tmp_path, monkeypatch)
    window.open_path(photo)
    wait_idle(qtbot, window)
    session = window.explorer.session
    decoded = []
    monkeypatch.setattr("explorer_app.gui.window.main_window.open_job", lambda *a: decoded.append(a))
    assert window.sessions.open_session(path)
    wait_idle(qtbot, window)
    assert not decoded and window.explorer.session is session
    assert np.array_equal(window.images["current"], edited) and session.history.position == 1
    window.jobs.shutdown()


@pytest.mark.parametrize("damage", ["nan-delta", "chroma-dropped", "position-past-end"])
def test_a_damaged_session_is_one_warning_and_leaves_the_open_file_as_it_was(
    qtbot,
    saved,
    explore: MainWindow,
    photo: Path,
    tmp_path: Path,
    monkeypatch,
    damage,
) -> None:
    """A damaged session file in the window: the session error's one line, and the file stays open, unedited."""
    from fuzz.sessions import befores_of, corrupted

    path, _ = saved
    damaged = tmp_path / "damaged.jxs"
    damaged.write_bytes(corrupted(path.read_bytes(), befores_of(explore.explorer.session), damage))
    window = fresh_window(qtbot, tmp_path, monkeypatch)
    window.open_path(photo)
    wait_idle(qtbot, window)
    session, shown = window.explorer.session, window.images["current"].copy()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    window.sessions.open_session(damaged)
    wait_idle(qtbot, window)
    assert len(warnings) == 1 and warnings[0].startswith(f"{damaged}: damaged session file")
    assert window.explorer.session is session and not session.history.entries and not session.touched.any()
    assert np.array_equal(window.images["current"], shown)
    window.jobs.shutdown()


def test_a_failed_autosave_after_saves_leaves_the_saved_state_alone(
    qtbot, saved, explore: MainWindow, tmp_path: Path
) -> None:
    """Each save's own failure handler is for that save only: two successful saves leave none behind,
    so an autosave that fails later neither marks the session unsaved nor finds stale handlers."""
    window = explore
    handlers = window.writer.receivers(window.writer.failed)
    window.sessions.save_session(tmp_path / "again.jxs")
    qtbot.waitUntil(lambda: window.writer.pending == 0)
    assert window.writer.receivers(window.writer.failed) == handlers
    select_rectangle(window, 20, 20, 36, 36)
    press_apply(qtbot, window, "Brightness")
    assert window.explorer.dirty
    generation, saved_generation = window.explorer.generation, window.explorer.saved_generation
    blocker = window.settings.autosave_folder / f"{window.explorer.session.code.sha256}.jxs"
    blocker.mkdir(parents=True)  # a folder where the autosave goes: writing it fails
    with qtbot.waitSignal(window.writer.failed) as failure:
        window.sessions.autosave_now()
    assert failure.args[0] == blocker
    qtbot.waitUntil(lambda: window.writer.pending == 0)
    assert (window.explorer.generation, window.explorer.saved_generation) == (generation, saved_generation)
    assert window.writer.receivers(window.writer.failed) == handlers
    assert "Could not save" in window.status.message.text()
    blocker.rmdir()
