"""A laptop screen, a dark desktop, a first-time user: the window fits, the icons follow the
palette, tools have names, a menu and shortcuts, the empty window says how to start, maps have a legend."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QColor, QIcon, QPalette
from PyQt6.QtWidgets import QApplication

from explorer_app.gui.settings import Settings
from explorer_app.gui.window.main_window import MainWindow

from gui_driver import TinyDigits, drag, press_apply, select_rectangle, tiny_model, wait_idle, write_photo

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
    window = MainWindow(settings, model=tiny_model(), load_classifier=lambda kind: Letters().eval())
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


class Letters(TinyDigits):
    classes = tuple(chr(c) for c in range(ord("A"), ord("Z") + 1))

    def __init__(self) -> None:
        super().__init__()
        import torch

        self.net[-1] = torch.nn.Linear(4 * 16 * 16, 26)


def ink_of(icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> QColor:
    """The colour of an icon's opaque pixels (its lines)."""
    image = icon.pixmap(QSize(24, 24), mode).toImage()
    colours = [image.pixelColor(x, y) for y in range(24) for x in range(24) if image.pixelColor(x, y).alpha() > 250]
    return max(colours, key=lambda c: colours.count(c))


def test_icons_follow_a_dark_palette(window: MainWindow) -> None:
    app = QApplication.instance()
    light = app.palette()
    undo = window.commands["undo"].icon()
    assert ink_of(undo).lightness() < 100
    dark = QPalette(light)
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2f"),
        (QPalette.ColorRole.Button, "#3a3a3f"),
        (QPalette.ColorRole.ButtonText, "#e6e6ea"),
        (QPalette.ColorRole.WindowText, "#e6e6ea"),
    ):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)
    try:
        assert ink_of(undo).lightness() > 180  # the same icon object, drawn again in the new palette
        assert ink_of(window.commands["export"].icon()).lightness() > 180
    finally:
        app.setPalette(light)


def test_tools_have_names_a_menu_shortcuts_and_a_help_list(qtbot, explore: MainWindow) -> None:
    window = explore
    menus = {action.text().replace("&", ""): action.menu() for action in window.menuBar().actions()}
    tools = [a.text() for a in menus["Tools"].actions() if not a.isSeparator()]
    assert tools[:-1] == list(window.tool_panels) and tools[-1].replace("&", "") == "Apply the tool"
    assert all(button.text() for button in window.toolbox.buttons.values())
    qtbot.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)  # Shift+V: the Variance tool
    assert window.toolbox.current().title == "Variance"
    select_rectangle(window, 16, 16, 40, 40)
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Return applies it
    wait_idle(qtbot, window)
    assert window.explorer.session.history.records()[0]["tool"] == "Variance"

    from explorer_app.gui.dialogs.help import ShortcutsDialog

    dialog = ShortcutsDialog(window.menuBar(), window)
    rows = {(dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text()) for r in range(dialog.table.rowCount())}
    assert ("Variance", "Shift+V") in rows and ("Undo", "Ctrl+Z") in rows and ("Keyboard shortcuts", "F1") in rows
    assert "Help" in menus and menus["Help"].actions()[0].text().replace("&", "") == "Keyboard shortcuts"


def test_the_empty_window_says_how_to_start(window: MainWindow, qtbot, photo: Path) -> None:
    assert window.canvas.hint.isVisible() and "Ctrl+O" in window.canvas.hint.text()
    window.open_path(photo)
    wait_idle(qtbot, window)
    assert not window.canvas.hint.isVisible()


def test_maps_have_a_legend_with_their_scale(qtbot, explore: MainWindow) -> None:
    window = explore
    window.commands["coarseness"].trigger()
    legend = window.canvas.legend
    assert legend.isVisible() and "Quantization" in legend.title.text() and "%" in legend.ends.text()
    window.commands["ambiguity"].trigger()
    wait_idle(qtbot, window)
    assert legend.isVisible() and "grey levels" in legend.ends.text() and "Ambiguity" in legend.title.text()
    window.commands["ambiguity"].trigger()
    assert not legend.isVisible()


def test_the_file_panel_gives_the_displayed_size_of_a_turned_photo(qtbot, window: MainWindow, tmp_path: Path) -> None:
    window.open_path(write_photo(tmp_path / "turned.jpg", orientation=6))
    wait_idle(qtbot, window)
    assert window.file_panel.fields["size"].text().startswith("56 × 72 px (stored 72 × 56, turned by EXIF)")


def test_periodicity_points_are_drawn_where_clicked(qtbot, explore: MainWindow) -> None:
    window = explore
    panel = window.toolbox.show_panel("Periodicity")
    panel.start_picking()
    for point in [(10, 10), (18, 10), (10, 20)]:
        drag(window, [point])
    dots = [item for item in panel.markers if hasattr(item, "rect")]
    assert [v for d in dots for v in (d.pos().x(), d.pos().y())] == pytest.approx([10, 10, 18, 10, 10, 20], abs=0.5)
    assert len(panel.markers) == 5 and all(item.scene() is window.canvas.scene() for item in panel.markers)
    panel.clear_points()
    assert not panel.markers


def test_a_scribble_is_drawn_at_its_width_and_leaves_once_applied(qtbot, explore: MainWindow) -> None:
    window = explore
    window.canvas.zoom_actual_size()
    panel = window.toolbox.show_panel("Scribble")
    panel.pen_width.setValue(9)
    panel.start_drawing()
    drag(window, [(10, 30), (30, 30), (50, 30)])
    assert len(panel.drawn) == 1 and panel.drawn[0].pen().widthF() == 9
    bounds = panel.drawn[0].sceneBoundingRect()
    assert bounds.height() >= 9  # a 9-px stroke, not a hairline
    press_apply(qtbot, window, "Scribble")
    assert not panel.drawn and not panel.strokes
    assert window.explorer.session.history.position == 1
