"""The window driven like a user: open, look, select, compare, export; bad files refused politely.

Offscreen Qt, a tiny random decoder, small JPEGs (the fixtures: conftest.py; the hand: gui_driver.py).
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PyQt6.QtGui import QDropEvent, QImage
from PyQt6.QtWidgets import QMessageBox

from explorer_app.gui.settings import Settings
from explorer_app.gui.window.main_window import MainWindow

from gui_driver import drag, mouse, press_apply, select_rectangle, wait_idle, write_photo


def test_open_shows_the_file_and_its_facts(opened: MainWindow, photo: Path) -> None:
    window = opened
    assert window.images["plain"].shape == (56, 72, 3)
    assert window.canvas.image_size() == (72, 56)
    assert "72 × 56" in window.file_panel.fields["size"].text()
    assert window.file_panel.fields["sampling"].text() == "4:2:0"
    assert window.file_panel.fields["coding"].text() == "baseline"
    assert "IJG quality ≈ 20" in window.file_panel.fields["quality"].text()
    assert window.file_panel.table.item(0, 0).text() == str(int(window.opened.code.tables[0][0, 0]))
    assert window.status.consistency.text().startswith("✔")
    assert window.status.model.text() == "model: tiny-test"
    assert window.settings.recent_files[0] == str(photo.resolve())
    assert window.commands["export"].isEnabled()


def test_rectangle_drawn_with_the_mouse_becomes_the_region(opened: MainWindow) -> None:
    window = opened
    select_rectangle(window, 10, 8, 30, 24)
    mask = window.region.file_mask(1)
    assert mask.shape == (56, 72)
    ys, xs = np.nonzero(mask)
    assert abs(xs.min() - 10) <= 1 and abs(xs.max() - 29) <= 1
    assert abs(ys.min() - 8) <= 1 and abs(ys.max() - 23) <= 1
    assert "px selected" in window.region_panel.summary.text()
    window.commands["select_invert"].trigger()
    assert window.region.file_mask(1).sum() == 72 * 56 - mask.sum()
    window.commands["select_clear"].trigger()
    assert window.region.is_empty()


def test_brush_paints_the_region_and_the_eraser_takes_it_back(opened: MainWindow) -> None:
    window = opened
    window.region_panel.brush_size.setValue(10)
    window.commands["select_brush"].trigger()
    drag(window, [(10, 20), (30, 20), (50, 20)])
    mask = window.region.display_mask()
    ys, xs = np.nonzero(mask)
    assert abs(xs.min() - 5) <= 1 and abs(xs.max() - 55) <= 1  # round caps: radius 5 beyond each end
    assert abs(ys.min() - 15) <= 1 and abs(ys.max() - 25) <= 1
    assert abs(int(mask.sum()) - (40 * 10 + 78)) <= 25  # a 40×10 band plus two half discs of radius 5

    window.commands["select_erase"].trigger()
    drag(window, [(30, 5), (30, 35)])
    erased = window.region.display_mask()
    assert not erased[15:26, 26:35].any() and erased[20, 12] and erased[20, 48]

    window.commands["select_invert"].trigger()  # now the outside is selected: erasing deselects there too
    drag(window, [(60, 45), (65, 45)])
    assert not window.region.display_mask()[45, 62] and window.region.display_mask()[5, 5]
    assert not window.region.display_mask()[20, 12]  # brushed before the inversion: now outside
    window.commands["select_brush"].trigger()  # and painting selects, inverted or not
    drag(window, [(12, 20)])
    assert window.region.display_mask()[20, 12]


def test_polygon_and_freehand_selections(opened: MainWindow) -> None:
    window = opened
    window.commands["select_polygon"].trigger()
    for corner in [(5, 5), (40, 5), (40, 40)]:
        mouse(window, QEvent.Type.MouseButtonPress, corner)
        mouse(window, QEvent.Type.MouseButtonRelease, corner, Qt.MouseButton.NoButton)
    mouse(window, QEvent.Type.MouseButtonDblClick, (40, 40))
    triangle = window.region.display_mask()
    assert triangle[10, 35] and not triangle[35, 10]
    window.commands["select_clear"].trigger()
    window.commands["select_freehand"].trigger()
    drag(window, [(50, 10), (65, 10), (65, 30), (50, 30)])
    lasso = window.region.display_mask()
    assert lasso[20, 57] and not lasso[40, 20]


def test_region_follows_exif_orientation(qtbot, window: MainWindow, tmp_path: Path) -> None:
    """A rectangle drawn on the turned display lands on the right pixels of the file."""
    path = write_photo(tmp_path / "turned.jpg", orientation=6)
    window.open_path(path)
    wait_idle(qtbot, window)
    assert window.images["current"].shape[:2] == (72, 56)  # display is turned a quarter
    select_rectangle(window, 0, 0, 10, 20)
    mask = window.region.file_mask(6)
    assert mask.shape == (56, 72)
    # orientation 6 shows file column x as display row x, file row y as display column H-1-y
    assert mask[50, 5] and not mask[5, 5]


def test_corrupt_file_gets_a_dialog_and_the_session_stays(
    qtbot, opened: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    window = opened
    before = window.opened
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: messages.append(text))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(before.path.read_bytes()[:300])
    not_jpeg = tmp_path / "notes.jpg"
    not_jpeg.write_text("not an image")
    for path in (broken, not_jpeg):
        window.open_path(path)  # the file is read in the background: the window never waits for a disk
        wait_idle(qtbot, window)
    assert len(messages) == 2 and all("\n" not in m for m in messages)
    assert "broken.jpg" in messages[0] and "notes.jpg" in messages[1]
    assert window.opened is before and window.explorer.session is before.session
    assert window.windowTitle().endswith("photo.jpg")
    assert window.canvas.image_size() == (72, 56) and window.canvas.images.shown == "current"


def test_compare_sources_and_flicker(qtbot, opened: MainWindow) -> None:
    window = opened
    window.commands["show_plain"].trigger()
    assert window.view_panel.shown == "plain"
    shown = window.canvas.shown_image()
    assert shown.pixelColor(5, 5).red() == int(window.images["plain"][5, 5, 0])
    window.commands["show_current"].trigger()
    assert window.view_panel.shown == "current"
    window.view_panel.interval.setValue(150)
    window.commands["flicker"].trigger()
    seen = set()
    qtbot.waitUntil(lambda: seen.add(window.view_panel.shown) or len(seen) == 2, timeout=3000)
    assert seen == {"plain", "current"}
    window.commands["flicker"].trigger()
    assert window.view_panel.shown == "current"


def shown_color(window: MainWindow, image_xy: tuple[float, float]) -> tuple[int, int, int]:
    """The colour on screen (the canvas as rendered) at image pixel ``image_xy``."""
    point = window.canvas.mapFromScene(QPointF(*image_xy))
    color = window.canvas.viewport().grab().toImage().pixelColor(point.x(), point.y())
    return color.red(), color.green(), color.blue()


def test_split_view_shows_a_left_of_a_draggable_divider_and_b_right_of_it(qtbot, opened: MainWindow) -> None:
    window = opened
    black = QImage(window.canvas.shown_image().size(), QImage.Format.Format_RGB32)
    black.fill(0)
    window.canvas.set_source("plain", black)  # make A and B tell apart on screen
    window.canvas.zoom_actual_size()
    width = window.images["current"].shape[1]
    window.commands["split"].trigger()
    assert window.view_panel.shown == "current" and window.canvas.split.isVisible()
    assert [label.text() for label in window.canvas.split_labels] == ["A: libjpeg decode", "B: current image"]
    qtbot.waitUntil(lambda: shown_color(window, (width * 0.25, 20)) == (0, 0, 0), timeout=2000)
    right = tuple(int(v) for v in window.images["current"][20, int(width * 0.75)])
    assert max(abs(a - b) for a, b in zip(shown_color(window, (width * 0.75, 20)), right, strict=True)) <= 2

    window.commands["select_rectangle"].trigger()  # a drag elsewhere would draw a rectangle
    drag(window, [(window.canvas.split.divider_x(), 30), (width * 0.7, 40), (width * 0.9, 50)])
    assert abs(window.canvas.split.divider_x() - width * 0.9) <= 1.5
    assert window.region.is_empty()  # the drag moved the divider, it drew nothing
    qtbot.waitUntil(lambda: shown_color(window, (width * 0.75, 20)) == (0, 0, 0), timeout=2000)

    window.commands["flicker"].trigger()  # flicker and split exclude each other
    assert not window.commands["split"].isChecked() and not window.canvas.split.isVisible()
    window.commands["flicker"].trigger()
    assert window.view_panel.shown == "current"


def test_overlays_and_zoom(opened: MainWindow) -> None:
    window = opened
    window.commands["coarseness"].trigger()
    assert window.canvas.overlay.isVisible()
    assert window.canvas.overlay.map.width() == 9  # one cell per 8×8 block
    window.commands["coarseness"].trigger()
    assert not window.canvas.overlay.isVisible()
    window.commands["block_grid"].trigger()
    assert window.canvas.grid.isVisible() and window.settings.block_grid
    window.commands["zoom_actual"].trigger()
    assert window.canvas.zoom() == pytest.approx(1.0)
    window.commands["zoom_in"].trigger()
    assert window.canvas.zoom() == pytest.approx(1.25)


def test_export_shows_the_verification_badge_and_report(qtbot, opened: MainWindow, tmp_path: Path) -> None:
    window = opened
    target = tmp_path / "out.png"
    window.export_to(target, 16)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.export_result is not None)
    dialog = window.export_result
    assert dialog.badge.text() == "VERIFIED"
    report = json.loads((tmp_path / "out.png.json").read_text())
    assert report["verified"] is True
    assert report["source"]["sha256"] == window.opened.code.sha256
    assert report["model"]["name"] == "tiny-test"
    assert str(tmp_path / "out.png.json") in dialog.report_label.text()
    assert dialog.figures.item(0, 0).text() == "100.0000%"
    dialog.close()


def test_drop_a_file_opens_it(qtbot, window: MainWindow, photo: Path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(photo))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    wait_idle(qtbot, window)
    assert window.opened is not None and window.opened.path == photo


def test_every_action_has_a_shortcut_tooltip_and_icon(window: MainWindow) -> None:
    shortcuts = [a.shortcut().toString() for a in window.commands.values()]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"
    for key, action in window.commands.items():
        assert action.toolTip() and not action.icon().isNull(), key


def test_screenshot_command(tmp_path: Path, photo: Path) -> None:
    from PyQt6.QtCore import QSettings

    from explorer_app.cli.main import main

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    out = tmp_path / "shot.png"
    assert main(["gui", str(photo), "--screenshot", str(out)]) == 0
    with Image.open(out) as shot:
        assert shot.width > 600 and shot.height > 400


def test_a_failing_job_is_reported_and_the_window_is_not_left_busy(qtbot, window: MainWindow, monkeypatch) -> None:
    from explorer_app.gui.jobs.runner import Progress

    def broken(control):
        yield Progress(0, 1)
        raise RuntimeError("size mismatch inside torch")

    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: messages.append(text))
    window.jobs.start("Broken job", broken)
    wait_idle(qtbot, window, 5000)
    assert messages and "size mismatch" in messages[0]


def test_preferences_dialog_writes_the_settings(window: MainWindow) -> None:
    from explorer_app.gui.dialogs.preferences import PreferencesDialog

    dialog = PreferencesDialog(window.settings, window)
    dialog.combos["device"].setCurrentIndex(dialog.combos["device"].findData("cpu"))
    dialog.combos["edit_steps"].setCurrentIndex(dialog.combos["edit_steps"].findData(100))
    dialog.combos["export_bit_depth"].setCurrentIndex(dialog.combos["export_bit_depth"].findData(8))
    dialog.accept()
    reread = Settings(window.settings.store.fileName())
    assert (reread.device, reread.edit_steps, reread.export_bit_depth) == ("cpu", 100, 8)


def test_the_status_bar_states_the_size_as_displayed(qtbot, window: MainWindow, tmp_path: Path) -> None:
    """An EXIF-turned photo: the status bar, the display and the File panel all say 56 × 72."""
    window.open_path(write_photo(tmp_path / "turned.jpg", orientation=6))
    wait_idle(qtbot, window)
    assert window.canvas.image_size() == (56, 72)
    assert window.file_panel.fields["size"].text().startswith("56 × 72 px")
    assert "opened: 56 × 72;" in window.status.message.text()


def test_the_region_panel_and_the_history_give_one_size(qtbot, explore: MainWindow) -> None:
    """A rectangle dragged between pixel centres: the Region panel and the history entry of an edit on it
    name the same box (the panel used to count the pixels the outline touched, one more each way)."""
    window = explore
    window.canvas.zoom_actual_size()
    window.canvas.zoom_by(4.0)  # a screen pixel is a quarter of an image pixel: the drag lands between edges
    select_rectangle(window, 16.75, 16.75, 36.25, 39.25)
    summary = window.region_panel.summary.text()
    box = summary.split("bounding box ")[1]
    press_apply(qtbot, window, "Brightness")
    assert f"selection of {box.replace(' at', ' px at')}" in window.history_panel.list.item(1).toolTip()


def test_the_export_dialog_proposes_a_folder_outside_the_evidence(
    qtbot, opened: MainWindow, photo: Path, tmp_path: Path, monkeypatch
) -> None:
    """The first export is proposed in the documented default folder, never beside the input; then the
    folder the user picked (remembered in the settings), unless that was the input's own folder."""
    from PyQt6.QtWidgets import QFileDialog

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    picked = tmp_path / "case-exports" / "mine.png"
    picked.parent.mkdir()
    browsed: list[Path] = []

    def save_dialog(parent, caption, directory, filters):
        browsed.append(Path(directory))
        return str(picked), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    window = opened

    def proposed() -> Path:
        window.commands["export"].trigger()
        assert window.export_dialog is not None
        return Path(window.export_dialog.path_edit.text())

    first = proposed()
    assert first == tmp_path / "home" / "Pictures" / "JPEG Explorer exports" / "photo.png"
    assert first.parent.is_dir()
    dialog = window.export_dialog
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert browsed == [first] and dialog.path_edit.text() == str(picked)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.export_result is not None)
    window.export_result.close()
    assert picked.is_file()
    assert Settings(tmp_path / "settings.ini").last_export_folder == str(picked.parent)
    assert proposed() == picked.parent / "photo.png"
    window.export_dialog.reject()
    window.settings.last_export_folder = str(photo.parent)  # an export the user once put beside the input
    assert proposed().parent == tmp_path / "home" / "Pictures" / "JPEG Explorer exports"
    window.export_dialog.reject()


def test_launching_on_a_non_jpeg_shows_the_window_and_one_line(
    qtbot, tmp_path: Path, monkeypatch, models_folder
) -> None:
    """``jpeg-explorer notes.txt`` from a desktop menu: the window opens and a dialog says why in one line
    (there is no terminal to read)."""
    from PyQt6.QtWidgets import QApplication

    from explorer_app.cli.main import main
    from explorer_app.gui.window import app as application
    from explorer_app.gui.window import main_window

    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    monkeypatch.setattr(main_window, "Settings", lambda: Settings(tmp_path / "settings.ini"))
    monkeypatch.setattr(application, "prepare_torch", lambda: None)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    warned: list[tuple[object, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warned.append((parent, text)))

    def event_loop(app: QApplication) -> int:
        """The user reads the dialog, then closes the window."""
        qtbot.waitUntil(lambda: bool(warned), timeout=30_000)
        window = warned[0][0]
        assert isinstance(window, MainWindow) and window.isVisible()
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", event_loop)
    assert main([str(notes)]) == 0
    assert len(warned) == 1 and "\n" not in warned[0][1] and warned[0][1].startswith(str(notes))


def test_missing_x11_libraries_are_named_in_one_line(tmp_path: Path, monkeypatch, capfd) -> None:
    """On a fresh Debian without libxcb-cursor0, Qt would abort (exit 134) naming no package."""
    from explorer_app.cli.main import main
    from explorer_app.gui.window import app as application
    from explorer_app.gui.window import platform_check

    def load(library: str) -> None:
        if library in ("libxcb-cursor.so.0", "libxcb-icccm.so.4"):
            raise OSError(f"{library}: cannot open shared object file")

    monkeypatch.setattr(platform_check, "load_library", load)
    monkeypatch.setattr(application, "run_gui", lambda *a, **k: pytest.fail("Qt was started"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert main([]) == 2
    err = capfd.readouterr().err
    assert err == (
        "jpeg-explorer: error: Qt's X11 (xcb) platform plugin cannot load: missing system libraries; "
        "install them with: sudo apt install libxcb-cursor0 libxcb-icccm4\n"
    )
    assert platform_check.platform_problem({"QT_QPA_PLATFORM": "offscreen"}) == ""
    assert platform_check.platform_problem({"XDG_SESSION_TYPE": "wayland"}) == ""
    assert not platform_check.uses_xcb({}, "darwin") and not platform_check.uses_xcb({}, "win32")
    monkeypatch.undo()
    with pytest.raises(OSError):
        platform_check.load_library("libno-such-library.so.0")
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert all(package in readme for package in platform_check.XCB_LIBRARIES.values())  # the set-up lists them


def test_what_preparing_torch_imports_is_frozen_out_of_the_gui_threads_collections() -> None:
    """The application imports torch._dynamo (and sympy with it) in the background at start; its hundreds of
    thousands of objects, scanned by every full collection on the GUI thread, paused the window for 125-165 ms
    while a 12-MP photo opened. Once prepared they are frozen, as what was imported before the collector."""
    from explorer_app.gui.window import app as application

    gc.unfreeze()
    application.prepare_torch().join()
    try:
        assert "torch._dynamo" in sys.modules and gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()
