"""What each result means, said where the user looks: what an edit asked, allowed and
reached; the history in words; candidates marked, with a verdict; messages that stay; the cursor readout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtGui import QBrush
from PyQt6.QtWidgets import QApplication

from explorer_app.engine.optimize import Budget
from explorer_app.gui.window.main_window import MainWindow

from gui_driver import mouse, press_apply, select_rectangle, shown_pixels, wait_idle


def luma(image: np.ndarray) -> np.ndarray:
    return image.astype(float) @ np.array([0.299, 0.587, 0.114])


def test_an_edit_says_what_was_asked_allowed_and_reached(qtbot, explore: MainWindow) -> None:
    window = explore
    before = window.images["current"].copy()
    select_rectangle(window, 16, 16, 40, 40)
    window.tool_panels["Brightness"].controls["amount"].setValue(40)
    press_apply(qtbot, window, "Brightness")
    qtbot.wait(300)  # the old status bar said "Ready" after 10 ms
    text = window.status.message.text()
    assert text.startswith("Brightness +40 — Brightness: asked +40.0 grey levels; the file allows about ")
    reached = float(text.split("reached ")[1].split(" grey")[0])
    inside = window.region.display_mask()
    change = luma(window.images["current"])[inside].mean() - luma(before)[inside].mean()
    assert reached == pytest.approx(change, abs=0.6)  # the figure is the committed image's own change
    row = window.history_panel.list.item(1).text()
    assert row.startswith("1. Brightness +40\nBrightness: asked +40.0") and "reached" in row
    assert window.tool_panels["Brightness"].message.text() in text


@pytest.mark.parametrize(
    "title, factor, start",
    [
        ("Variance", 2.0, "More detail: local variance ×2.00 — Local variance: asked ×2.00; the file allows at most ×"),
        (
            "Variance",
            0.5,
            "Less detail: local variance ×0.50 — Local variance: asked ×0.50; the file allows no less than ×",
        ),
        (
            "Smooth (TV)",
            None,
            "Smooth (total variation, weight 1.00) — Total variation: asked 0.0 grey levels; "
            "the file allows no less than ",
        ),
    ],
)
def test_variance_and_smoothing_say_what_the_file_allows(
    qtbot, explore: MainWindow, title: str, factor: float | None, start: str
) -> None:
    """Every statistic tool's result line states asked, the file's bound and reached, in the status bar
    and the history, not only brightness's."""
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    if factor is not None:
        window.tool_panels[title].controls["factor"].setValue(factor)
    press_apply(qtbot, window, title)
    text = window.status.message.text()
    assert text.startswith(start) and "; reached " in text
    allowed = float(text.split(start)[1].split(" ")[0])
    reached = float(text.split("; reached ")[1].split(" ")[0].lstrip("×"))
    assert allowed >= 0 and reached >= 0
    assert "the file allows" in window.history_panel.list.item(1).text()


def test_history_rows_speak_the_users_language(qtbot, explore: MainWindow) -> None:
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Hue / saturation")
    row = window.history_panel.list.item(1)
    for word in ("hue_degrees", "budget", "HueSaturation", "parameters"):
        assert word not in row.text() and word not in row.toolTip()
    assert (
        row.text().startswith("1. Hue +30°, saturation ×1.00") and "selection of 24×24 px at (16, 16)" in row.toolTip()
    )
    rows_shown = window.history_panel.list.height() / window.history_panel.list.fontMetrics().lineSpacing()
    assert rows_shown >= 6


def test_the_digit_gallery_marks_every_candidate_and_gives_a_verdict(qtbot, explore: MainWindow) -> None:
    window = explore
    select_rectangle(window, 24, 16, 48, 40)
    press_apply(qtbot, window, "Digits / letters")
    gallery = window.tool_panels["Digits / letters"].gallery
    labels = [b.text().splitlines()[0] for b in gallery.buttons]
    assert labels == [c.label for c in gallery.candidates]  # consistent: no mark, nothing that reads as a vote
    marks = [b.text().splitlines()[1] for b in gallery.buttons]
    assert all(m == "ruled out" or m.startswith("possible · ") for m in marks)
    assert [m != "ruled out" for m in marks] == [c.score > 0 for c in gallery.candidates]  # possible ones first
    assert gallery.legend.isVisible() and "Ruled out" in gallery.legend.text()
    verdict = gallery.verdict.text()
    assert gallery.verdict.isVisible()
    possible = [c.label for c in gallery.candidates if c.score > 0]
    if len(possible) == 1:
        assert verdict == f"Only {possible[0]} is possible here: the file rules out every other digit."
    elif possible:
        assert verdict.startswith(f"{', '.join(possible[:-1])} and {possible[-1]} are possible here")
    else:
        assert verdict.startswith("No digit is possible here")
    qtbot.mouseClick(gallery.buttons[1], Qt.MouseButton.LeftButton)
    assert window.canvas.region.brush() == QBrush(Qt.BrushStyle.NoBrush)  # the candidate in its true colours
    qtbot.mouseClick(gallery.discard_button, Qt.MouseButton.LeftButton)
    assert window.canvas.region.brush().style() != Qt.BrushStyle.NoBrush
    assert shown_pixels(window) == window.images["current"].tobytes()  # back to the current image


def test_the_kept_digit_is_named_in_the_history_and_the_export_report(
    qtbot,
    explore: MainWindow,
    tmp_path: Path,
) -> None:
    window = explore
    select_rectangle(window, 24, 16, 48, 40)
    press_apply(qtbot, window, "Digits / letters")
    gallery = window.tool_panels["Digits / letters"].gallery
    chosen = gallery.candidates[2]
    qtbot.mouseClick(gallery.buttons[2], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(gallery.keep_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    row = window.history_panel.list.item(1).text()
    state = "possible" if chosen.score > 0 else "ruled out"
    assert f"kept {chosen.label} ({state}, of 10 hypotheses)" in row
    assert "SegmentGlyphs" not in row
    assert f"kept {chosen.label}" in window.status.message.text()
    window.export_to(tmp_path / "kept.png", 16)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.export_result is not None)
    entry = json.loads((tmp_path / "kept.png.json").read_text())["history"][0]
    assert entry["kept"] == {"kind": "digit", "label": chosen.label, "score": round(chosen.score, 4), "of": 10}
    assert f"kept {chosen.label}" in entry["summary"]
    window.export_result.close()


def test_alternatives_name_how_far_each_goes(qtbot, explore: MainWindow) -> None:
    window = explore
    select_rectangle(window, 8, 8, 32, 32)
    window.tool_panels["Alternatives"].controls["count"].setValue(3)
    press_apply(qtbot, window, "Alternatives")
    gallery = window.tool_panels["Alternatives"].gallery
    assert [b.text().split("\n")[1].startswith("Δ ") for b in gallery.buttons] == [True] * 3
    assert gallery.verdict.text().startswith("All 3 alternatives are consistent with the file")
    qtbot.mouseClick(gallery.buttons[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(gallery.keep_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert "kept #1" in window.history_panel.list.item(1).text()


def test_messages_stay_until_the_next_one(qtbot, explore: MainWindow, monkeypatch, tmp_path: Path) -> None:
    window = explore
    monkeypatch.setattr(window.explorer, "budget", lambda: Budget(steps=100_000, patience=0))
    select_rectangle(window, 16, 16, 40, 40)
    window.tool_panels["Variance"].apply_button.click()
    qtbot.waitUntil(lambda: window.status.progress.value() >= 2, timeout=30_000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    wait_idle(qtbot, window)
    qtbot.wait(500)
    assert window.status.message.text() == "Cancelled: Variance: optimizing stopped, nothing was changed"
    monkeypatch.undo()
    window.export_to(tmp_path / "out.png", 16)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.export_result is not None)
    window.export_result.close()
    qtbot.wait(500)
    assert window.status.message.text().startswith("VERIFIED")


def test_the_cursor_readout_names_pixel_colour_block_and_quantization(qtbot, explore: MainWindow) -> None:
    window = explore
    window.canvas.zoom_actual_size()
    window.canvas.zoom_by(4.0)  # a screen pixel is a quarter of an image pixel: no rounding across pixels
    mouse(window, QEvent.Type.MouseMove, (12.5, 9.5), Qt.MouseButton.NoButton)
    text = window.status.readout.text()
    r, g, b = (int(v) for v in window.images["current"][9, 12])
    table = window.opened.code.tables[0]
    kept = int(np.count_nonzero(window.opened.code.coefficients[0][1, 1]))
    assert text.startswith(f"x 12, y 9 · RGB {r} {g} {b} · Y ")
    assert text.endswith(f"block (1, 1): {kept}/64 kept, DC step {int(table[0, 0])}")
    assert f"{kept} of 64 luma coefficients" in window.status.readout.toolTip()
    assert window.status.readout.isVisible()
    mouse(window, QEvent.Type.MouseMove, (500.0, 500.0), Qt.MouseButton.NoButton)  # off the image
    assert window.status.readout.text() == "" and window.status.readout.isVisible()  # its place stays


def test_the_cursor_readout_has_its_own_place_beside_the_message(qtbot, explore: MainWindow) -> None:
    """Moving the cursor over the image neither squeezes nor covers the last message, and a hover tip
    (Qt's temporary message) does not hide the readout."""
    window = explore
    window.resize(1280, 800)
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Variance")
    message, readout = window.status.message, window.status.readout
    qtbot.wait(50)
    text, width = message.text(), message.width()
    assert "reached" in text
    mouse(window, QEvent.Type.MouseMove, (12.5, 9.5), Qt.MouseButton.NoButton)
    qtbot.wait(50)
    assert readout.text().startswith("x 12, y 9") and readout.isVisible()
    assert message.text() == text and message.width() == width
    assert not message.geometry().intersects(readout.geometry())
    assert readout.width() >= readout.fontMetrics().horizontalAdvance(readout.text())
    window.statusBar().showMessage("a hover tip")
    assert readout.isVisible()


def test_the_progress_label_names_the_whole_stage(qtbot, explore: MainWindow, monkeypatch) -> None:
    window = explore
    window.resize(1280, 800)
    monkeypatch.setattr(window.explorer, "budget", lambda: Budget(steps=100_000, patience=0))
    select_rectangle(window, 16, 16, 40, 40)
    window.tool_panels["Variance"].apply_button.click()
    qtbot.waitUntil(lambda: window.status.progress.value() >= 2, timeout=30_000)
    job = window.status.job
    qtbot.wait(50)
    assert job.text().startswith("Variance") and job.isVisible()
    assert job.width() >= job.fontMetrics().horizontalAdvance(job.text())
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    wait_idle(qtbot, window)


def test_a_new_export_replaces_the_last_verdict(qtbot, explore: MainWindow, tmp_path: Path) -> None:
    window = explore
    window.export_to(tmp_path / "first.png", 16)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.export_result is not None)
    window.export_result.close()
    assert window.status.message.text().startswith("VERIFIED")
    window.export_to(tmp_path / "second.png", 16)
    assert window.jobs.busy
    assert window.status.message.text() == "Exporting second.png: the verdict follows when it is verified"
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.status.message.text().startswith("VERIFIED"))
    window.export_result.close()


@pytest.mark.parametrize("title", ["Alternatives", "Digits / letters"])
def test_candidates_found_are_said_in_the_status_bar(qtbot, explore: MainWindow, title: str) -> None:
    window = explore
    select_rectangle(window, 24, 16, 48, 40)
    window.status.say("an older message")
    press_apply(qtbot, window, title)
    gallery = window.tool_panels[title].gallery
    assert gallery.candidates
    assert window.status.message.text() == f"{title}: {gallery.verdict.text()} Click one to see it, then Keep it."


def test_undo_says_what_it_undid_and_drops_the_candidates_it_made_stale(qtbot, explore: MainWindow) -> None:
    """Undo after Alternatives: the gallery compared with an image that is no longer the current one, so
    it goes (with a word why), the canvas shows the current image, and the status names what was undone."""
    window = explore
    select_rectangle(window, 8, 8, 32, 32)
    press_apply(qtbot, window, "Brightness")
    panel = window.tool_panels["Alternatives"]
    panel.controls["count"].setValue(2)
    press_apply(qtbot, window, "Alternatives")
    qtbot.mouseClick(panel.gallery.buttons[0], Qt.MouseButton.LeftButton)
    window.statusBar().showMessage(window.commands["undo"].statusTip())  # the hover tip of the Undo button
    window.commands["undo"].trigger()
    wait_idle(qtbot, window)
    assert window.status.message.text() == "Undone: Brightness +25"
    assert window.statusBar().currentMessage() == ""  # the outcome shows at once, over the hover tip
    assert not panel.gallery.candidates and not panel.gallery.buttons
    assert panel.message.text() == (
        "The current image changed: these alternatives were made for the image before it and were dropped; "
        "press Generate again."
    )
    assert shown_pixels(window) == window.images["current"].tobytes()
    window.commands["redo"].trigger()
    wait_idle(qtbot, window)
    assert window.status.message.text() == "Redone: Brightness +25"


def test_a_message_too_long_for_the_bar_ends_in_an_ellipsis_and_keeps_its_whole_text(opened) -> None:
    """A status message cut off mid-word reads as another message ("…; select a region an"): what does not
    fit ends in "…", the tooltip and text() keep all of it."""
    window = opened
    window.resize(1280, 760)
    long = "Local variance: asked ×2.00; the file allows at most ×38.42 here; reached ×2.07 " * 3
    window.status.say(long.strip())
    QApplication.processEvents()
    shown = window.status.message.shown()
    assert shown.endswith("…") and long.startswith(shown[:-1])
    assert window.status.message.text() == long.strip() and long.strip() in window.status.message.toolTip()
    window.status.say("Undone: Brightness +25")
    assert window.status.message.shown() == "Undone: Brightness +25"
