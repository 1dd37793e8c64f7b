"""One small panel per exploration tool: its parameters, and an Apply button that hands the engine's tool
object to the host. Panels that need the canvas (points, strokes) borrow it while active. Panels see the
window only through a :class:`~explorer_app.gui.tool_host.ToolHost`.

The simple panels are generated: a :class:`FieldPanel` names its tool's dataclass and one
:class:`FieldSpec` (label, range, step, unit, tip) per field it shows, as the action table names menus
and shortcuts; the controls and the tool built from them follow."""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import TYPE_CHECKING, get_type_hints

import torch
from PyQt6.QtCore import QLineF, QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QPen
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider

from ..engine.optimize import EditResult
from ..engine.regions import Region
from ..engine.session import Session
from ..engine.state import Patch
from ..engine.tools import (
    Alternatives,
    Brightness,
    HueSaturation,
    ImitateHistogram,
    ImitatePatches,
    Periodic,
    Tool,
    TotalVariation,
    Variance,
)
from .buttons import command_button
from .candidates import CandidateGallery
from .icons import icon
from .interactions import Interaction
from .tool_host import ToolHost

if TYPE_CHECKING:
    from .explorer import Candidate, CandidateSet


def slider(minimum: float, maximum: float, value: float, tip: str, decimals: int = 1) -> QLabeledDoubleSlider:
    control = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
    control.setRange(minimum, maximum)
    control.setDecimals(decimals)
    control.setValue(value)
    control.setToolTip(tip)
    return control


@dataclass(frozen=True)
class Ranked:
    """One candidate as a multi-candidate panel ranks it (in the worker thread): its index in the edit's
    result, a label, a score (higher is better), the score as the gallery writes it, its exact patch and
    whether every coefficient of it re-quantizes to the file's."""

    index: int
    label: str
    score: float
    score_text: str
    patch: Patch
    consistent: bool


class ToolPanel(QWidget):
    """Base: ``title``, ``icon_name``, ``tip``, ``shortcut``; subclasses fill ``self.form`` and implement
    make_tool(). ``message`` keeps the last thing the panel has to say (why it cannot run, or what its
    last edit reached) until the next Apply."""

    title = ""
    icon_name = ""
    tip = ""
    shortcut = ""
    apply_text = "Apply"
    several_candidates = False
    """True: the tool returns several candidates to choose from instead of one committed edit."""
    noun = "candidate"
    legend = ""
    """What a multi-candidate gallery's marks and numbers mean."""

    def __init__(self, host: ToolHost) -> None:
        super().__init__()
        self.host = host
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.apply_button = QPushButton(icon("apply"), self.apply_text)
        self.apply_button.setToolTip(
            f"{self.tip}: optimize the control signal z in the region "
            "(the result stays consistent with the file) (Ctrl+Return)"
        )
        self.apply_button.clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{self.title}</b><br>{self.tip}")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addLayout(self.form)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        layout.addWidget(self.apply_button)
        layout.addWidget(self.message)
        layout.addStretch()
        host.busyChanged.connect(self.set_busy)

    def set_busy(self, busy: bool) -> None:
        """While a job runs nothing here may start another one."""
        self.apply_button.setEnabled(not busy)

    def make_tool(self) -> Tool | None:
        """The engine tool for the current parameters, or None (after saying why in ``self.message``)."""
        raise NotImplementedError

    def apply(self) -> None:
        if self.host.busy:
            return
        if self.host.session() is None:
            self.message.setText("Open a JPEG first (Ctrl+O).")
            return
        self.message.clear()
        tool = self.make_tool()
        if tool is not None:
            self.host.run(tool, self)

    def region(self) -> Region | None:
        """Where the tool acts (file pixels): the selection, by default."""
        return self.host.selection()

    def committed(self, record: dict[str, object]) -> None:
        """An edit of this panel was committed (``record``: its history record): say what it reached."""
        self.message.setText("\n".join(outcome["text"] for outcome in record.get("outcomes", [])))

    def show_candidates(self, found: CandidateSet) -> None:
        """Multi-candidate tools show their results; single-candidate ones are committed directly."""

    def rank(self, session: Session, result: EditResult, region: Region) -> tuple[list[Ranked], str]:
        """A multi-candidate tool's candidates, best first, and the verdict line (worker thread: no Qt)."""
        raise NotImplementedError

    def keep_notes(self, candidate: Candidate) -> dict[str, object]:
        """What the history records about a kept candidate (its label and score, in words)."""
        summary = candidate.result.record.get("summary", self.title)
        return {
            "kept": {"label": candidate.label, "score": round(candidate.score, 4), "of": candidate.of},
            "summary": f"{summary}: kept {candidate.label} ({candidate.score_text})",
        }


@dataclass(frozen=True)
class FieldSpec:
    """How a panel shows one field of its tool's dataclass: a label (with its unit), the range, the step
    (of a spin box for an int field; for a float field, the slider's resolution: 0.01 shows two decimals),
    a tooltip, and the initial value when it is not the field's default."""

    name: str
    label: str
    minimum: float
    maximum: float
    step: float
    tip: str
    unit: str = ""
    initial: float | None = None

    def text(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


Control = QSpinBox | QLabeledDoubleSlider


def field_control(spec: FieldSpec, kind: type, default: object) -> Control:
    """A spin box for an int field, a labelled slider for a float one, set to ``spec.initial`` or ``default``."""
    value = default if spec.initial is None else spec.initial
    if kind is not int:
        return slider(spec.minimum, spec.maximum, float(value), spec.tip, max(0, -math.floor(math.log10(spec.step))))
    control = QSpinBox()
    control.setRange(int(spec.minimum), int(spec.maximum))
    control.setSingleStep(int(spec.step))
    control.setValue(int(value))
    control.setToolTip(spec.tip)
    return control


class FieldPanel(ToolPanel):
    """A panel generated from ``tool_type`` (a tool dataclass) and ``fields``: one control per field, in
    ``self.controls`` by field name; Apply builds the tool from their values. Every spec must name a field
    of the tool (checked when the class is defined)."""

    tool_type: type[Tool]
    fields: tuple[FieldSpec, ...] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        known = {f.name for f in dataclass_fields(cls.tool_type)}
        unknown = [spec.name for spec in cls.fields if spec.name not in known]
        if unknown:
            raise TypeError(f"{cls.__name__}: {cls.tool_type.__name__} has no field {', '.join(unknown)}")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        kinds = get_type_hints(self.tool_type)
        defaults = {f.name: f.default for f in dataclass_fields(self.tool_type)}
        self.controls: dict[str, Control] = {}
        for spec in self.fields:
            self.controls[spec.name] = field_control(spec, kinds[spec.name], defaults[spec.name])
            self.form.addRow(spec.text(), self.controls[spec.name])

    def make_tool(self) -> Tool | None:
        return self.tool_type(**{name: control.value() for name, control in self.controls.items()})


class BrightnessPanel(FieldPanel):
    title, icon_name, tip, shortcut = "Brightness", "brightness", "Make the region brighter or darker", "Shift+B"
    tool_type = Brightness
    fields = (
        FieldSpec(
            "amount",
            "Amount",
            -80,
            80,
            0.1,
            "Grey levels to add to the region's luma (negative darkens)",
            "grey levels",
            initial=25,
        ),
    )


class HueSaturationPanel(FieldPanel):
    title, icon_name, tip, shortcut = (
        "Hue / saturation",
        "hue",
        "Shift the region's hue and scale its saturation",
        "Shift+U",
    )
    tool_type = HueSaturation
    fields = (
        FieldSpec("hue_degrees", "Hue", -180, 180, 1, "Rotate the colours by this many degrees", "°", initial=30),
        FieldSpec("saturation", "Saturation", 0, 3, 0.01, "Multiply the colour saturation by this", "×"),
    )

    def make_tool(self) -> Tool | None:
        if not self.host.session().code.is_color:
            self.message.setText("This file is greyscale: it has no hue or saturation to change.")
            return None
        return super().make_tool()


class VariancePanel(FieldPanel):
    title, icon_name, tip, shortcut = (
        "Variance",
        "variance",
        "More or less detail: steer the region's local variance",
        "Shift+V",
    )
    tool_type = Variance
    fields = (
        FieldSpec(
            "factor",
            "Variance",
            0.1,
            5,
            0.01,
            "Target local variance as a multiple of the current one (below 1: smoother, above 1: more texture)",
            "×",
        ),
    )


class TotalVariationPanel(FieldPanel):
    title, icon_name, tip, shortcut = (
        "Smooth (TV)",
        "tv",
        "Make the region piece-wise smooth (total variation)",
        "Shift+T",
    )
    tool_type = TotalVariation
    fields = (FieldSpec("weight", "Weight", 0.1, 5, 0.01, "Strength of the smoothing objective"),)


class PointPick(Interaction):
    """Each click is a point (for periods, the eyedropper, imprint placement)."""

    name = "point"

    def press(self, pos: QPointF) -> QPointF:
        return pos

    def release(self, pos: QPointF) -> None:
        return None


MARKER_PEN = QPen(QColor(0, 220, 255), 2)
MARKER_PEN.setCosmetic(True)


def marker(pos: QPointF, origin: bool) -> QGraphicsItem:
    """A point of constant screen size at ``pos``: filled for the origin, hollow for period ends."""
    dot = QGraphicsEllipseItem(QRectF(-5, -5, 10, 10))
    dot.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    dot.setPos(pos)
    dot.setPen(MARKER_PEN)
    dot.setBrush(QBrush(QColor(0, 220, 255)) if origin else QBrush(Qt.BrushStyle.NoBrush))
    dot.setZValue(6)
    return dot


class PeriodicityPanel(ToolPanel):
    title, icon_name, tip, shortcut = (
        "Periodicity",
        "periodicity",
        "Make the region repeat with a period you click",
        "Shift+P",
    )

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.points: list[tuple[float, float]] = []
        self.markers: list[QGraphicsItem] = []
        pick = command_button(
            "periodicity",
            "Click points on the image",
            "Click an origin, then one point a period away (1-D) and optionally a second (2-D)",
            self.start_picking,
        )
        clear = command_button("select-clear", "Clear points", "Forget the clicked points", self.clear_points)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        for widget in (pick, clear, self.summary):
            self.extra.addWidget(widget)
        self.clear_points()

    def start_picking(self) -> None:
        self.clear_points()
        self.host.canvas.set_interaction(PointPick(), self.add_point)

    def add_point(self, pos: QPointF) -> None:
        if len(self.points) == 3:
            self.clear_points()
        self.points.append(self.host.to_file_point(pos))
        self._mark(pos)
        self.summary.setText(self._describe())

    def _mark(self, pos: QPointF) -> None:
        """Draw the clicked point; a period end also gets a line from the origin."""
        scene = self.host.canvas.scene()
        items = [marker(pos, origin=not self.markers)]
        if self.markers:
            line = QGraphicsLineItem(QLineF(self.markers[0].pos(), pos))
            line.setPen(MARKER_PEN)
            line.setZValue(6)
            items.append(line)
        for item in items:
            scene.addItem(item)
        self.markers += items

    def clear_points(self) -> None:
        self.points = []
        for item in self.markers:
            self.host.canvas.scene().removeItem(item)
        self.markers = []
        self.summary.setText(self._describe())

    def periods(self) -> tuple[tuple[float, float], ...]:
        """((dy, dx), …) in file pixels from the origin to each further point."""
        (x0, y0), rest = self.points[0], self.points[1:]
        return tuple((y - y0, x - x0) for x, y in rest)

    def _describe(self) -> str:
        if len(self.points) < 2:
            return f"{len(self.points)} point(s): click an origin and a point one period away"
        return "Periods (dy, dx): " + ", ".join(f"({dy:.1f}, {dx:.1f})" for dy, dx in self.periods())

    def make_tool(self) -> Tool | None:
        if len(self.points) < 2:
            self.message.setText("Click at least two points: an origin and one period away.")
            return None
        return Periodic(periods=self.periods())


class ImitatePanel(ToolPanel):
    title, icon_name, tip, shortcut = "Imitate", "imitate", "Make the region look like a reference region", "Shift+M"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.reference = None
        self.mode = QComboBox()
        self.mode.addItem("patches (texture)", ImitatePatches)
        self.mode.addItem("histogram (tones and colours)", ImitateHistogram)
        self.mode.setToolTip("Copy the reference's small patches, or only its distribution of values")
        self.form.addRow("Imitate", self.mode)
        take = command_button(
            "imitate",
            "Use the selection as reference",
            "Remember the current selection as the reference; then select the region to change",
            self.take_reference,
        )
        self.summary = QLabel("No reference yet")
        self.summary.setWordWrap(True)
        self.extra.addWidget(take)
        self.extra.addWidget(self.summary)

    def take_reference(self) -> None:
        region = self.host.selection()
        if region is None:
            self.summary.setText("Select the reference region first")
            return
        self.reference = region
        self.host.clear_selection()
        self.summary.setText(f"Reference: {region.area} px. Now select the region to change.")

    def make_tool(self) -> Tool | None:
        if self.reference is None:
            self.message.setText("Choose a reference region first.")
            return None
        return self.mode.currentData()(reference=self.reference)


class AlternativesPanel(FieldPanel):
    title, icon_name, tip, shortcut = (
        "Alternatives",
        "alternatives",
        "Show diverse plausible contents for the region",
        "Shift+A",
    )
    apply_text = "Generate"
    several_candidates = True
    noun = "alternative"
    legend = (
        "✔: consistent with the file (every coefficient re-quantizes to the file's). The number: how far "
        "it is from the current image in the region (mean difference, grey levels)."
    )
    tool_type = Alternatives
    fields = (
        FieldSpec("count", "Count", 2, 8, 1, "How many alternatives to compute"),
        FieldSpec("spread", "Spread", 0.1, 3, 0.01, "How far from the current control signal the alternatives start"),
        FieldSpec("seed", "Seed", 0, 10_000, 1, "Random seed: the same seed gives the same alternatives"),
    )

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.gallery = CandidateGallery(host, self, columns=2)
        self.extra.addWidget(self.gallery)

    def rank(self, session: Session, result: EditResult, region: Region) -> tuple[list[Ranked], str]:
        """In the order the optimizer returned them, each with its distance from the current image."""
        y0, y1, x0, x1 = region.bounds()
        inside = torch.from_numpy(region.mask[y0:y1, x0:x1]).to(session.image.device)
        before = session.image[0, :, y0:y1, x0:x1]
        found = []
        for index in range(result.count):
            patch = session.candidate_patch(result, index)
            crop, (top, left) = session.patched_window(patch)
            after = crop[0, :, y0 - top : y1 - top, x0 - left : x1 - left]
            difference = float((after - before).abs().mean(0)[inside].mean())
            found.append(Ranked(index, f"#{index + 1}", difference, f"Δ {difference:.1f}", patch, patch.consistent()))
        consistent = sum(r.consistent for r in found)
        low, high = min(r.score for r in found), max(r.score for r in found)
        head = (
            f"All {len(found)} alternatives are consistent with the file"
            if consistent == len(found)
            else f"Only {consistent} of {len(found)} alternatives are consistent with the file"
        )
        return found, (
            f"{head}: each could have been the original here. They differ from the current image by "
            f"{low:.1f}–{high:.1f} grey levels on average in the region."
        )

    def show_candidates(self, found: CandidateSet) -> None:
        self.gallery.show_candidates(found)
