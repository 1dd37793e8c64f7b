"""The main window: assembles the canvas, the panels, the menus and the status bar, and carries out the
file-level commands (open, export). Tool panels and history live in their own modules."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PyQt6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMenu, QMessageBox, QWidget

from ..codec import JpegError, read_jpeg, to_display
from ..verify.report import VerificationReport
from .actions import build_actions
from .canvas import ImageCanvas
from .export_dialog import ExportResultDialog
from .file_panel import FilePanel
from .icons import icon
from .jobs import Jobs
from .loading import LoadedModel, OpenedFile, export_job, load_model, open_job
from .geometry import display_block_offset
from .maps import coarseness_map, heat_rgba
from .preferences import PreferencesDialog
from .region_panel import RegionPanel
from .regions import Region
from .settings import Settings
from .status import StatusPanel
from .view_panel import ViewPanel

JPEG_FILTER = "JPEG images (*.jpg *.jpeg *.jpe *.jfif *.JPG *.JPEG);;All files (*)"
MENUS = {
    "&File": ("open", "recent", "open_session", "save_session", "export", None, "preferences", None, "quit"),
    "&Edit": ("undo", "redo", None, "cancel"),
    "&View": ("zoom_fit", "zoom_actual", "zoom_in", "zoom_out", None, "show_plain", "show_network",
              "show_current", "flicker", None, "block_grid", "coarseness"),
    "&Region": ("pan", "select_rectangle", "select_polygon", "select_freehand", None, "select_invert",
                "select_clear"),
}
TOOLBAR = ("open", "export", None, "undo", "redo", None, "zoom_fit", "zoom_actual", None, "pan", "select_rectangle",
           "select_polygon", "select_freehand", "select_invert", "select_clear", None, "block_grid", "coarseness",
           "flicker", None, "cancel")


class MainWindow(QMainWindow):
    """``MainWindow(settings, model)``: ``model`` overrides the decoder chosen from the preferences (tests)."""

    def __init__(self, settings: Settings | None = None, model: LoadedModel | None = None) -> None:
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
        self._build_menus()
        self._connect()
        self.actions["show_current"].setChecked(True)
        self.actions["pan"].setChecked(True)
        self.actions["block_grid"].setChecked(self.settings.block_grid)
        self._set_file_actions_enabled(False)
        self.resize(1280, 860)
        if not self.settings.window_geometry.isEmpty():
            self.restoreGeometry(self.settings.window_geometry)
            self.restoreState(self.settings.window_state)

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
        self.canvas.zoomChanged.connect(lambda z: self.status.zoom.setText(f"{z * 100:.0f}%"))
        self.region.changed.connect(lambda: self.canvas.set_region_outline(self.region.outline()))
        self.jobs.busyChanged.connect(self._busy_changed)
        self.jobs.progress.connect(self.status.set_progress)
        self.jobs.failed.connect(lambda message: QMessageBox.critical(self, "JPEG Explorer", message))
        self.jobs.cancelled.connect(lambda: self.statusBar().showMessage("Cancelled", 4000))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_files:
            self.recent_menu.addAction(path, lambda p=path: self.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(self.settings.recent_files))

    def _set_file_actions_enabled(self, enabled: bool) -> None:
        for key in ("export", "save_session", "zoom_fit", "zoom_actual", "block_grid", "coarseness"):
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

    def open_path(self, path: Path) -> bool:
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
        self.jobs.start(f"Decoding {path.name}", open_job, path, code, self.model, on_result=self.show_opened)
        return True

    def show_opened(self, opened: OpenedFile) -> None:
        """A decode finished: it becomes the window's file."""
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
        self.canvas.zoom_to_fit()
        self.show_map("coarseness" if self.actions["coarseness"].isChecked() else "")
        self.setWindowTitle(f"JPEG Explorer: {opened.path.name}")
        self.status.device.setText(f"device: {self.model.device.type}")
        self.status.model.setText(f"model: {self.model.label}")
        self.status.set_consistent(self.is_consistent(opened.output))
        self._set_file_actions_enabled(True)
        if self.model.note:
            self.statusBar().showMessage(self.model.note, 8000)

    @staticmethod
    def is_consistent(output: dict) -> bool:
        return all(d is None or bool((d.abs() <= 0.5).all()) for d in (output["delta_y"], output["delta_c"]))

    def _show_source(self, source: str) -> None:
        if source in self.images:
            self.canvas.set_image(self.images[source])

    def set_current_image(self, image: np.ndarray) -> None:
        self.images["current"] = image
        if self.view_panel.shown == "current":
            self.canvas.set_image(image)

    # -- overlays --------------------------------------------------------------------------------------
    def show_block_grid(self, on: bool) -> None:
        self.canvas.grid.setVisible(on)
        self.settings.block_grid = on
        if on and self.opened is not None and self.canvas.zoom() < 3:
            self.statusBar().showMessage("The block grid shows from 300% zoom on", 4000)

    def show_map(self, name: str) -> None:
        """Show the named per-block map over the image ("" hides it)."""
        if not name or self.opened is None:
            self.canvas.set_overlay(None)
            return
        values = to_display(coarseness_map(self.opened.code), self.opened.code.orientation)
        self.canvas.set_overlay(heat_rgba(values), scale=8.0)

    # -- export ----------------------------------------------------------------------------------------
    def ask_export(self) -> None:
        if self.opened is None:
            return
        suggestion = Path(self.settings.last_export_folder or self.opened.path.parent) / f"{self.opened.path.stem}.png"
        name, _ = QFileDialog.getSaveFileName(self, "Export verified PNG", str(suggestion), "PNG images (*.png)")
        if name:
            self.export_to(Path(name), self.settings.export_bit_depth)

    def current_output(self) -> dict:
        """The decoder output of the current image (what export writes)."""
        return self.opened.output

    def history_for_report(self) -> list[dict[str, object]]:
        return []

    def export_to(self, path: Path, bit_depth: int = 16) -> None:
        """Export in the background; the result dialog opens when the verification is done."""
        self.settings.last_export_folder = str(path.resolve().parent)
        self.jobs.start(f"Exporting and verifying {path.name}", export_job, self.current_output(),
                        self.opened.code, path, bit_depth, self.model.description, self.history_for_report(),
                        on_result=lambda result: self.show_export_result(*result))

    def show_export_result(self, path: Path, report: VerificationReport) -> None:
        self.statusBar().showMessage(report.summary(), 15000)
        self.export_result = ExportResultDialog(report, path, self)
        self.export_result.open()

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
        self.jobs.shutdown()
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.sync()
        super().closeEvent(event)
