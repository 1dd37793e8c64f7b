"""One small panel per exploration tool: its parameters, and an Apply button that hands the engine's tool
object to the window's explorer. Panels that need the canvas (points, strokes) borrow it while active."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
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

if TYPE_CHECKING:
    from .explorer import Candidate
    from .window import MainWindow


def slider(minimum: float, maximum: float, value: float, tip: str, decimals: int = 1) -> QLabeledDoubleSlider:
    control = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
    control.setRange(minimum, maximum)
    control.setDecimals(decimals)
    control.setValue(value)
    control.setToolTip(tip)
    return control


class ToolPanel(QWidget):
    """Base: ``title``, ``icon_name``, ``tip``; subclasses fill ``self.form`` and implement make_tool()."""

    title = ""
    icon_name = ""
    tip = ""
    apply_text = "Apply"
    several_candidates = False
    """True: the tool returns several candidates to choose from instead of one committed edit."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.apply_button = QPushButton(icon("apply"), self.apply_text)
        self.apply_button.setToolTip(f"{self.tip}: optimize the control signal z in the region "
                                     "(the result stays consistent with the file)")
        self.apply_button.clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{self.title}</b><br>{self.tip}")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addLayout(self.form)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        layout.addWidget(self.message)
        layout.addWidget(self.apply_button)
        layout.addStretch()

    def make_tool(self) -> Tool | None:
        """The engine tool for the current parameters, or None (after saying why in ``self.message``)."""
        raise NotImplementedError

    def apply(self) -> None:
        self.message.clear()
        tool = self.make_tool()
        if tool is not None:
            self.window.explorer.apply(tool, self)

    def region(self) -> Region | None:
        """Where the tool acts (file pixels): the selection, by default."""
        return self.window.engine_region()

    def show_candidates(self, candidates: list[Candidate]) -> None:
        """Multi-candidate tools show their results; single-candidate ones are committed directly."""

    def rank(self, session: Session, result: EditResult) -> list[tuple[int, str, float, Patch]]:
        """A multi-candidate tool's candidates as (index, label, score, exact patch), best first; by
        default ranked by their final loss (called in the worker thread: no Qt here)."""
        found = [(i, f"#{i + 1}", -float(result.loss[i]), session.candidate_patch(result, i))
                 for i in range(result.count)]
        return sorted(found, key=lambda item: -item[2])


class BrightnessPanel(ToolPanel):
    title, icon_name, tip = "Brightness", "brightness", "Make the region brighter or darker"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.amount = slider(-80, 80, 25, "Grey levels to add to the region's luma (negative darkens)")
        self.form.addRow("Amount", self.amount)

    def make_tool(self) -> Tool:
        return Brightness(amount=self.amount.value())


class HueSaturationPanel(ToolPanel):
    title, icon_name, tip = "Hue / saturation", "hue", "Shift the region's hue and scale its saturation"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.hue = slider(-180, 180, 30, "Rotate the colours by this many degrees", 0)
        self.saturation = slider(0, 3, 1.0, "Multiply the colour saturation by this", 2)
        self.form.addRow("Hue (°)", self.hue)
        self.form.addRow("Saturation ×", self.saturation)

    def make_tool(self) -> Tool:
        return HueSaturation(hue_degrees=self.hue.value(), saturation=self.saturation.value())


class VariancePanel(ToolPanel):
    title, icon_name, tip = "Variance", "variance", "More or less detail: steer the region's local variance"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.factor = slider(0.1, 5, 2.0, "Target local variance as a multiple of the current one "
                                          "(below 1: smoother, above 1: more texture)", 2)
        self.form.addRow("Variance ×", self.factor)

    def make_tool(self) -> Tool:
        return Variance(factor=self.factor.value())


class TotalVariationPanel(ToolPanel):
    title, icon_name, tip = "Smooth (TV)", "tv", "Make the region piece-wise smooth (total variation)"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
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


class PeriodicityPanel(ToolPanel):
    title, icon_name, tip = "Periodicity", "periodicity", "Make the region repeat with a period you click"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.points: list[tuple[float, float]] = []
        pick = command_button(
            "periodicity", "Click points on the image",
            "Click an origin, then one point a period away (1-D) and optionally a second (2-D)",
            self.start_picking)
        clear = command_button("select-clear", "Clear points", "Forget the clicked points", self.clear_points)
        self.summary = QLabel()
        for widget in (pick, clear, self.summary):
            self.extra.addWidget(widget)
        self.clear_points()

    def start_picking(self) -> None:
        self.clear_points()
        self.window.canvas.set_interaction(PointPick(), self.add_point)

    def add_point(self, pos: QPointF) -> None:
        self.points = (self.points + [self.window.to_file_point(pos)])[-3:]
        self.summary.setText(self._describe())

    def clear_points(self) -> None:
        self.points = []
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
    title, icon_name, tip = "Imitate", "imitate", "Make the region look like a reference region"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
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
        self.extra.addWidget(take)
        self.extra.addWidget(self.summary)

    def take_reference(self) -> None:
        region = self.window.engine_region()
        if region is None:
            self.summary.setText("Select the reference region first")
            return
        self.reference = region
        self.window.region.clear()
        self.summary.setText(f"Reference: {region.area} px. Now select the region to change.")

    def make_tool(self) -> Tool | None:
        if self.reference is None:
            self.message.setText("Choose a reference region first.")
            return None
        return self.mode.currentData()(reference=self.reference)


class AlternativesPanel(ToolPanel):
    title, icon_name, tip = "Alternatives", "alternatives", "Show diverse plausible contents for the region"
    apply_text = "Generate"
    several_candidates = True

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
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
        self.gallery = CandidateGallery(window, columns=2)
        self.extra.addWidget(self.gallery)

    def make_tool(self) -> Tool:
        return Alternatives(count=self.count.value(), spread=self.spread.value(), seed=self.seed.value())

    def show_candidates(self, candidates: list[Candidate]) -> None:
        self.gallery.show_candidates(candidates)
