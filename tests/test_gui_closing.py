"""Closing the window whatever runs: the process exits 0, nothing is lost.

The first test runs the application in a child process, as a user does: an edit, then close while a job
step runs that ends only once close() has returned. A close that waited for the job (superqt's wait used to
give up after 5 s and raise inside closeEvent: SIGABRT, exit 134) never lets that step end.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtWidgets import QMessageBox

from explorer_app.engine.optimize import Budget
from explorer_app.gui.settings import Settings
from explorer_app.gui.window.main_window import MainWindow

from gui_driver import press_apply, select_rectangle, tiny_model, wait_idle, write_photo

CHILD = textwrap.dedent("""
    import os, sys, threading
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from PyQt6.QtCore import QRectF, QTimer
    from PyQt6.QtGui import QPainterPath
    from PyQt6.QtWidgets import QApplication, QMessageBox
    from gui_driver import tiny_model
    from explorer_app.gui.jobs.runner import Progress
    from explorer_app.gui.settings import Settings
    from explorer_app.gui.window.main_window import MainWindow

    app = QApplication([])
    QMessageBox.question = lambda *a, **k: QMessageBox.StandardButton.Close
    settings = Settings(Path({folder!r}) / "settings.ini")
    settings.edit_steps = 2
    window = MainWindow(settings, model=tiny_model())
    window.show()

    entered, released = threading.Event(), threading.Event()

    def long_step(control):
        yield Progress(0, 1)
        # one step that does not look at cancel and ends only after close() has returned
        entered.set()
        if not released.wait(30):
            os._exit(4)  # close() waited for the running step
        yield Progress(1, 1)

    def when(condition, then):
        timer = QTimer(window)
        def check():
            if condition():
                timer.stop()
                then()
        timer.timeout.connect(check)
        timer.start(20)

    def edit():
        path = QPainterPath()
        path.addRect(QRectF(16, 16, 24, 24))
        window.region.add(path)
        window.tool_panels["Brightness"].apply()
        when(lambda: not window.jobs.busy and window.explorer.dirty, close_during_a_long_step)

    def close_during_a_long_step():
        window.jobs.start("A long step", long_step)
        when(entered.is_set, close_then_release)

    def close_then_release():
        window.close()  # returns at once: the window hides and closes when the step has ended
        waited = not (window.jobs.busy and not window.isVisible())
        released.set()
        if waited:
            app.exit(3)

    window.open_path(Path({photo!r}))
    when(lambda: window.opened is not None and not window.jobs.busy, edit)
    sys.exit(app.exec())
""")


@pytest.mark.slow
def test_closing_during_a_step_that_ignores_cancel_exits_0_and_leaves_an_autosave(tmp_path: Path, photo: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(tests=str(Path(__file__).parent), folder=str(tmp_path), photo=str(photo)))
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    saved = list((tmp_path / "autosave").glob("*.jxs"))
    assert len(saved) == 1, done.stderr[-2000:]
    from explorer_app.engine.session_file import read_facts

    assert read_facts(saved[0]).edits == 1 and read_facts(saved[0]).source_path == str(photo)


def test_the_next_start_offers_the_autosave_back(qtbot, tmp_path: Path, photo: Path, monkeypatch) -> None:
    """Closed during an edit: the finished edit is autosaved and comes back at the next start."""
    settings = Settings(tmp_path / "settings.ini")
    settings.edit_steps, settings.edit_hold = 3, 0.0
    window = MainWindow(settings, model=tiny_model())
    qtbot.addWidget(window)
    window.show()
    window.open_path(photo)
    wait_idle(qtbot, window)
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Brightness")
    edited = window.images["current"].copy()
    monkeypatch.setattr(window.explorer, "budget", lambda: Budget(steps=100_000, patience=0))
    window.tool_panels["Variance"].apply()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Close)
    window.close()
    assert not window.isVisible()  # the window goes at once; the process waits for the step to end
    qtbot.waitUntil(lambda: not window.jobs.busy and window.writer.pending == 0, timeout=10_000)
    assert len(list((tmp_path / "autosave").glob("*.jxs"))) == 1

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    restarted = MainWindow(Settings(tmp_path / "settings.ini"), model=tiny_model())
    qtbot.addWidget(restarted)
    restarted.sessions.offer_autosaves()
    wait_idle(qtbot, restarted)
    assert restarted.explorer.session.history.position == 1
    assert np.array_equal(restarted.images["current"], edited)
    restarted.jobs.shutdown()


def test_closing_while_opening_a_file_just_stops(qtbot, tmp_path: Path) -> None:
    """Nothing edited yet: no question, no autosave; the decode stops at its next convolution."""
    window = MainWindow(Settings(tmp_path / "settings.ini"), model=tiny_model())
    qtbot.addWidget(window)
    window.show()
    window.open_path(write_photo(tmp_path / "big.jpg", size=(640, 480)))
    qtbot.waitUntil(lambda: window.canvas.image_size() == (640, 480))  # libjpeg's decode on screen
    window.close()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=10_000)
    assert not window.isVisible() and not (tmp_path / "autosave").exists()


def edited_window(qtbot, settings: Settings, photo: Path) -> MainWindow:
    """A window on ``photo`` with one committed brightness edit, not saved."""
    settings.edit_steps, settings.edit_hold = 3, 0.0
    window = MainWindow(settings, model=tiny_model())
    qtbot.addWidget(window)
    window.show()
    window.open_path(photo)
    wait_idle(qtbot, window)
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Brightness")
    return window


def offered_at_restart(qtbot, tmp_path: Path, monkeypatch) -> tuple[str, MainWindow]:
    """Start again on the same settings, say Yes to the autosave offer: (its question, the window)."""
    asked: list[str] = []

    def answer(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    restarted = MainWindow(Settings(tmp_path / "settings.ini"), model=tiny_model())
    qtbot.addWidget(restarted)
    restarted.sessions.offer_autosaves()
    wait_idle(qtbot, restarted)
    assert len(asked) == 1 and restarted.explorer.session.history.position == 1
    return asked[0], restarted


def test_an_autosave_kept_on_a_deliberate_close_is_offered_in_those_words(
    qtbot, tmp_path: Path, photo: Path, monkeypatch
) -> None:
    window = edited_window(qtbot, Settings(tmp_path / "settings.ini"), photo)
    monkeypatch.setattr(window.explorer, "budget", lambda: Budget(steps=100_000, patience=0))
    window.tool_panels["Variance"].apply()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Close)
    window.close()
    qtbot.waitUntil(lambda: not window.jobs.busy and window.writer.pending == 0, timeout=10_000)
    question, restarted = offered_at_restart(qtbot, tmp_path, monkeypatch)
    assert "not closed normally" not in question
    assert question == (
        f"You closed JPEG Explorer while a computation was running; your unsaved exploration of {photo.name} "
        "was kept. Reopen it?"
    )
    status = restarted.status.message.text()
    assert status == f"Autosaved exploration of {photo.name} restored"
    restarted.jobs.shutdown()


def test_an_autosave_left_by_a_crash_is_offered_as_such(qtbot, tmp_path: Path, photo: Path, monkeypatch) -> None:
    window = edited_window(qtbot, Settings(tmp_path / "settings.ini"), photo)
    window.sessions.autosave_now()  # what the autosave timer does; then the process dies without closing
    qtbot.waitUntil(lambda: window.writer.pending == 0, timeout=10_000)
    window.jobs.shutdown()
    question, restarted = offered_at_restart(qtbot, tmp_path, monkeypatch)
    assert question == (
        f"JPEG Explorer ended without closing (it crashed or was stopped) while exploring {photo.name}; "
        "its autosaved exploration was kept. Reopen it?"
    )
    assert restarted.status.message.text() == f"Autosaved exploration of {photo.name} restored"
    restarted.jobs.shutdown()
