"""The main window: assembles the canvas, the panels, the menus and the status bar, and carries out the
file-level commands (open, export, sessions, closing). Tool panels, history and jobs live in their own
modules; nothing here touches the whole photo's pixels on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QPointF, Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PyQt6.QtWidgets import QApplication, QDockWidget, QFileDialog, QMainWindow, QMenu, QMessageBox, QWidget

from ...codec import JpegCode, to_display
from ...verify.encoders import Encoder
from ...verify.report import VerificationReport
from ..canvas.canvas import ImageCanvas
from ..canvas.images import map_image
from ..canvas.selection import Selection
from ..dialogs.export_choice import ExportChoice, ExportDialog
from ..dialogs.export_result import ExportResultDialog, repaired_for
from ..dialogs.help import ABOUT, ShortcutsDialog
from ..dialogs.preferences import PreferencesDialog
from ..jobs.edits import MapShown, ambiguity_job
from ..jobs.explorer import Explorer
from ..jobs.exporting import export_job
from ..jobs.opening import FirstView, LoadedModel, NetworkView, OpenedFile, load_model, open_job
from ..jobs.restoring import Restored
from ..jobs.runner import Jobs
from ..jobs.saving import SessionWriter
from ..model.candidates import CandidateSet, Changed, Shown
from ..model.geometry import display_block_offset, display_size
from ..model.maps import coarseness_map, heat_rgba, stretch
from ..model.readout import readout
from ..model.records import outcome_texts, tool_words
from ..panels.file import FilePanel
from ..panels.history import HistoryPanel
from ..panels.region import REGION_ACTIONS, RegionPanel
from ..panels.status import StatusPanel
from ..panels.toolbox import ToolBox, scrolling
from ..panels.view import SOURCES, ViewPanel
from ..settings import Settings
from ..tools.alternatives import AlternativesPanel
from ..tools.base import ToolPanel
from ..tools.brightness import BrightnessPanel
from ..tools.glyphs import GlyphPanel
from ..tools.host import ToolHost
from ..tools.hue_saturation import HueSaturationPanel
from ..tools.imitate import ImitatePanel
from ..tools.imprint import ImprintPanel
from ..tools.periodicity import PeriodicityPanel
from ..tools.scribble import ScribblePanel
from ..tools.total_variation import TotalVariationPanel
from ..tools.variance import VariancePanel
from ..widgets.icons import icon
from ..widgets.qt import present
from .actions import ACTIONS, BUSY_BLOCKED, ActionTargets, bind_actions, build_actions, tool_specs
from .sessions import JPEG_FILTER, SessionCommands

AMBIGUITY_DECODES = 6
LAYOUT_VERSION = 3
"""Bumped when the panels change, so a saved arrangement of older panels is not restored."""
DOCK_WIDTHS = {"left": 280, "right": 330}
"""At 1280 px the canvas keeps more than half the width."""
SIMPLE_TOOL_PANELS = (
    ScribblePanel,
    ImprintPanel,
    BrightnessPanel,
    VariancePanel,
    TotalVariationPanel,
    HueSaturationPanel,
    PeriodicityPanel,
    ImitatePanel,
    AlternativesPanel,
)
MENUS = {
    "&File": ("open", "recent", "open_session", "save_session", "export", None, "preferences", None, "quit"),
    "&Edit": ("undo", "redo", None, "apply", "cancel"),
    "&View": (
        "zoom_fit",
        "zoom_actual",
        "zoom_in",
        "zoom_out",
        None,
        "show_plain",
        "show_network",
        "show_current",
        "flicker",
        "split",
        None,
        "block_grid",
        "coarseness",
        "ambiguity",
    ),
    "&Region": (
        "pan",
        "select_rectangle",
        "select_polygon",
        "select_freehand",
        "select_brush",
        "select_erase",
        None,
        "select_invert",
        "select_clear",
    ),
}
TOOLBAR = (
    "open",
    "export",
    None,
    "undo",
    "redo",
    None,
    "zoom_fit",
    "zoom_actual",
    None,
    *REGION_ACTIONS,
    None,
    "block_grid",
    "coarseness",
    "ambiguity",
    "flicker",
    "split",
    None,
    "cancel",
)
ON_FILE = ("zoom_fit", "zoom_actual", "zoom_in", "zoom_out", "block_grid", "coarseness")
"""Actions that need an image on screen (libjpeg's decode is enough)."""


def quit_if_last_window() -> None:
    """End the application as closing its last visible window would (this one hid itself to close)."""
    app = QApplication.instance()
    if (
        isinstance(app, QApplication)
        and app.quitOnLastWindowClosed()
        and not any(w.isVisible() for w in app.topLevelWidgets())
    ):
        QTimer.singleShot(0, app.quit)


class MainWindow(QMainWindow):
    """``model`` overrides the shipped decoder (tests)."""

    def __init__(self, settings: Settings | None = None, model: LoadedModel | None = None) -> None:
        super().__init__()
        self.setWindowTitle("JPEG Explorer")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.settings = settings or Settings()
        self.fixed_model = model
        self.model: LoadedModel | None = model
        self.opened: OpenedFile | None = None
        self.shown_code: JpegCode | None = None
        """The file on screen: the open one, or the one being opened once libjpeg's decode shows."""
        self.images: dict[str, np.ndarray] = {}
        self.export_dialog: ExportDialog | None = None
        self.export_result: ExportResultDialog | None = None
        self.closing = False
        self.report_failure: Callable[[str], None] | None = None
        """Where a failed job or file goes instead of a dialog (a screenshot run has no one to click OK)."""
        self.keep_autosave = False
        """Set when closing during a job: the autosave then written is what the next start offers back."""
        self.jobs = Jobs()
        self.writer = SessionWriter()
        self.explorer = Explorer(self.jobs, self.settings)
        self.region = Selection()
        self.canvas = ImageCanvas()
        self.setCentralWidget(self.canvas)
        self.commands = build_actions(self)
        """Every command's QAction by key (not ``self.actions``: that would hide ``QWidget.actions()``)."""
        self.host = ToolHost(self.explorer, self.jobs, self.canvas, self.region, self.commands["pan"])
        panels: list[ToolPanel] = [
            *[cls(self.host) for cls in SIMPLE_TOOL_PANELS],
            GlyphPanel(self.host),
        ]
        self.tool_panels = {panel.title: panel for panel in panels}
        self.toolbox = ToolBox(panels)
        tools = tool_specs(panels)
        self.commands.update(build_actions(self, tools))
        self.view_panel = ViewPanel(self.commands)
        self.file_panel = FilePanel()
        self.region_panel = RegionPanel(self.commands, self.region)
        self.history_panel = HistoryPanel(self.explorer, self.commands)
        self.status = StatusPanel(present(self.statusBar()), self.commands["cancel"])
        self.sessions = SessionCommands(self, self, self.explorer, self.jobs, self.writer, self.settings, self.status)
        targets = ActionTargets(
            self,
            self.sessions,
            self.explorer,
            self.jobs,
            self.canvas,
            self.region,
            self.region_panel.brush_radius,
            self.view_panel,
            self.toolbox,
        )
        bind_actions(self.commands, ACTIONS + tools, targets)
        self.docks: dict[str, QDockWidget] = {}
        self._arrange_panels()
        self._build_menus()
        self._connect()
        self.commands["show_current"].setChecked(True)
        self.commands["pan"].setChecked(True)
        self.commands["block_grid"].setChecked(self.settings.block_grid)
        self.commands[f"tool:{panels[0].title}"].setChecked(True)
        self._update_actions()
        self._initial_size()

    # -- assembly --------------------------------------------------------------------------------------
    def add_panel(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, scroll: bool = True) -> QDockWidget:
        """Dock ``widget`` as a movable panel named ``title`` (scrolling when taller than its room)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"panel-{title}")
        dock.setWidget(scrolling(widget) if scroll else widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock
        return dock

    def _arrange_panels(self) -> None:
        """File and View as tabs over Region on the left; Tools over History on the right."""
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.add_panel("File", self.file_panel, left)
        self.add_panel("Region", self.region_panel, left)
        self.add_panel("Tools", self.toolbox, right, scroll=False)
        self.add_panel("History", self.history_panel, right, scroll=False)
        self.splitDockWidget(self.docks["File"], self.docks["Region"], Qt.Orientation.Vertical)
        self.splitDockWidget(self.docks["Tools"], self.docks["History"], Qt.Orientation.Vertical)
        self.add_panel("View", self.view_panel, left)
        self.tabifyDockWidget(self.docks["File"], self.docks["View"])
        self.docks["File"].raise_()
        self.resizeDocks(
            [self.docks["File"], self.docks["Tools"]],
            [DOCK_WIDTHS["left"], DOCK_WIDTHS["right"]],
            Qt.Orientation.Horizontal,
        )
        self.resizeDocks([self.docks["File"], self.docks["Region"]], [460, 240], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["Tools"], self.docks["History"]], [520, 200], Qt.Orientation.Vertical)

    def _initial_size(self) -> None:
        """The saved geometry, or most of the screen up to 1440×900."""
        screen = present(QGuiApplication.primaryScreen()).availableGeometry()
        self.resize(min(1440, max(1280, int(screen.width() * 0.9))), min(900, max(760, int(screen.height() * 0.9))))
        if not self.settings.window_geometry.isEmpty():
            self.restoreGeometry(self.settings.window_geometry)
            self.restoreState(self.settings.window_state, LAYOUT_VERSION)

    def _build_menus(self) -> None:
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.setIcon(icon("history"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        bar = present(self.menuBar())
        for title, keys in MENUS.items():
            menu = present(bar.addMenu(title))
            for key in keys:
                if key is None:
                    menu.addSeparator()
                elif key == "recent":
                    menu.addMenu(self.recent_menu)
                else:
                    menu.addAction(self.commands[key])
        tools = present(bar.addMenu("&Tools"))
        for title in self.tool_panels:
            tools.addAction(self.commands[f"tool:{title}"])
        tools.addSeparator()
        tools.addAction(self.commands["apply"])
        self.panels_menu = present(bar.addMenu("&Panels"))
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        help_menu = present(bar.addMenu("&Help"))
        help_menu.addAction(self.commands["shortcuts"])
        help_menu.addAction(self.commands["about"])
        toolbar = present(self.addToolBar("Main"))
        toolbar.setObjectName("toolbar-main")
        for key in TOOLBAR:
            toolbar.addSeparator() if key is None else toolbar.addAction(self.commands[key])

    def _connect(self) -> None:
        self.view_panel.sourceChanged.connect(self._show_source)
        self.view_panel.splitChanged.connect(self._show_split)
        self.canvas.zoomChanged.connect(lambda z: self.status.zoom.setText(f"{z * 100:.0f}%"))
        self.canvas.hovered.connect(self._show_readout)
        self.canvas.left.connect(self.status.hide_readout)
        self.region.changed.connect(lambda: self.canvas.set_region_outline(self.region.outline()))
        self.jobs.busyChanged.connect(self._busy_changed)
        self.jobs.progress.connect(self.status.set_progress)
        self.jobs.failed.connect(self._failed)
        self.jobs.cancelled.connect(self._cancelled)
        self.explorer.imageChanged.connect(self._show_change)
        self.explorer.previewed.connect(self._show_preview)
        self.explorer.previewCleared.connect(self._clear_preview)
        self.explorer.committed.connect(self._committed)
        self.explorer.candidatesFound.connect(self._candidates_found)
        self.explorer.moved.connect(self.status.say)
        self.explorer.changed.connect(self._update_actions)
        self.explorer.changed.connect(self.sessions.autosave)
        self.toolbox.panelChanged.connect(lambda title: self.commands[f"tool:{title}"].setChecked(True))
        self.jobs.finished.connect(self._close_when_idle)
        self.writer.idle.connect(self._close_when_idle)
        self.writer.failed.connect(lambda path, message: self.status.say(f"Could not save {path}: {message}", False))

    # -- state of the commands -------------------------------------------------------------------------
    def _update_actions(self) -> None:
        busy, session = self.jobs.busy, self.explorer.session
        history = session.history if session is not None else None
        can = {key: not busy for key in BUSY_BLOCKED}
        for key in ("save_session", "export", "apply", "ambiguity"):
            can[key] = can[key] and session is not None
        can["undo"] = can["undo"] and history is not None and history.position > 0
        can["redo"] = can["redo"] and history is not None and history.position < len(history.entries)
        for key, enabled in can.items():
            self.commands[key].setEnabled(enabled)
        for key in ON_FILE:
            self.commands[key].setEnabled(self.shown_code is not None)
        self.commands["cancel"].setEnabled(busy)

    def _busy_changed(self, busy: bool) -> None:
        self.status.set_busy(busy)
        self._update_actions()

    def _failed(self, message: str) -> None:
        self.status.say(message, False)
        if self.report_failure is not None:
            self.report_failure(message)
        elif not self.closing:
            QMessageBox.critical(self, "JPEG Explorer", message)

    def _cancelled(self, label: str) -> None:
        self._clear_preview()
        if self.opened is None or self.shown_code is not self.opened.code:
            self._show_file_again()
        self.status.say(f"Cancelled: {label} stopped, nothing was changed")

    # -- opening ---------------------------------------------------------------------------------------
    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_files:
            self.recent_menu.addAction(path, lambda p=path: self.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(self.settings.recent_files))

    def ask_open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open JPEG", self.settings.last_open_folder, JPEG_FILTER)
        if name:
            self.open_path(Path(name))

    def open_path(self, path: Path, session_file: Path | None = None) -> bool:
        """Open ``path`` in the background (libjpeg's decode shows at once, the network's follows), with
        ``session_file`` restored into it when given. Returns whether it started; a file that cannot be
        used gets a dialog and leaves the current session as it was."""
        if self.jobs.busy:
            self.status.say("Busy: wait for the running computation or cancel it (Esc) first.")
            return False
        if session_file is None and self.explorer.dirty and not self.sessions.confirm_leaving():
            return False
        if self.fixed_model is None:
            self.model = load_model(self.settings.model, self.settings.model_size, self.settings.device)
        self.settings.last_open_folder = str(path.resolve().parent)
        self.jobs.start(
            f"Opening {path.name}",
            open_job,
            path,
            self.model,
            session_file,
            on_preview=self._opening,
            on_result=self.show_opened,
            on_error=lambda error: self._open_failed(path, error),
        )
        return True

    def _open_failed(self, path: Path, error: BaseException) -> None:
        self._show_file_again()
        text = str(error) if str(error).startswith(str(path)) else f"{path}: {error}"
        self.status.say(f"Cannot open {path.name}", False)
        if self.report_failure is not None:
            self.report_failure(text.splitlines()[0] if text else str(path))
            return
        QMessageBox.warning(self, "Cannot open this file", text.splitlines()[0] if text else str(path))

    def _opening(self, view: FirstView | NetworkView) -> None:
        """What an opening file has to show so far: libjpeg's decode, then the network's."""
        if isinstance(view, FirstView):
            self._first_view(view)
        else:
            self.canvas.set_source("current", view.network_image)
            self.images["current"] = view.network
            self._show_source(self.view_panel.shown)
            self.status.say("Network decode shown; getting ready for edits")

    def _first_view(self, view: FirstView) -> None:
        """The file is read: show libjpeg's decode now, while the network decodes in the background."""
        self.canvas.forget_sources()
        self.canvas.set_source("plain", view.plain_image)
        self.canvas.show_source("plain")
        self.images = {"plain": view.plain}
        self._show_code(view.code, view.path)
        self.status.set_consistent(None)
        self.status.say(f"{view.path.name}: libjpeg's decode shown; the network decode follows")

    def _show_code(self, code: JpegCode, path: Path) -> None:
        """Everything that depends only on the file: its facts, the region's size, the grid, the title."""
        self.shown_code = code
        self.file_panel.show_code(code)
        height, width = display_size(code.orientation, code.height, code.width)
        self.region.reset(height, width)
        self.canvas.grid.set_image_size(
            width, height, QPointF(*display_block_offset(code.orientation, code.height, code.width))
        )
        self.canvas.zoom_to_fit()
        self.setWindowTitle(f"JPEG Explorer: {path.name}")
        self.show_map(self._map_shown())
        self._update_actions()

    def _show_file_again(self) -> None:
        """Back to the open file's view (or the empty window) after an open that did not finish."""
        if self.opened is None:
            self.canvas.forget_sources()
            self.shown_code, self.images = None, {}
            self.setWindowTitle("JPEG Explorer")
            self._update_actions()
            return
        for name, image in self.opened.screens.items():
            self.canvas.set_source(name, image)
        self.images = {"plain": self.opened.plain, "network": self.opened.network, "current": self.opened.current}
        self._show_code(self.opened.code, self.opened.path)
        self._show_source(self.view_panel.shown)

    def show_opened(self, opened: OpenedFile) -> None:
        """A decode finished: it becomes the window's file (with the session restored into it when one
        was given); an autosave left behind for this file is offered back."""
        if self.opened is not None and self.opened.code.sha256 != opened.code.sha256:
            self.sessions.discard_autosave()
        self.opened = opened
        self.settings.add_recent(opened.path)
        self.images = {"plain": opened.plain, "network": opened.network, "current": opened.current}
        for name, image in opened.screens.items():
            self.canvas.set_source(name, image)
        if self.shown_code is not opened.code:
            self._show_code(opened.code, opened.path)
        self._show_source(self.view_panel.shown)
        self._show_split(self.view_panel.split)
        model = self.model
        assert model is not None  # open_path loaded it before starting the job
        self.status.device.setText(f"device: {model.device.type}")
        self.status.model.setText(f"model: {model.label}")
        self.status.set_consistent(opened.consistent)
        from_autosave = opened.restored is not None and opened.restored.parent == self.settings.autosave_folder
        self.explorer.start(opened.session, dirty=from_autosave)
        if opened.restored is not None:
            self.sessions.say_restored(opened.restored, opened.path.name, opened.session.base_matches)
        else:
            height, width = display_size(opened.code.orientation, opened.code.height, opened.code.width)
            self.status.say(f"{opened.path.name} opened: {width} × {height}; select a region and pick a tool")
            self.sessions.offer_autosave(opened)
        if model.note:
            self.status.say(model.note)

    def show_restored(self, restored: Restored) -> None:
        """A session was restored into the open file: its current image replaces the shown one."""
        assert self.opened is not None
        self.images["current"] = self.opened.current = restored.current
        self.opened.screens["current"] = restored.screen
        self.canvas.set_source("current", restored.screen)
        self.status.set_consistent(restored.consistent)

    def _show_source(self, source: str) -> None:
        if source in self.canvas.images.sources:
            self.canvas.show_source(source)

    def _show_split(self, source: str) -> None:
        """Image ``source`` left of the split divider; "" (or no file yet) shows no split."""
        panel = self.view_panel
        captions = (f"A: {SOURCES[panel.split]}" if panel.split else "", f"B: {SOURCES[panel.shown]}")
        self.canvas.set_split(source if source in self.canvas.images.sources else "", captions)

    # -- the current image -----------------------------------------------------------------------------
    def _show_change(self, change: Changed) -> None:
        """Part of the current image changed (commit, undo, redo): paste just that part."""
        shown = change.shown
        height, width = shown.pixels.shape[:2]
        self.images["current"][shown.top : shown.top + height, shown.left : shown.left + width] = shown.pixels
        self.canvas.update_source("current", shown.pixels, shown.left, shown.top)
        self.status.set_consistent(change.consistent)

    def _show_preview(self, shown: Shown) -> None:
        """A live preview or a candidate, over the current image (when the current image is shown)."""
        if self.view_panel.shown == "current":
            self.canvas.paste(shown.pixels, shown.left, shown.top)
            self.canvas.tint_region(False)

    def _clear_preview(self) -> None:
        self.canvas.clear_preview()
        self.canvas.tint_region(True)

    def _committed(self, record: dict[str, object], panel: ToolPanel) -> None:
        reached = "; ".join(outcome_texts(record))
        self.status.say(f"{tool_words(record)}" + (f" — {reached}" if reached else ""))

    def _candidates_found(self, panel: ToolPanel, found: CandidateSet) -> None:
        hint = " Click one to see it, then Keep it." if found.candidates else ""
        self.status.say(f"{panel.title}: {found.verdict}{hint}")

    def _show_readout(self, x: float, y: float) -> None:
        shown = (
            self.images.get(self.view_panel.shown) if self.view_panel.shown in self.images else self.images.get("plain")
        )
        if self.shown_code is None or shown is None:
            return
        self.status.show_readout(*readout(self.shown_code, shown, x, y))

    # -- overlays --------------------------------------------------------------------------------------
    def show_block_grid(self, on: bool) -> None:
        self.canvas.grid.setVisible(on)
        self.settings.block_grid = on
        if on and self.shown_code is not None and self.canvas.zoom() < 3:
            self.status.say("The block grid shows from 300% zoom on (Ctrl+= zooms in)")

    def _map_shown(self) -> str:
        return next((name for name in ("coarseness", "ambiguity") if self.commands[name].isChecked()), "")

    def show_map(self, name: str) -> None:
        """Show the named map over the image with its legend: "coarseness" (per block), "ambiguity" (per
        pixel, computed in the background); "" hides it."""
        if not name or self.shown_code is None:
            self.canvas.set_overlay(None)
            self.canvas.legend.hide()
            return
        code = self.shown_code
        if name == "coarseness":
            values, low, high = stretch(coarseness_map(code))
            self.canvas.set_overlay(map_image(heat_rgba(to_display(values, code.orientation))), scale=8.0)
            self.canvas.legend.show_map(
                "Quantization map: share of each 8×8 block's detail the file stored as "
                "zero (red: most room for other contents)",
                f"{100 * low:.0f}%",
                f"{100 * high:.0f}% of the step budget",
            )
            return
        if self.explorer.session is None or self.jobs.busy:
            self.commands["ambiguity"].setChecked(False)
            return
        self.jobs.start(
            "Ambiguity map",
            ambiguity_job,
            self.explorer.session,
            self.host.selection(),
            AMBIGUITY_DECODES,
            on_result=self.show_ambiguity,
        )

    def show_ambiguity(self, shown: MapShown) -> None:
        """Overlay the per-pixel spread map, red where it is largest, with its scale."""
        if self.commands["ambiguity"].isChecked():
            self.canvas.set_overlay(shown.image)
            self.canvas.legend.show_map(
                f"Ambiguity map: how much {AMBIGUITY_DECODES} random consistent decodes "
                "differ per pixel (red: the file leaves most room)",
                f"{shown.low:.1f}",
                f"{shown.high:.1f} grey levels (std. dev.)",
            )

    # -- export ----------------------------------------------------------------------------------------
    def ask_export(self) -> None:
        """The export dialog, proposing a folder outside the evidence and the writer last named for this
        file's bytes (else "not known"); accepting it starts the export."""
        if self.opened is None:
            return
        folder = self.settings.export_folder(self.opened.path)
        try:
            folder.mkdir(parents=True, exist_ok=True)  # the dialog opens in it
        except OSError:
            folder = Path.home()
        suggestion = folder / f"{self.opened.path.stem}.png"
        digest = self.opened.code.sha256
        dialog = ExportDialog(suggestion, self.settings.export_bit_depth, self.settings.writer_of(digest), self)
        dialog.accepted.connect(lambda: self.export_chosen(dialog.choice(), digest))
        self.export_dialog = dialog
        dialog.open()

    def export_chosen(self, choice: ExportChoice, digest: str) -> None:
        """Remember the depth, and the writer for the file with this digest; then export."""
        self.settings.export_bit_depth = choice.bit_depth
        self.settings.name_writer(digest, choice.writer.key if choice.writer else "")
        self.export_to(choice.path, choice.bit_depth, choice.writer)

    def export_to(self, path: Path, bit_depth: int = 0, writer: Encoder | None = None) -> None:
        """Export in the background at 8 or 16 bits (0: chosen by what verifies), repaired for ``writer``
        where it can be (None: not known); the result dialog opens when the verification is done."""
        if self.jobs.busy or self.explorer.session is None:
            return
        self.settings.last_export_folder = str(path.resolve().parent)
        self.jobs.start(
            f"Exporting {path.name}",
            export_job,
            self.explorer.session,
            path,
            bit_depth or None,
            writer,
            on_result=lambda result: self.show_export_result(*result),
        )
        self.status.say(f"Exporting {path.name}: the verdict follows when it is verified")

    def show_export_result(self, path: Path, report: VerificationReport) -> None:
        self.status.say(f"{report.summary()} ({repaired_for(report)})", report.verified)
        if not self.closing:
            self.export_result = ExportResultDialog(report, path, self)
            self.export_result.open()

    # -- help, preferences and closing -----------------------------------------------------------------
    def show_shortcuts(self) -> None:
        ShortcutsDialog(present(self.menuBar()), self).exec()

    def show_about(self) -> None:
        QMessageBox.about(self, "About JPEG Explorer", ABOUT)

    def ask_preferences(self) -> None:
        PreferencesDialog(self.settings, self).exec()

    def dragEnterEvent(self, event: QDragEnterEvent | None) -> None:
        assert event is not None
        if present(event.mimeData()).hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent | None) -> None:
        assert event is not None
        urls = [u for u in present(event.mimeData()).urls() if u.isLocalFile()]
        if urls:
            self.open_path(Path(urls[0].toLocalFile()))

    def closeEvent(self, event: QCloseEvent | None) -> None:
        """Closing never waits with a timeout and never loses work. While a job runs the window asks for it
        to stop, hides, and closes once it has; unsaved edits are then autosaved and kept for the next
        start. Otherwise unsaved edits are offered to be saved. Session files being written are waited for."""
        assert event is not None
        if not self.closing:
            if self.jobs.busy:
                if (
                    self.explorer.dirty
                    and QMessageBox.question(
                        self,
                        "Stop and close?",
                        f"{self.jobs.label} is running. Stop it and close? Your "
                        "exploration is autosaved and offered back at the next start.",
                        QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
                    )
                    == QMessageBox.StandardButton.Cancel
                ):
                    event.ignore()
                    return
                self.keep_autosave = self.explorer.dirty
                self.jobs.cancel()
            elif self.explorer.dirty and not self.sessions.confirm_leaving():
                event.ignore()
                return
            self.closing = True
        if self.jobs.busy or self.writer.pending:
            if self.isVisible():
                self.settings.window_geometry = self.saveGeometry()
                self.settings.window_state = self.saveState(LAYOUT_VERSION)
                self.hide()
            event.ignore()
            return
        if self.opened is not None and not self.keep_autosave:
            self.sessions.discard_autosave()
        self.sessions.autosave_timer.stop()
        if self.isVisible():
            self.settings.window_geometry = self.saveGeometry()
            self.settings.window_state = self.saveState(LAYOUT_VERSION)
        else:
            quit_if_last_window()  # closing a hidden window does not end the application by itself
        self.settings.sync()
        event.accept()

    def _close_when_idle(self) -> None:
        """While closing, a job or a write ended: autosave what the stopped job left unsaved, then close."""
        if not self.closing or self.jobs.busy or self.writer.pending:
            return
        session = self.explorer.session
        if self.keep_autosave and self.explorer.dirty and session is not None and session.history.entries:
            self.explorer.saved_generation = self.explorer.generation
            self.sessions.write_autosave(session, closing=True)
            return
        QTimer.singleShot(0, self.close)
