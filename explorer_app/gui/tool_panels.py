"""One small panel per exploration tool: its parameters, and an Apply button that hands the engine's tool
object to the host. Panels that need the canvas (points, strokes) borrow it while active. Panels see the
window only through a :class:`~explorer_app.gui.tool_host.ToolHost`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
        self.apply_button.setToolTip(f"{self.tip}: optimize the control signal z in the region "
                                     "(the result stays consistent with the file) (Ctrl+Return)")
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
        return {"kept": {"label": candidate.label, "score": round(candidate.score, 4), "of": candidate.of},
                "summary": f"{summary}: kept {candidate.label} ({candidate.score_text})"}


class BrightnessPanel(ToolPanel):
    title, icon_name, tip, shortcut = "Brightness", "brightness", "Make the region brighter or darker", "Shift+B"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.amount = slider(-80, 80, 25, "Grey levels to add to the region's luma (negative darkens)")
        self.form.addRow("Amount", self.amount)

    def make_tool(self) -> Tool:
        return Brightness(amount=self.amount.value())


class HueSaturationPanel(ToolPanel):
    title, icon_name, tip, shortcut = ("Hue / saturation", "hue", "Shift the region's hue and scale its saturation",
                                       "Shift+U")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.hue = slider(-180, 180, 30, "Rotate the colours by this many degrees", 0)
        self.saturation = slider(0, 3, 1.0, "Multiply the colour saturation by this", 2)
        self.form.addRow("Hue (°)", self.hue)
        self.form.addRow("Saturation ×", self.saturation)

    def make_tool(self) -> Tool | None:
        session = self.host.session()
        if not session.code.is_color:
            self.message.setText("This file is greyscale: it has no hue or saturation to change.")
            return None
        return HueSaturation(hue_degrees=self.hue.value(), saturation=self.saturation.value())


class VariancePanel(ToolPanel):
    title, icon_name, tip, shortcut = ("Variance", "variance", "More or less detail: steer the region's local variance",
                                       "Shift+V")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.factor = slider(0.1, 5, 2.0, "Target local variance as a multiple of the current one "
                                          "(below 1: smoother, above 1: more texture)", 2)
        self.form.addRow("Variance ×", self.factor)

    def make_tool(self) -> Tool:
        return Variance(factor=self.factor.value())


class TotalVariationPanel(ToolPanel):
    title, icon_name, tip, shortcut = ("Smooth (TV)", "tv", "Make the region piece-wise smooth (total variation)",
                                       "Shift+T")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.weight = slider(0.1, 5, 1.0, "Strength of the smoothing objective", 2)
        self.form.addRow("Weight", self.weight)

    def make_tool(self) -> Tool:
        return TotalVariation(weight=self.weight.value())


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
    title, icon_name, tip, shortcut = ("Periodicity", "periodicity", "Make the region repeat with a period you click",
                                       "Shift+P")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.points: list[tuple[float, float]] = []
        self.markers: list[QGraphicsItem] = []
        pick = command_button(
            "periodicity", "Click points on the image",
            "Click an origin, then one point a period away (1-D) and optionally a second (2-D)",
            self.start_picking)
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
            "imitate", "Use the selection as reference",
            "Remember the current selection as the reference; then select the region to change",
            self.take_reference)
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


class AlternativesPanel(ToolPanel):
    title, icon_name, tip, shortcut = ("Alternatives", "alternatives", "Show diverse plausible contents for the region",
                                       "Shift+A")
    apply_text = "Generate"
    several_candidates = True
    noun = "alternative"
    legend = ("✔: consistent with the file (every coefficient re-quantizes to the file's). The number: how far "
              "it is from the current image in the region (mean difference, grey levels).")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.count = QSpinBox()
        self.count.setRange(2, 8)
        self.count.setValue(4)
        self.count.setToolTip("How many alternatives to compute")
        self.spread = slider(0.1, 3, 1.0, "How far from the current control signal the alternatives start", 2)
        self.seed = QSpinBox()
        self.seed.setRange(0, 10_000)
        self.seed.setToolTip("Random seed: the same seed gives the same alternatives")
        self.form.addRow("Count", self.count)
        self.form.addRow("Spread", self.spread)
        self.form.addRow("Seed", self.seed)
        self.gallery = CandidateGallery(host, self, columns=2)
        self.extra.addWidget(self.gallery)

    def make_tool(self) -> Tool:
        return Alternatives(count=self.count.value(), spread=self.spread.value(), seed=self.seed.value())

    def rank(self, session: Session, result: EditResult, region: Region) -> tuple[list[Ranked], str]:
        """In the order the optimizer returned them, each with its distance from the current image."""
        y0, y1, x0, x1 = region.bounds()
        inside = torch.from_numpy(region.mask[y0:y1, x0:x1]).to(session.image.device)
        before = session.image[0, :, y0:y1, x0:x1]
        found = []
        for index in range(result.count):
            patch = session.candidate_patch(result, index)
            crop, (top, left) = session.patched_window(patch)
            after = crop[0, :, y0 - top: y1 - top, x0 - left: x1 - left]
            difference = float((after - before).abs().mean(0)[inside].mean())
            found.append(Ranked(index, f"#{index + 1}", difference, f"Δ {difference:.1f}", patch, patch.consistent()))
        consistent = sum(r.consistent for r in found)
        low, high = min(r.score for r in found), max(r.score for r in found)
        head = (f"All {len(found)} alternatives are consistent with the file" if consistent == len(found) else
                f"Only {consistent} of {len(found)} alternatives are consistent with the file")
        return found, (f"{head}: each could have been the original here. They differ from the current image by "
                       f"{low:.1f}–{high:.1f} grey levels on average in the region.")

    def show_candidates(self, found: CandidateSet) -> None:
        self.gallery.show_candidates(found)
