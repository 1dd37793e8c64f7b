"""A laptop screen, a dark desktop, a first-time user: the window fits, the icons follow the
palette, tools have names, a menu and shortcuts, the empty window says how to start, maps have a legend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QApplication

from explorer_app.gui.model.thumbnails import common_stretch
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


def fully_shown(widget) -> bool:
    """No part of ``widget`` is scrolled away or covered."""
    return widget.isVisible() and widget.visibleRegion().boundingRect().size() == widget.size()


@pytest.mark.parametrize("screen", [(1280, 800), (1366, 768)])
@pytest.mark.parametrize("title", ["Digits / letters", "Alternatives"])
def test_keep_discard_and_judgeable_thumbnails_need_no_scrolling_on_a_laptop(
    qtbot, tmp_path: Path, photo: Path, screen, title: str
) -> None:
    """With 26 letter hypotheses (or 8 alternatives) shown at 1280×800 and 1366×768: Keep, Discard and the
    first thumbnails are on screen without the user scrolling, every thumbnail is ≥ 96 px on its long side,
    and clicking one shows it on the canvas zoomed onto the region (it was small there)."""
    settings = Settings(tmp_path / "settings.ini")
    settings.edit_steps = 2
    window = MainWindow(settings, model=tiny_model())
    qtbot.addWidget(window)
    window.resize(screen[0], screen[1] - TITLE_AND_TASKBAR)
    window.show()
    window.open_path(photo)
    wait_idle(qtbot, window)
    window.canvas.zoom_to_fit()
    select_rectangle(window, 10, 8, 30, 32)
    panel = window.toolbox.show_panel(title)
    if title == "Digits / letters":
        panel.kind.setCurrentIndex(1)
    else:
        panel.controls["count"].setValue(8)
    press_apply(qtbot, window, title)
    gallery = panel.gallery
    assert len(gallery.buttons) == (26 if title == "Digits / letters" else 8)
    # the layout settles over a few event-loop turns (the strip is revealed once the panel has room for it,
    # later again as the gallery grows); a slow machine can see Keep in view before the strip: wait for all
    qtbot.waitUntil(
        lambda: all(fully_shown(w) for w in (gallery.keep_button, gallery.discard_button, *gallery.buttons[:2])),
        timeout=10_000,
    )
    for button in gallery.buttons:  # the pixmaps themselves, not only the room for them
        (pixmap,) = button.icon().availableSizes()
        assert max(pixmap.width(), pixmap.height()) >= 96 and button.iconSize().width() >= 96

    def region_share() -> float:
        """How much of the canvas's width or height the selection's box takes on screen."""
        _, _, width, height = window.region.bounding_box()
        view = window.canvas.viewport().size()
        zoom = window.canvas.zoom()
        return max(width * zoom / view.width(), height * zoom / view.height())

    before = region_share()
    assert before < 0.5
    qtbot.mouseClick(gallery.buttons[1], Qt.MouseButton.LeftButton)
    assert gallery.chosen is gallery.candidates[1]
    assert region_share() >= 0.55
    x, y, width, height = window.region.bounding_box()
    centre = window.canvas.mapFromScene(QPointF(x + width / 2, y + height / 2))
    assert window.canvas.viewport().rect().contains(centre)
    assert fully_shown(gallery.keep_button)
    window.jobs.shutdown()


def test_one_contrast_stretch_serves_every_thumbnail():
    """Dark thumbnails are stretched by one common map (their order and differences kept); ones with
    contrast enough are left as they are."""
    rng = np.random.default_rng(0)
    dark = [rng.integers(20, 70, (30, 20, 3)).astype(np.uint8) for _ in range(3)]
    stretched, levels = common_stretch(dark)
    assert levels is not None and 20 <= levels[0] < levels[1] <= 70
    assert all(int(s.max()) - int(s.min()) > 200 for s in stretched)
    before = np.stack(dark).astype(int).reshape(-1)
    after = np.stack(stretched).astype(int).reshape(-1)
    order = np.argsort(before, kind="stable")
    assert (np.diff(after[order]) >= 0).all()  # one monotone map for all of them
    bright = [rng.integers(0, 256, (30, 20, 3)).astype(np.uint8)]
    same, none = common_stretch(bright)
    assert none is None and same[0] is bright[0]


def test_dark_hypotheses_are_shown_stretched_and_say_so(qtbot, tmp_path: Path) -> None:
    """On the dark clock example the digit thumbnails use the whole grey range, and their tooltip says
    they are stretched and that the canvas shows the true pixels."""
    settings = Settings(tmp_path / "settings.ini")
    settings.edit_steps = 2
    window = MainWindow(settings, model=tiny_model())
    qtbot.addWidget(window)
    window.resize(1280, 800 - TITLE_AND_TASKBAR)
    window.show()
    window.open_path(Path(__file__).parents[1] / "assets" / "examples" / "clock.jpg")
    wait_idle(qtbot, window)
    select_rectangle(window, 160, 12, 220, 110)
    press_apply(qtbot, window, "Digits / letters")
    gallery = window.tool_panels["Digits / letters"].gallery
    raw = gallery.candidates[0].thumbnail
    (size,) = gallery.buttons[0].icon().availableSizes()
    shown = gallery.buttons[0].icon().pixmap(size).toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    values = [shown.pixelColor(x, y).value() for y in range(shown.height()) for x in range(shown.width())]
    assert max(values) - min(values) > 1.5 * (int(raw.max()) - int(raw.min()))
    assert "contrast stretched" in gallery.buttons[0].toolTip() and "true pixels" in gallery.buttons[0].toolTip()
    window.jobs.shutdown()
