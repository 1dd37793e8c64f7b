"""Every user command as a plain function of the parts it acts on, and the one table of their names,
shortcuts, icons and tooltips. Menus, toolbars and panel buttons are all built from this table.

An action's ``run`` receives an :class:`ActionTargets`: the window's own commands (a Protocol: what the
table starts, nothing more) and the typed parts the window is assembled from. The QActions are made
first (panels show them as buttons) and bound to their targets once the parts exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import QWidget

from ..canvas.canvas import ImageCanvas
from ..canvas.interactions import REGION_INTERACTIONS, BrushStroke
from ..canvas.selection import Selection
from ..jobs.explorer import Explorer
from ..jobs.runner import Jobs
from ..panels.toolbox import ToolBox
from ..panels.view import ViewPanel
from ..tools.base import ToolPanel
from ..widgets.icons import icon
from .sessions import SessionCommands


class WindowCommands(Protocol):
    """The window-level commands of the table: dialogs, overlays, help and closing."""

    def ask_open(self) -> None: ...
    def ask_export(self) -> None: ...
    def ask_preferences(self) -> None: ...
    def close(self) -> bool: ...
    def show_block_grid(self, on: bool) -> None: ...
    def show_map(self, name: str) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_about(self) -> None: ...


@dataclass(frozen=True)
class ActionTargets:
    """What the actions act on: the window's commands, its session commands, the explorer (undo, redo),
    the jobs (cancel), the canvas (zoom, gestures), the selection, the brush radius the Region panel
    sets, the View panel and the Tools panel."""

    window: WindowCommands
    sessions: SessionCommands
    explorer: Explorer
    jobs: Jobs
    canvas: ImageCanvas
    selection: Selection
    brush_radius: Callable[[], float]
    view: ViewPanel
    toolbox: ToolBox


OPTIONAL_GROUPS = {"map", "comparison"}
"""Groups of checkable actions where at most one (rather than exactly one) is on."""


@dataclass(frozen=True)
class ActionSpec:
    key: str
    text: str
    shortcut: str
    icon: str
    tip: str
    run: Callable[..., None]
    """run(targets) when triggered; run(targets, checked) for a checkable action."""
    checkable: bool = False
    group: str = ""
    """Checkable actions sharing a group exclude each other."""
    short: str = ""
    """A shorter name for buttons beside other buttons (the full one in menus)."""


def _draw(name: str | None) -> Callable[[ActionTargets, bool], None]:
    def choose(targets: ActionTargets, checked: bool) -> None:
        if checked:
            targets.canvas.set_interaction(None if name is None else REGION_INTERACTIONS[name](), targets.selection.add)

    return choose


def _brush(erase: bool) -> Callable[[ActionTargets, bool], None]:
    def choose(targets: ActionTargets, checked: bool) -> None:
        if checked:
            selection = targets.selection
            targets.canvas.set_interaction(
                BrushStroke(targets.brush_radius), selection.subtract if erase else selection.add
            )

    return choose


def _show(source: str) -> Callable[[ActionTargets, bool], None]:
    def choose(targets: ActionTargets, checked: bool) -> None:
        if checked:
            targets.view.set_source(source)

    return choose


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open", "&Open JPEG…", "Ctrl+O", "open", "Open a JPEG file", lambda t: t.window.ask_open()),
    ActionSpec(
        "open_session",
        "Open &session…",
        "Ctrl+Shift+O",
        "session-open",
        "Reopen a saved exploration session",
        lambda t: t.sessions.ask_open_session(),
    ),
    ActionSpec(
        "save_session",
        "&Save session…",
        "Ctrl+S",
        "session-save",
        "Save the exploration (file hash, control signal z, history) to reopen it exactly",
        lambda t: t.sessions.ask_save_session(),
    ),
    ActionSpec(
        "export",
        "&Export verified PNG…",
        "Ctrl+E",
        "export",
        "Write the current image as a PNG, verified by re-compression, with a JSON report",
        lambda t: t.window.ask_export(),
    ),
    ActionSpec(
        "preferences",
        "&Preferences…",
        "Ctrl+,",
        "preferences",
        "Device, model and export settings",
        lambda t: t.window.ask_preferences(),
    ),
    ActionSpec("quit", "&Quit", "Ctrl+Q", "cancel", "Close the application", lambda t: t.window.close()),
    ActionSpec("undo", "&Undo", "Ctrl+Z", "undo", "Undo the last exploration step", lambda t: t.explorer.undo()),
    ActionSpec("redo", "&Redo", "Ctrl+Shift+Z", "redo", "Redo the step last undone", lambda t: t.explorer.redo()),
    ActionSpec("cancel", "&Cancel", "Esc", "cancel", "Stop the running computation", lambda t: t.jobs.cancel()),
    ActionSpec(
        "zoom_fit",
        "Zoom to &fit",
        "Ctrl+0",
        "zoom-fit",
        "Fit the whole image in the window",
        lambda t: t.canvas.zoom_to_fit(),
    ),
    ActionSpec(
        "zoom_actual",
        "&Actual pixels (1:1)",
        "Ctrl+1",
        "zoom-actual",
        "One image pixel per screen pixel",
        lambda t: t.canvas.zoom_actual_size(),
    ),
    ActionSpec("zoom_in", "Zoom &in", "Ctrl+=", "zoom-in", "Zoom in", lambda t: t.canvas.zoom_by(1.25)),
    ActionSpec("zoom_out", "Zoom &out", "Ctrl+-", "zoom-out", "Zoom out", lambda t: t.canvas.zoom_by(0.8)),
    ActionSpec(
        "block_grid",
        "8×8 block &grid",
        "G",
        "grid",
        "Show the JPEG's 8×8 block boundaries (visible from 300% zoom)",
        lambda t, on: t.window.show_block_grid(on),
        checkable=True,
    ),
    ActionSpec(
        "coarseness",
        "&Quantization map",
        "Q",
        "qstep-map",
        "Overlay where the file is coarse: share of each block's detail stored as zero, weighted by the "
        "quantization step, relative within this file (red = most room for other contents)",
        lambda t, on: t.window.show_map("coarseness" if on else ""),
        checkable=True,
        group="map",
    ),
    ActionSpec(
        "ambiguity",
        "A&mbiguity map",
        "M",
        "ambiguity",
        "Overlay where the file leaves room: per-pixel spread of decodes with random z, relative within "
        "the image (in the selection, or the whole image)",
        lambda t, on: t.window.show_map("ambiguity" if on else ""),
        checkable=True,
        group="map",
    ),
    ActionSpec(
        "show_plain",
        "Show &libjpeg decode",
        "1",
        "compare",
        "Show the plain libjpeg decode of the file",
        _show("plain"),
        checkable=True,
        group="source",
    ),
    ActionSpec(
        "show_network",
        "Show &network decode",
        "2",
        "compare",
        "Show the network's decode before any edit",
        _show("network"),
        checkable=True,
        group="source",
    ),
    ActionSpec(
        "show_current",
        "Show &current image",
        "3",
        "compare",
        "Show the current explored image",
        _show("current"),
        checkable=True,
        group="source",
    ),
    ActionSpec(
        "flicker",
        "&Flicker A/B",
        "X",
        "flicker",
        "Alternate between the two images chosen as A and B",
        lambda t, on: t.view.set_flicker(on),
        checkable=True,
        group="comparison",
    ),
    ActionSpec(
        "split",
        "&Split A|B",
        "V",
        "split",
        "Show image A left of a divider and image B right of it; drag the divider to sweep across",
        lambda t, on: t.view.set_split(on),
        checkable=True,
        group="comparison",
    ),
    ActionSpec(
        "pan", "&Pan", "H", "pan", "Drag to pan the view", _draw(None), checkable=True, group="draw", short="Pan"
    ),
    ActionSpec(
        "select_rectangle",
        "&Rectangle selection",
        "R",
        "select-rectangle",
        "Drag a rectangle to add it to the region",
        _draw("rectangle"),
        checkable=True,
        group="draw",
        short="Rectangle",
    ),
    ActionSpec(
        "select_polygon",
        "P&olygon selection",
        "P",
        "select-polygon",
        "Click corners, double-click to close the polygon",
        _draw("polygon"),
        checkable=True,
        group="draw",
        short="Polygon",
    ),
    ActionSpec(
        "select_freehand",
        "&Free-hand selection",
        "L",
        "select-freehand",
        "Drag along an outline to add it to the region",
        _draw("freehand"),
        checkable=True,
        group="draw",
        short="Free-hand",
    ),
    ActionSpec(
        "select_brush",
        "&Brush selection",
        "B",
        "select-brush",
        "Paint the region with a round brush (its size is set in the Region panel)",
        _brush(erase=False),
        checkable=True,
        group="draw",
        short="Brush",
    ),
    ActionSpec(
        "select_erase",
        "&Erase from selection",
        "E",
        "select-erase",
        "Paint with the brush to take pixels out of the region",
        _brush(erase=True),
        checkable=True,
        group="draw",
        short="Erase",
    ),
    ActionSpec(
        "select_invert",
        "&Invert selection",
        "Ctrl+I",
        "select-invert",
        "Select everything outside the region instead",
        lambda t: t.selection.invert(),
        short="Invert",
    ),
    ActionSpec(
        "select_clear",
        "C&lear selection",
        "Ctrl+D",
        "select-clear",
        "Remove the region",
        lambda t: t.selection.clear(),
        short="Clear",
    ),
    ActionSpec(
        "apply",
        "&Apply the tool",
        "Ctrl+Return",
        "apply",
        "Run the tool shown in the Tools panel on the region",
        lambda t: t.toolbox.current().apply(),
    ),
    ActionSpec(
        "shortcuts",
        "&Keyboard shortcuts",
        "F1",
        "info",
        "Every command with its shortcut",
        lambda t: t.window.show_shortcuts(),
    ),
    ActionSpec(
        "about",
        "&About JPEG Explorer",
        "",
        "app",
        "What this application does and proves",
        lambda t: t.window.show_about(),
    ),
)

BUSY_BLOCKED = ("open", "open_session", "save_session", "export", "undo", "redo", "apply", "ambiguity")
"""Actions that would start a job (or change the session) and so wait while one runs."""


def tool_specs(panels: list[ToolPanel]) -> tuple[ActionSpec, ...]:
    """One checkable action per tool panel (its name, icon and shortcut), shown in the Tools menu."""

    def show(title: str) -> Callable[[ActionTargets, bool], None]:
        def choose(targets: ActionTargets, checked: bool) -> None:
            if checked:
                targets.toolbox.show_panel(title)

        return choose

    return tuple(
        ActionSpec(
            f"tool:{panel.title}",
            panel.title,
            panel.shortcut,
            panel.icon_name,
            panel.tip,
            show(panel.title),
            checkable=True,
            group="tool",
        )
        for panel in panels
    )


def build_actions(parent: QWidget, specs: tuple[ActionSpec, ...] = ACTIONS) -> dict[str, QAction]:
    """One QAction per spec, parented to ``parent``, shortcuts and tooltips set (the shortcut in the tip),
    not yet bound to what it runs (see :func:`bind_actions`)."""
    actions: dict[str, QAction] = {}
    groups: dict[str, QActionGroup] = {}
    for spec in specs:
        action = QAction(icon(spec.icon), spec.text, parent)
        if spec.short:
            action.setIconText(spec.short)
        action.setShortcut(QKeySequence(spec.shortcut))
        keys = QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{spec.tip} ({keys})" if keys else spec.tip)
        action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        if spec.group:
            groups.setdefault(spec.group, QActionGroup(parent)).addAction(action)
            groups[spec.group].setExclusionPolicy(
                QActionGroup.ExclusionPolicy.ExclusiveOptional
                if spec.group in OPTIONAL_GROUPS
                else QActionGroup.ExclusionPolicy.Exclusive
            )
        parent.addAction(action)
        actions[spec.key] = action
    return actions


def bind_actions(actions: dict[str, QAction], specs: tuple[ActionSpec, ...], targets: ActionTargets) -> None:
    """Make each spec's action run it on ``targets`` when triggered (or toggled, for a checkable one)."""
    for spec in specs:
        action = actions[spec.key]
        if spec.checkable:
            action.toggled.connect(lambda checked, run=spec.run: run(targets, checked))
        else:
            action.triggered.connect(lambda _=False, run=spec.run: run(targets))
