"""Exploring with the window like a user: tools through the worker, live preview, cancel, undo/redo,
digit hypotheses, alternatives, scribbles, export of an edit, sessions saved, reopened and autosaved."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFileDialog, QMessageBox

from explorer_app.engine.optimize import Budget
from explorer_app.gui.jobs import explorer as explorer_module
from explorer_app.gui.jobs.edits import edit_job
from explorer_app.gui.settings import Settings
from explorer_app.gui.window.main_window import MainWindow

from gui_driver import drag, press_apply, select_rectangle, shown_pixels, wait_idle


def test_brightness_edit_then_undo_and_redo(qtbot, explore: MainWindow) -> None:
    window = explore
    before = window.images["current"].copy()
    select_rectangle(window, 16, 16, 40, 40)
    window.tool_panels["Brightness"].controls["amount"].setValue(60)
    press_apply(qtbot, window, "Brightness")
    history = window.explorer.session.history
    assert history.position == 1 and history.records()[0]["tool"] == "Brightness"
    edited = window.images["current"].copy()
    inside = (slice(16, 40), slice(16, 40))
    assert edited[inside].astype(float).mean() > before[inside].astype(float).mean()
    assert window.history_panel.list.count() == 2
    assert window.status.consistency.text().startswith("✔")
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.jobs.busy  # undo re-renders in the background: the window stays responsive
    wait_idle(qtbot, window)
    assert history.position == 0
    assert np.array_equal(window.images["current"], before)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # nothing left to undo
    assert not window.jobs.busy and history.position == 0
    window.commands["redo"].trigger()
    wait_idle(qtbot, window)
    assert np.array_equal(window.images["current"], edited)
    window.history_panel.list.itemClicked.emit(window.history_panel.list.item(0))
    wait_idle(qtbot, window)
    assert np.array_equal(window.images["current"], before)


def test_cancel_stops_a_running_optimization_at_its_next_step(qtbot, explore: MainWindow, monkeypatch) -> None:
    """Once cancel is asked, at most the step already running finishes: none starts after it, nothing is
    committed. (How long a step takes is benchmarks/latency.py's business.)"""
    window = explore
    before = window.images["current"].copy()
    monkeypatch.setattr(window.explorer, "budget", lambda: Budget(steps=100_000, patience=0))
    after_cancel: list[int] = []

    def counted(control, *args):
        """The edit job, noting each optimizer step it finishes once cancel was asked."""
        steps = edit_job(control, *args)
        try:
            while True:
                step = next(steps)
                if control.cancelled():
                    after_cancel.append(step.done)
                yield step
        except StopIteration as stop:
            return stop.value
        finally:
            steps.close()

    monkeypatch.setattr(explorer_module, "edit_job", counted)
    select_rectangle(window, 8, 8, 64, 48)
    assert shown_pixels(window) == before.tobytes()
    window.tool_panels["Variance"].apply_button.click()
    qtbot.waitUntil(lambda: window.status.progress.value() >= 2, timeout=30_000)
    qtbot.waitUntil(lambda: shown_pixels(window) != before.tobytes(), timeout=10_000)  # live preview
    assert window.status.cancel.isVisible() and window.commands["cancel"].isEnabled()
    with qtbot.waitSignal(window.jobs.cancelled, timeout=30_000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.jobs.busy)
    assert len(after_cancel) <= 1  # the step under way when cancel came; no later one
    assert window.explorer.session.history.position == 0
    assert np.array_equal(window.images["current"], before)
    assert not window.status.cancel.isVisible()
    assert window.commands["open"].isEnabled()


def test_digit_hypotheses_ten_ranked_buttons_click_and_keep(qtbot, explore: MainWindow) -> None:
    window = explore
    select_rectangle(window, 24, 16, 48, 40)
    press_apply(qtbot, window, "Digits / letters")
    gallery = window.tool_panels["Digits / letters"].gallery
    assert len(gallery.buttons) == 10
    scores = [c.score for c in gallery.candidates]
    assert scores == sorted(scores, reverse=True)
    assert sorted(c.label for c in gallery.candidates) == [str(d) for d in range(10)]
    before = shown_pixels(window)
    qtbot.mouseClick(gallery.buttons[3], Qt.MouseButton.LeftButton)
    chosen = gallery.candidates[3]
    assert gallery.chosen is chosen
    assert shown_pixels(window) != before  # the candidate is on screen, over the current image
    assert window.explorer.session.history.position == 0
    shown = np.frombuffer(shown_pixels(window), np.uint8).astype(int)
    qtbot.mouseClick(gallery.keep_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    record = window.explorer.session.history.records()[0]
    assert record["candidate"] == chosen.index
    assert record["kept"]["label"] == chosen.label and record["kept"]["score"] == round(chosen.score, 4)
    assert np.abs(window.images["current"].astype(int).ravel() - shown).max() <= 1  # what was shown was kept
    assert shown_pixels(window) == window.images["current"].tobytes()
    assert not gallery.buttons


def test_alternatives_gallery_and_discard(qtbot, explore: MainWindow) -> None:
    window = explore
    before = window.images["current"].copy()
    select_rectangle(window, 8, 8, 32, 32)
    window.tool_panels["Alternatives"].controls["count"].setValue(3)
    press_apply(qtbot, window, "Alternatives")
    gallery = window.tool_panels["Alternatives"].gallery
    assert len(gallery.buttons) == 3
    gallery.buttons[1].click()
    gallery.discard_button.click()
    assert np.array_equal(window.images["current"], before) and window.explorer.session.history.position == 0


def test_scribble_drawn_with_the_mouse(qtbot, explore: MainWindow) -> None:
    window = explore
    panel = window.tool_panels["Scribble"]
    panel.start_drawing()
    drag(window, [(10, 10), (20, 14), (30, 20), (40, 22)])
    assert len(panel.strokes) == 1 and len(panel.strokes[0].points) == 4
    press_apply(qtbot, window, "Scribble")
    assert window.explorer.session.history.records()[0]["tool"] == "Scribble"


def test_export_after_an_edit_is_verified_and_reports_the_history(qtbot, explore: MainWindow, tmp_path: Path):
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Smooth (TV)")
    window.export_to(tmp_path / "edited.png", 16)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.export_result is not None)
    assert window.export_result.badge.text() == "VERIFIED"
    report = json.loads((tmp_path / "edited.png.json").read_text())
    assert report["verified"] and [h["tool"] for h in report["history"]] == ["TotalVariation"]


def test_save_and_reopen_a_session_exactly(qtbot, explore: MainWindow, tmp_path: Path, photo: Path) -> None:
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Hue / saturation")
    edited = window.images["current"].copy()
    window.sessions.save_session(tmp_path / "work")  # typed without .jxs: it gets it
    qtbot.waitUntil(lambda: window.writer.pending == 0)
    assert (tmp_path / "work.jxs").exists() and "Session saved" in window.status.message.text()
    window.explorer.undo()
    wait_idle(qtbot, window)
    window.open_path(photo)
    wait_idle(qtbot, window)
    assert window.explorer.session.history.position == 0
    assert window.sessions.open_session(tmp_path / "work.jxs")
    wait_idle(qtbot, window)
    assert np.array_equal(window.images["current"], edited)
    assert window.explorer.session.history.position == 1


def test_crash_autosave_is_offered_back(qtbot, explore: MainWindow, tmp_path: Path, monkeypatch) -> None:
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Brightness")
    edited = window.images["current"].copy()
    window.sessions.autosave_now()
    qtbot.waitUntil(lambda: window.writer.pending == 0)
    # a crash: the window never closes normally; a new one starts with the same settings
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    restarted = MainWindow(Settings(tmp_path / "settings.ini"), model=window.model)
    qtbot.addWidget(restarted)
    restarted.sessions.offer_autosaves()
    wait_idle(qtbot, restarted)
    assert restarted.explorer.session.history.position == 1
    assert np.array_equal(restarted.images["current"], edited)
    restarted.close()
    assert not list((tmp_path / "autosave").glob("*.jxs"))


def test_autosave_waits_for_a_running_edit(qtbot, explore: MainWindow, tmp_path: Path, monkeypatch) -> None:
    """The worker may be changing the session: the autosave is written once the job is over, not during it."""
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Brightness")
    window.settings.autosave_seconds = 0
    monkeypatch.setattr(window.explorer, "budget", lambda: Budget(steps=100_000, patience=0))
    window.tool_panels["Variance"].apply_button.click()
    assert window.jobs.busy
    window.sessions.autosave_now()
    assert not list((tmp_path / "autosave").glob("*.jxs"))
    assert window.sessions.autosave_timer.isActive()
    window.jobs.cancel()
    qtbot.waitUntil(lambda: list((tmp_path / "autosave").glob("*.jxs")) != [], timeout=5000)


def test_ambiguity_map_overlay(qtbot, explore: MainWindow) -> None:
    window = explore
    window.commands["ambiguity"].trigger()
    wait_idle(qtbot, window)
    assert window.canvas.overlay.isVisible() and window.canvas.overlay.map.width() == 72


def test_the_canvas_shows_the_current_image(explore: MainWindow) -> None:
    shown = np.frombuffer(shown_pixels(explore), np.uint8).reshape(explore.images["current"].shape)
    assert np.abs(shown.astype(int) - explore.images["current"]).max() <= 1


def test_closing_with_unsaved_edits_asks(qtbot, explore: MainWindow, tmp_path: Path, monkeypatch) -> None:
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Smooth (TV)")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert not window.close() and window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "kept.jxs"), ""))
    window.close()  # the session is written in the background: the window closes once it is on disk
    qtbot.waitUntil(lambda: not window.isVisible() and window.writer.pending == 0)
    assert (tmp_path / "kept.jxs").exists()


def test_imprint_is_placed_moved_scaled_and_rotated_with_the_mouse_then_applied(qtbot, explore: MainWindow) -> None:
    window = explore
    panel = window.toolbox.show_panel("Imprint")
    select_rectangle(window, 4, 4, 20, 16)
    panel.copy_selection()
    assert panel.picture.shape[:2] == (12, 16) and window.region.is_empty()
    window.canvas.zoom_by(4.0)

    qtbot.mouseClick(panel.place_button, Qt.MouseButton.LeftButton)
    drag(window, [(30, 24)])  # one click places the picture's centre
    gizmo = panel.preview
    assert gizmo.isVisible() and window.commands["pan"].isChecked()
    assert abs(panel.position[0] - 30) <= 0.25 and abs(panel.position[1] - 24) <= 0.25  # screen-pixel rounding

    drag(window, [(30, 24), (36, 28), (40, 30)])  # drag the picture itself
    assert abs(panel.position[0] - 40) <= 0.5 and abs(panel.position[1] - 30) <= 0.5

    corner = gizmo.mapToScene(gizmo.scale_grip.pos())
    drag(window, [(corner.x(), corner.y()), (40 + 16, 30 + 12)])  # twice the half-diagonal: scale 2
    assert abs(panel.scale.value() - 2.0) <= 0.1

    above = gizmo.mapToScene(gizmo.rotate_grip.pos())
    drag(window, [(above.x(), above.y()), (40 + 20, 30)])  # grip moved to the right of the centre
    assert abs(panel.angle.value() + 90) <= 2  # a quarter turn clockwise = −90° anticlockwise
    assert abs(gizmo.rotation() - 90) <= 2

    press_apply(qtbot, window, "Imprint")
    record = window.explorer.session.history.records()[0]
    assert record["tool"] == "Imprint"
    x, y = record["parameters"]["position"]
    assert abs(x - 40) <= 0.5 and abs(y - 30) <= 0.5
    assert abs(record["parameters"]["scale"] - 2.0) <= 0.1 and abs(record["parameters"]["angle"] + 90) <= 2
