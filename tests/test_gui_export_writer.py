"""The export dialog names the encoder that wrote the file (issue 20): "not known" unless the user says, the
export is repaired for the writer named, the result says which, `verify` agrees, and the choice is
remembered for the file's bytes only. Offscreen Qt, a tiny decoder, a small file by jpeglib's IJG 9e."""

from __future__ import annotations

import json
from pathlib import Path

from PyQt6.QtCore import Qt

from explorer_app.cli.main import main
from explorer_app.gui.dialogs.export_choice import NOT_KNOWN, ExportDialog
from explorer_app.gui.window.main_window import MainWindow
from explorer_app.verify.encoders import BY_KEY

from conftest import jpeglib_jpeg, synthetic_photo
from gui_driver import wait_idle

IJG = BY_KEY["ijg-scaled"]


def open_dialog(qtbot, window: MainWindow, jpeg: Path) -> ExportDialog:
    assert window.open_path(jpeg)
    wait_idle(qtbot, window)
    window.commands["export"].trigger()
    assert window.export_dialog is not None
    return window.export_dialog


def test_an_export_named_for_ijg_9e_is_repaired_for_it_and_verify_agrees(
    qtbot, window: MainWindow, tmp_path: Path, capsys
) -> None:
    jpeg = jpeglib_jpeg(tmp_path / "ijg.jpg", "ijg-scaled", synthetic_photo(48, 64, 4), 30)
    dialog = open_dialog(qtbot, window, jpeg)
    assert dialog.writer_choice.currentText() == NOT_KNOWN  # never guessed
    assert not dialog.remembered.isVisible()
    index = next(i for i in range(dialog.writer_choice.count()) if dialog.writer_choice.itemText(i).startswith("IJG"))
    assert dialog.writer_choice.itemData(index, Qt.ItemDataRole.ToolTipRole) == IJG.title
    dialog.writer_choice.setCurrentIndex(index)
    assert IJG.name in dialog.plan.text()
    png = tmp_path / "out.png"
    dialog.path_edit.setText(str(png))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.export_result is not None)
    result = window.export_result
    assert result.badge.text() == "VERIFIED" and result.report.repaired_for == "ijg-scaled"
    assert f"Repaired for {IJG.name} (ijg-scaled)" in result.repaired.text()
    assert f"repaired for {IJG.name}" in window.status.message.text()
    assert json.loads((tmp_path / "out.png.json").read_text())["repaired_for"] == "ijg-scaled"
    result.close()
    assert main(["verify", str(png), str(jpeg), "--encoder", "ijg-scaled", "--json"]) == 0
    assert "ijg-scaled" in json.loads(capsys.readouterr().out)["reproduced_by"]

    window.commands["export"].trigger()  # the same file: the writer named last time, said to be remembered
    again = window.export_dialog
    assert again is not dialog and again.writer_choice.currentData() == "ijg-scaled"
    assert again.remembered.isVisible()
    again.reject()
    other = jpeglib_jpeg(tmp_path / "other.jpg", "ijg-scaled", synthetic_photo(48, 64, 5), 30)
    fresh = open_dialog(qtbot, window, other)  # other bytes: not known again
    assert fresh.writer_choice.currentText() == NOT_KNOWN and not fresh.remembered.isVisible()
    fresh.reject()


def test_the_dialog_says_what_a_writer_that_is_no_target_gets(qtbot, tmp_path: Path) -> None:
    dialog = ExportDialog(tmp_path / "out.png", 0, "mozjpeg")
    qtbot.addWidget(dialog)
    assert dialog.writer_choice.currentData() == "mozjpeg"
    assert "no repair target" in dialog.plan.text()
    dialog.depth_choice.setCurrentIndex(dialog.depth_choice.findData(16))
    dialog.writer_choice.setCurrentIndex(dialog.writer_choice.findData("libjpeg-float"))
    assert "takes 8-bit samples" in dialog.plan.text()
    dialog.path_edit.setText(" ")
    assert not dialog.export_button.isEnabled()
    choice = dialog.choice()
    assert (choice.bit_depth, choice.writer) == (16, BY_KEY["libjpeg-float"])
