"""One small panel per exploration tool: its parameters, and an Apply button that hands the engine's tool
object to the host. Panels that need the canvas (points, strokes) borrow it while active. Panels see the
window only through a :class:`~explorer_app.gui.tool_host.ToolHost`.

The simple panels are generated: a :class:`FieldPanel` names its tool's dataclass and one
:class:`FieldSpec` (label, range, step, unit, tip) per field it shows, as the action table names menus
and shortcuts; the controls and the tool built from them follow."""

from __future__ import annotations

import math
from dataclasses import Field, dataclass
from dataclasses import fields as dataclass_fields
from typing import Any, get_type_hints

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider

from ...engine.optimize import EditResult
from ...engine.regions import Region
from ...engine.session import Session
from ...engine.tools import (
    Tool,
)
from ..model.candidates import Candidate, CandidateSet, Ranked
from ..model.records import outcome_texts
from ..widgets.icons import icon
from .host import ToolHost


def slider(minimum: float, maximum: float, value: float, tip: str, decimals: int = 1) -> QLabeledDoubleSlider:
    control = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
    control.setRange(minimum, maximum)
    control.setDecimals(decimals)
    control.setValue(value)
    control.setToolTip(tip)
    return control


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

    def say(self, text: str) -> None:
        """Show ``text`` under the Apply button (why the tool cannot run, or what it reached)."""
        self.message.setText(text)

    def committed(self, record: dict[str, object]) -> None:
        """An edit of this panel was committed (``record``: its history record): say what it reached."""
        self.message.setText("\n".join(outcome_texts(record)))

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


def field_control(spec: FieldSpec, kind: type, default: float) -> Control:
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


def tool_fields(tool_type: type[Tool]) -> tuple[Field[Any], ...]:
    """The fields of a tool's dataclass (every tool is one; the Tool base class cannot say so to mypy)."""
    return dataclass_fields(tool_type)  # type: ignore[arg-type]


class FieldPanel(ToolPanel):
    """A panel generated from ``tool_type`` (a tool dataclass) and ``fields``: one control per field, in
    ``self.controls`` by field name; Apply builds the tool from their values. Every spec must name a field
    of the tool (checked when the class is defined)."""

    tool_type: type[Tool]
    fields: tuple[FieldSpec, ...] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        known = {f.name for f in tool_fields(cls.tool_type)}
        unknown = [spec.name for spec in cls.fields if spec.name not in known]
        if unknown:
            raise TypeError(f"{cls.__name__}: {cls.tool_type.__name__} has no field {', '.join(unknown)}")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        kinds = get_type_hints(self.tool_type)
        defaults: dict[str, Any] = {f.name: f.default for f in tool_fields(self.tool_type)}
        self.controls: dict[str, Control] = {}
        for spec in self.fields:
            self.controls[spec.name] = field_control(spec, kinds[spec.name], defaults[spec.name])
            self.form.addRow(spec.text(), self.controls[spec.name])

    def make_tool(self) -> Tool | None:
        return self.tool_type(**{name: control.value() for name, control in self.controls.items()})
