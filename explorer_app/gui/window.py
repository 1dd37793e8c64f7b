"""The main window: assembles the canvas, the panels, the menus and the status bar, and carries out the
file-level commands (open, export). Tool panels and history live in their own modules."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt6.QtCore import QPointF, Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PyQt6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMenu, QMessageBox, QWidget

from ..codec import JpegError, read_jpeg, to_display
from ..engine.regions import Region as EngineRegion
from ..engine.session_file import SessionFileError, load_session
from ..verify.report import VerificationReport
from .actions import build_actions
from .canvas import ImageCanvas
from .explorer import Explorer, ambiguity_job, autosave_paths, pending_autosaves, write_autosave
from .export_dialog import ExportResultDialog
from .file_panel import FilePanel
from .geometry import display_to_file_point
from .glyph_panel import ClassifierLoader, GlyphPanel, shipped_classifier
from .history_panel import HistoryPanel
from .icons import icon
from .jobs import Jobs
from .loading import LoadedModel, OpenedFile, export_job, load_model, open_job
from .geometry import display_block_offset
from .maps import coarseness_map, heat_rgba, stretch
from .paint_panels import ImprintPanel, ScribblePanel
from .preferences import PreferencesDialog
from .region_panel import RegionPanel
from .regions import Region
from .settings import Settings
from .status import StatusPanel
from .tool_panels import (AlternativesPanel, BrightnessPanel, HueSaturationPanel, ImitatePanel, PeriodicityPanel,
                          ToolPanel, TotalVariationPanel, VariancePanel)
from .toolbox import ToolBox
from .view_panel import SOURCES, ViewPanel

AMBIGUITY_DECODES = 6
LAYOUT_VERSION = 2
"""Bumped when the panels change, so a saved arrangement of older panels is not restored."""
SESSION_FILTER = "JPEG Explorer sessions (*.jxs);;All files (*)"
SIMPLE_TOOL_PANELS = (ScribblePanel, ImprintPanel, BrightnessPanel, VariancePanel, TotalVariationPanel,
                      HueSaturationPanel, PeriodicityPanel, ImitatePanel, AlternativesPanel)

JPEG_FILTER = "JPEG images (*.jpg *.jpeg *.jpe *.jfif *.JPG *.JPEG);;All files (*)"
MENUS = {
    "&File": ("open", "recent", "open_session", "save_session", "export", None, "preferences", None, "quit"),
    "&Edit": ("undo", "redo", None, "cancel"),
    "&View": ("zoom_fit", "zoom_actual", "zoom_in", "zoom_out", None, "show_plain", "show_network",
              "show_current", "flicker", "split", None, "block_grid", "coarseness", "ambiguity"),
    "&Region": ("pan", "select_rectangle", "select_polygon", "select_freehand", "select_brush", "select_erase", None,
                "select_invert", "select_clear"),
}
TOOLBAR = ("open", "export", None, "undo", "redo", None, "zoom_fit", "zoom_actual", None, "pan", "select_rectangle",
           "select_polygon", "select_freehand", "select_brush", "select_erase", "select_invert", "select_clear", None,
           "block_grid", "coarseness", "ambiguity", "flicker", "split", None, "cancel")


class MainWindow(QMainWindow):
    """``model`` and ``load_classifier`` override the shipped decoder and glyph classifiers (tests)."""

    def __init__(self, settings: Settings | None = None, model: LoadedModel | None = None,
                 load_classifier: ClassifierLoader = shipped_classifier) -> None:
        super().__init__()
        self.setWindowTitle("JPEG Explorer")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.settings = settings or Settings()
        self.fixed_model = model
        self.model: LoadedModel | None = model
        self.opened: OpenedFile | None = None
        self.images: dict[str, np.ndarray] = {}
        self.export_result: ExportResultDialog | None = None
        self.jobs = Jobs()
        self.explorer = Explorer(self)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self.region = Region()
        self.canvas = ImageCanvas()
        self.setCentralWidget(self.canvas)
        self.actions = build_actions(self)
        self.view_panel = ViewPanel(self.actions)
        self.file_panel = FilePanel()
        self.region_panel = RegionPanel(self.actions, self.region)
        self.status = StatusPanel(self.statusBar(), self.actions["cancel"])
        self.docks: dict[str, QDockWidget] = {}
        self.add_panel("File", self.file_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.add_panel("View", self.view_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.add_panel("Region", self.region_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.history_panel = HistoryPanel(self, self.actions)
        self.add_panel("History", self.history_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        panels = [*[cls(self) for cls in SIMPLE_TOOL_PANELS], GlyphPanel(self, load_classifier)]
        self.tool_panels: dict[str, ToolPanel] = {panel.title: panel for panel in panels}
        self.toolbox = ToolBox(panels)
        self.add_panel("Tools", self.toolbox, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self.docks["Region"], self.docks["Tools"], Qt.Orientation.Vertical)
        self.splitDockWidget(self.docks["Tools"], self.docks["History"], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["File"], self.docks["Region"]], [300, 380], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["Region"], self.docks["Tools"], self.docks["History"]], [150, 520, 150],
                         Qt.Orientation.Vertical)
        self._build_menus()
        self._connect()
        self.actions["show_current"].setChecked(True)
        self.actions["pan"].setChecked(True)
        self.actions["block_grid"].setChecked(self.settings.block_grid)
        self._set_file_actions_enabled(False)
        self.resize(1280, 860)
        if not self.settings.window_geometry.isEmpty():
            self.restoreGeometry(self.settings.window_geometry)
            self.restoreState(self.settings.window_state, LAYOUT_VERSION)

    # -- assembly --------------------------------------------------------------------------------------
    def add_panel(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """Dock ``widget`` as a movable panel named ``title`` (also listed in the Panels menu)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"panel-{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock
        if hasattr(self, "panels_menu"):
            self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    def _build_menus(self) -> None:
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.setIcon(icon("history"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        for title, keys in MENUS.items():
            menu = self.menuBar().addMenu(title)
            for key in keys:
                if key is None:
                    menu.addSeparator()
                elif key == "recent":
                    menu.addMenu(self.recent_menu)
                else:
                    menu.addAction(self.actions[key])
        self.panels_menu = self.menuBar().addMenu("&Panels")
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("toolbar-main")
        for key in TOOLBAR:
            toolbar.addSeparator() if key is None else toolbar.addAction(self.actions[key])

    def _connect(self) -> None:
        self.view_panel.sourceChanged.connect(self._show_source)
        self.view_panel.splitChanged.connect(self._show_split)
        self.canvas.zoomChanged.connect(lambda z: self.status.zoom.setText(f"{z * 100:.0f}%"))
        self.region.changed.connect(lambda: self.canvas.set_region_outline(self.region.outline()))
        self.jobs.busyChanged.connect(self._busy_changed)
        self.jobs.progress.connect(self.status.set_progress)
        self.jobs.failed.connect(lambda message: QMessageBox.critical(self, "JPEG Explorer", message))
        self.jobs.cancelled.connect(self._cancelled)

    def _cancelled(self) -> None:
        self.statusBar().showMessage("Cancelled: nothing was changed", 4000)
        if self.explorer.session is not None:
            self.explorer.discard()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_files:
            self.recent_menu.addAction(path, lambda p=path: self.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(self.settings.recent_files))

    def _set_file_actions_enabled(self, enabled: bool) -> None:
        for key in ("export", "save_session", "zoom_fit", "zoom_actual", "block_grid", "coarseness", "ambiguity"):
            self.actions[key].setEnabled(enabled)

    def _busy_changed(self, busy: bool) -> None:
        self.status.set_busy(busy)
        self.actions["cancel"].setEnabled(busy)
        for key in ("open", "open_session", "export"):
            self.actions[key].setEnabled(not busy and (key != "export" or self.opened is not None))
        if not busy:
            self.statusBar().showMessage("Ready", 2000)

    # -- opening ---------------------------------------------------------------------------------------
    def ask_open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open JPEG", self.settings.last_open_folder, JPEG_FILTER)
        if name:
            self.open_path(Path(name))

    def open_path(self, path: Path, restore_autosave: bool = False) -> bool:
        """Open ``path``; a file that cannot be used gets a dialog and leaves the current session as it was.
        The decode runs in the background; returns whether it started."""
        try:
            code = read_jpeg(path)
        except JpegError as error:
            QMessageBox.warning(self, "Cannot open this file", str(error))
            return False
        if self.jobs.busy:
            QMessageBox.information(self, "Busy", "Wait for the running computation or cancel it (Esc) first.")
            return False
        if self.fixed_model is None:
            self.model = load_model(self.settings.model, self.settings.model_size, self.settings.device)
        self.settings.last_open_folder = str(path.resolve().parent)
        self.jobs.start(f"Decoding {path.name}", open_job, path, code, self.model,
                        on_result=lambda opened: self.show_opened(opened, restore_autosave))
        return True

    def show_opened(self, opened: OpenedFile, restore_autosave: bool = False) -> None:
        """A decode finished: it becomes the window's file (with its autosaved session when asked, or
        when one is found and the user wants it back)."""
        if self.opened is not None:
            self.discard_autosave()
        self.opened = opened
        self.settings.add_recent(opened.path)
        self.images = {"plain": opened.plain, "network": opened.network, "current": opened.network}
        code = opened.code
        self.file_panel.show_code(code)
        height, width = opened.network.shape[:2]
        self.region.reset(height, width)
        offset = display_block_offset(code.orientation, code.height, code.width)
        self.canvas.grid.set_image_size(width, height, QPointF(*offset))
        self._show_source(self.view_panel.shown)
        self._show_split(self.view_panel.split)
        self.canvas.zoom_to_fit()
        self.show_map("coarseness" if self.actions["coarseness"].isChecked() else "")
        self.setWindowTitle(f"JPEG Explorer: {opened.path.name}")
        self.status.device.setText(f"device: {self.model.device.type}")
        self.status.model.setText(f"model: {self.model.label}")
        self.explorer.start(opened.session)
        self._set_file_actions_enabled(True)
        data, _ = autosave_paths(self.settings.autosave_folder, code.sha256)
        if data.exists() and (restore_autosave or QMessageBox.question(
                self, "Restore autosaved session?", f"An autosaved exploration of {opened.path.name} was found "
                "(the application did not close normally). Restore it?") == QMessageBox.StandardButton.Yes):
            self.open_session(data)
        if self.model.note:
            self.statusBar().showMessage(self.model.note, 8000)

    @staticmethod
    def is_consistent(*deltas) -> bool:
        """Whether every Δ map lies in [−½, ½], i.e. every coefficient re-quantizes to the file's."""
        return all(d is None or bool((d.abs() <= 0.5).all()) for d in deltas)

    def engine_region(self) -> EngineRegion | None:
        """The selection on the file's pixel grid, as the engine takes it; None when nothing is selected."""
        if self.opened is None or self.region.is_empty():
            return None
        mask = self.region.file_mask(self.opened.code.orientation)
        return EngineRegion(mask, "selection") if mask.any() else None

    def to_file_point(self, pos: QPointF) -> tuple[float, float]:
        """A canvas (display) position as (x, y) on the file's pixel grid."""
        code = self.opened.code
        return display_to_file_point(pos.x(), pos.y(), code.orientation, code.height, code.width)

    def _show_source(self, source: str) -> None:
        if source in self.images:
            self.canvas.set_image(self.images[source])

    def _show_split(self, source: str) -> None:
        """Image ``source`` left of the split divider; "" (or no file yet) shows no split."""
        self.canvas.set_split(self.images.get(source) if source else None, self._split_captions())

    def _split_captions(self) -> tuple[str, str]:
        panel = self.view_panel
        return f"A: {SOURCES[panel.split]}" if panel.split else "", f"B: {SOURCES[panel.shown]}"

    def set_current_image(self, image: np.ndarray) -> None:
        self.images["current"] = image
        if self.view_panel.shown == "current":
            self.canvas.set_image(image)
        if self.view_panel.split == "current":
            self.canvas.set_split(image, self._split_captions())
        if self.opened is not None:
            self.status.set_consistent(self.is_consistent(self.explorer.session.state.delta_y,
                                                          self.explorer.session.state.delta_c))

    # -- overlays --------------------------------------------------------------------------------------
    def show_block_grid(self, on: bool) -> None:
        self.canvas.grid.setVisible(on)
        self.settings.block_grid = on
        if on and self.opened is not None and self.canvas.zoom() < 3:
            self.statusBar().showMessage("The block grid shows from 300% zoom on", 4000)

    def show_map(self, name: str) -> None:
        """Show the named map over the image: "coarseness" (per block), "ambiguity" (per pixel, computed in
        the background); "" hides it."""
        if not name or self.opened is None:
            self.canvas.set_overlay(None)
            return
        orientation = self.opened.code.orientation
        if name == "coarseness":
            values = stretch(coarseness_map(self.opened.code))
            self.canvas.set_overlay(heat_rgba(to_display(values, orientation)), scale=8.0)
            return
        self.jobs.start("Ambiguity map", ambiguity_job, self.explorer.session, self.engine_region(),
                        AMBIGUITY_DECODES, on_result=self.show_ambiguity)

    def show_ambiguity(self, spread: np.ndarray) -> None:
        """Overlay a per-pixel spread map (file orientation), red where it is largest."""
        if self.actions["ambiguity"].isChecked():
            self.canvas.set_overlay(heat_rgba(to_display(stretch(spread), self.opened.code.orientation)))

    # -- export ----------------------------------------------------------------------------------------
    def ask_export(self) -> None:
        if self.opened is None:
            return
        suggestion = Path(self.settings.last_export_folder or self.opened.path.parent) / f"{self.opened.path.stem}.png"
        name, _ = QFileDialog.getSaveFileName(self, "Export verified PNG", str(suggestion), "PNG images (*.png)")
        if name:
            self.export_to(Path(name), self.settings.export_bit_depth)

    def export_to(self, path: Path, bit_depth: int = 16) -> None:
        """Export in the background; the result dialog opens when the verification is done."""
        self.settings.last_export_folder = str(path.resolve().parent)
        self.jobs.start(f"Exporting and verifying {path.name}", export_job, self.explorer.session, path, bit_depth,
                        on_result=lambda result: self.show_export_result(*result))

    def show_export_result(self, path: Path, report: VerificationReport) -> None:
        self.statusBar().showMessage(report.summary(), 15000)
        self.export_result = ExportResultDialog(report, path, self)
        self.export_result.open()

    # -- sessions --------------------------------------------------------------------------------------
    def ask_save_session(self) -> None:
        suggestion = self.opened.path.with_suffix(".jxs")
        name, _ = QFileDialog.getSaveFileName(self, "Save session", str(suggestion), SESSION_FILTER)
        if name:
            self.save_session(Path(name))

    def save_session(self, path: Path) -> None:
        self.explorer.save(path)
        self.statusBar().showMessage(f"Session saved to {path}", 6000)

    def ask_open_session(self) -> None:
        if self.opened is None:
            QMessageBox.information(self, "Open session", "Open the JPEG file the session belongs to first.")
            return
        name, _ = QFileDialog.getOpenFileName(self, "Open session", str(self.opened.path.parent), SESSION_FILTER)
        if name:
            self.open_session(Path(name))

    def open_session(self, path: Path) -> bool:
        """Reopen a saved session on the open file; a session of another file or model gets a dialog."""
        try:
            session = load_session(path, self.opened.code, self.model.decoder, self.model.device)
        except SessionFileError as error:
            QMessageBox.warning(self, "Cannot open this session", str(error))
            return False
        self.opened.session = session
        self.explorer.start(session, dirty=path.parent == self.settings.autosave_folder)
        self.statusBar().showMessage(f"Session {path.name} reopened", 6000)
        return True

    def autosave(self) -> None:
        """Save the session for crash recovery a little after the last change."""
        if self.explorer.session is not None and self.explorer.session.history.entries:
            self.autosave_timer.start(1000 * self.settings.autosave_seconds)

    def autosave_now(self) -> None:
        """Write the autosave, or retry in a second while a job runs (it may be changing the session)."""
        if self.jobs.busy:
            self.autosave_timer.start(1000)
        elif self.explorer.session is not None:
            write_autosave(self.explorer.session, self.settings.autosave_folder)

    def discard_autosave(self) -> None:
        self.autosave_timer.stop()
        for path in autosave_paths(self.settings.autosave_folder, self.opened.code.sha256):
            path.unlink(missing_ok=True)

    def confirm_leaving(self) -> bool:
        """Offer to save unsaved edits; False when the user cancels (or cancels the save dialog)."""
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self, "Unsaved exploration", "Save the session before closing?", buttons)
        if answer == QMessageBox.StandardButton.Save:
            self.ask_save_session()
            return not self.explorer.dirty
        return answer != QMessageBox.StandardButton.Cancel

    def offer_autosaves(self) -> None:
        """At start-up: offer back the newest session a crash left behind."""
        found = pending_autosaves(self.settings.autosave_folder)
        if found and Path(found[0][1]).exists() and QMessageBox.question(
                self, "Restore autosaved session?", f"The last exploration of {found[0][1]} was not closed "
                "normally. Reopen it with its autosaved session?") == QMessageBox.StandardButton.Yes:
            self.open_path(Path(found[0][1]), restore_autosave=True)

    # -- preferences and closing -----------------------------------------------------------------------
    def ask_preferences(self) -> None:
        PreferencesDialog(self.settings, self).exec()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(Path(urls[0].toLocalFile()))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.explorer.dirty and not self.confirm_leaving():
            event.ignore()
            return
        self.jobs.shutdown()
        if self.opened is not None:
            self.discard_autosave()
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState(LAYOUT_VERSION)
        self.settings.sync()
        super().closeEvent(event)
