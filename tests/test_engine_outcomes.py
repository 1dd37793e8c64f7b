"""Every committed edit says what was asked, what the file allowed and what was reached, in words."""

import pytest
import torch

from explorer_app.engine import Budget, regions, tools
from explorer_app.engine.outcome import Allowed, Outcome
from explorer_app.ops.color import rgb_to_ycbcr

from conftest import controllable_decoder, tiny_session

BUDGET = Budget(steps=30, patience=0)


@pytest.fixture
def session(tmp_path):
    return tiny_session(tmp_path, controllable_decoder(), quality=10)


def luma_mean(image: torch.Tensor, mask: torch.Tensor) -> float:
    return float(rgb_to_ycbcr(image)[0, 0][mask].mean())


def test_brightness_reports_the_files_limit_and_the_change_reached(session):
    """At quality 10 the file bounds the block means tightly: +40 is asked, far less is allowed, and the
    figure reported as reached is the committed image's mean change."""
    region = regions.rectangle(session.shape, 40, 32, 32, 24)
    before = session.image.clone()
    session.apply(tools.Brightness(40.0), region, BUDGET)
    record = session.history.records()[-1]
    (outcome,) = record["outcomes"]
    mask = torch.from_numpy(region.mask)
    reached = luma_mean(session.image, mask) - luma_mean(before, mask)
    assert outcome["asked"] == 40.0 and outcome["reached"] == pytest.approx(reached, abs=0.05)
    assert 0 < outcome["allowed"] < 30 and outcome["reached"] <= outcome["allowed"] + 1
    assert outcome["text"].startswith("Brightness: asked +40.0 grey levels; the file allows about +")
    assert record["summary"] == "Brightness +40"


@pytest.mark.parametrize(
    "tool, quantity, grows, bounded",
    [
        (tools.Variance(factor=3.0), "Local variance", True, True),
        (tools.Variance(factor=0.3), "Local variance", False, True),
        (tools.TotalVariation(), "Total variation", False, True),
        (tools.Periodic(periods=((0.0, 8.0),)), "Repetition error", False, True),
    ],
)
def test_statistic_tools_report_their_statistic(session, tool, quantity, grows, bounded):
    """Variance, smoothing and periodicity say asked, what the file allows (a bound over the box) and
    reached."""
    session.apply(tool, regions.rectangle(session.shape, 40, 32, 32, 24), BUDGET)
    (outcome,) = session.history.records()[-1]["outcomes"]
    assert outcome["quantity"] == quantity and ("allowed" in outcome) == bounded
    if bounded:
        assert "asked" in outcome and "the file allows" in outcome["text"] and "reached" in outcome["text"]
    start = outcome.get("before", 1.0)
    assert (outcome["reached"] > start) == grows
    assert "hue_degrees" not in session.history.records()[-1]["summary"]


def test_hue_reports_rotation_and_saturation(session):
    session.apply(
        tools.HueSaturation(hue_degrees=60.0, saturation=1.5), regions.rectangle(session.shape, 40, 32, 32, 24), BUDGET
    )
    hue, saturation = session.history.records()[-1]["outcomes"]
    assert hue["asked"] == 60.0 and 0 < hue["reached"] <= 60 + 5
    assert saturation["asked"] == 1.5 and "×" in saturation["text"]
    assert session.history.records()[-1]["summary"] == "Hue +60°, saturation ×1.50"


def test_scribble_reports_the_way_to_its_colour(session):
    stroke = tools.Stroke("line", ((42.0, 40.0), (70.0, 40.0)), width=6.0)
    session.apply(
        tools.Scribble((stroke,), color=(255.0, 0.0, 0.0)), regions.rectangle(session.shape, 36, 30, 40, 20), BUDGET
    )
    (outcome,) = session.history.records()[-1]["outcomes"]
    assert outcome["unit"] == "%" and outcome["asked"] == 100.0 and 0 < outcome["reached"] <= 100
    assert session.history.records()[-1]["summary"] == "Scribble: 1 stroke painted in #ff0000"


def test_outcome_sentences():
    assert (
        Outcome("Brightness", "grey levels", 2.4, asked=40.0, allowed=4.1, signed=True).text()
        == "Brightness: asked +40.0 grey levels; the file allows about +4.1 grey levels here; reached +2.4 grey levels"
    )
    assert Outcome("Local variance", "×", 1.62, asked=2.0).text() == "Local variance: asked ×2.00; reached ×1.62"
    assert (
        Outcome("Repetition error", "grey levels", 2.9, before=6.24).text()
        == "Repetition error: from 6.2 grey levels to 2.9 grey levels"
    )
    assert (
        Outcome("Local variance", "×", 1.12, asked=2.0, allowed=1.3, bound=Allowed.AT_MOST).text()
        == "Local variance: asked ×2.00; the file allows at most ×1.30 here; reached ×1.12"
    )
    assert (
        Outcome(
            "Total variation", "grey levels", 2.9, asked=0.0, allowed=1.4, before=6.24, bound=Allowed.AT_LEAST
        ).text()
        == "Total variation: asked 0.0 grey levels; the file allows no less than 1.4 grey levels here; "
        "reached 2.9 grey levels (from 6.2 grey levels)"
    )
