"""A laptop screen, a dark desktop, a first-time user: the window fits, the icons follow the
palette, tools have names, a menu and shortcuts, the empty window says how to start, maps have a legend."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtWidgets import QApplication

from explorer_app.gui.settings import Settings
from explorer_app.gui.window.main_window import MainWindow

from gui_driver import press_apply, select_rectangle, tiny_model, wait_idle

TITLE_AND_TASKBAR = 60
"""What a desktop leaves of a screen's height to a maximized window, at most."""


@pytest.mark.parametrize("screen", [(1280, 800), (1366, 768)])
def test_the_window_fits_a_laptop_screen_with_26_letter_hypotheses_shown(
    qtbot,
    tmp_path: Path,
    photo: Path,
    screen,
) -> None:
    settings = Settings(tmp_path / "settings.ini")
    settings.edit_steps = 2
    window = MainWindow(settings, model=tiny_model())
    qtbot.addWidget(window)
    width, height = screen[0], screen[1] - TITLE_AND_TASKBAR
    window.resize(width, height)
    window.show()
    window.open_path(photo)
    wait_idle(qtbot, window)
    select_rectangle(window, 10, 8, 40, 40)
    panel = window.toolbox.show_panel("Digits / letters")
    panel.kind.setCurrentIndex(1)
    press_apply(qtbot, window, "Digits / letters")
    assert len(panel.gallery.buttons) == 26
    QApplication.processEvents()
    assert window.minimumSizeHint().width() <= width and window.minimumSizeHint().height() <= height
    assert (window.width(), window.height()) == (width, height)
    assert window.canvas.width() >= width / 2
    assert panel.gallery.buttons[-1].visibleRegion().isEmpty()  # the last ones are scrolled to, not squeezed
    window.jobs.shutdown()
