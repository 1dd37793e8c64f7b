"""The simple tool panels are generated from their tool's dataclass, and nothing in the window hides one of
Qt's own methods (a window attribute named ``actions`` would hide ``QWidget.actions()``)."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QObject, Qt
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QSpinBox

from explorer_app.engine.tools import Alternatives, Brightness, HueSaturation, TotalVariation, Variance
from explorer_app.gui.tools.base import FieldPanel, FieldSpec


def test_every_generated_panel_applies_the_tool_its_controls_show(qtbot, opened, monkeypatch):
    window = opened
    asked = []
    monkeypatch.setattr(window.host, "run", lambda tool, panel: asked.append(tool))
    generated = [panel for panel in window.tool_panels.values() if isinstance(panel, FieldPanel)]
    for panel in generated:
        for spec in panel.fields:
            control = panel.controls[spec.name]
            control.setValue(spec.maximum)
            assert panel.form.labelForField(control).text() == spec.text() and control.toolTip() == spec.tip
        window.toolbox.show_panel(panel.title)
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
        assert type(asked[-1]) is panel.tool_type
        assert {spec.name: getattr(asked[-1], spec.name) for spec in panel.fields} == pytest.approx(
            {spec.name: spec.maximum for spec in panel.fields}
        )
    assert [type(tool) for tool in asked] == [Brightness, Variance, TotalVariation, HueSaturation, Alternatives]
    alternatives = window.tool_panels["Alternatives"]
    assert isinstance(alternatives.controls["count"], QSpinBox) and asked[-1].count == 8
    assert (
        window.tool_panels["Hue / saturation"]
        .form.labelForField(window.tool_panels["Hue / saturation"].controls["hue_degrees"])
        .text()
        == "Hue (°)"
    )


def test_a_spec_naming_no_field_of_its_tool_fails_when_the_panel_is_defined():
    with pytest.raises(TypeError, match="Brightness has no field amont"):

        class Misspelt(FieldPanel):
            tool_type = Brightness
            fields = (FieldSpec("amont", "Amount", -80, 80, 0.1, "a typo"),)


def test_no_attribute_hides_a_qt_method(opened):
    """``window.actions`` once hid QWidget.actions() and a panel's ``width`` QWidget.width()."""
    hidden = []
    ours = [
        item
        for item in [opened, opened.host, *opened.findChildren(QObject)]
        if type(item).__module__.startswith("explorer_app")
    ]
    assert len(ours) > 20
    for item in ours:
        qt = next(c for c in type(item).__mro__ if c.__module__.startswith("PyQt6"))
        hidden += [f"{type(item).__name__}.{name}" for name in getattr(item, "__dict__", {}) if hasattr(qt, name)]
    assert hidden == []
    assert opened.actions() and all(isinstance(action, QAction) for action in opened.actions())
    assert opened.tool_panels["Scribble"].width() > 0
