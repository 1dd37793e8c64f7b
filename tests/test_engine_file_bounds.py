"""What the file allows for local variance, total variation and repetition: bounds over the quantization box that
no consistent image crosses, tight enough to mean something, wider where the file says less."""

import pytest
import torch

from explorer_app.decoder.render import render_code
from explorer_app.engine import Budget, regions, tools
from explorer_app.engine.file_bounds import box_centre
from explorer_app.engine.tools.statistics import HUBER_WIDTH, huber, huber_gap, total_variation

from conftest import controllable_decoder, tiny_session

REGION = (40, 32, 32, 24)  # x, y, w, h


def edit_view(tmp_path, quality: int, tool):
    session = tiny_session(tmp_path, controllable_decoder(), quality=quality)
    return session, session.edit(tool, regions.rectangle(session.shape, *REGION)).view


def consistent_images(view, count: int, seed: int = 0) -> torch.Tensor:
    """(count, C, h, w) window images the file allows: random Δ in the box, half of them at its corners."""
    generator = torch.Generator().manual_seed(seed)
    code = view.code

    def draw(like: torch.Tensor) -> torch.Tensor:
        uniform = torch.rand((count, *like.shape[1:]), generator=generator) - 0.5
        uniform[: count // 2] = uniform[: count // 2].sign() / 2
        return uniform.to(like)

    batch = code.map(lambda t: t.expand(count, *t.shape[1:]))
    return render_code(batch, draw(code.y_q), None if code.c_q is None else draw(code.c_q))


def ascend(statistic, view, steps: int = 150, sign: float = 1.0) -> float:
    """The best value of ``statistic`` that projected Adam finds over the box (a real consistent image):
    sign 1 climbs, −1 descends."""
    code = view.code
    deltas = [torch.zeros_like(code.y_q, requires_grad=True)]
    if code.c_q is not None:
        deltas.append(torch.zeros_like(code.c_q, requires_grad=True))
    adam = torch.optim.Adam(deltas, lr=0.05)
    best = -sign * float("inf")
    for _ in range(steps):
        value = statistic(render_code(code, deltas[0], deltas[1] if len(deltas) > 1 else None))[0]
        best = max(best, float(value.detach())) if sign > 0 else min(best, float(value.detach()))
        adam.zero_grad()
        (-sign * value).backward()
        adam.step()
        with torch.no_grad():
            for delta in deltas:
                delta.clamp_(-0.5, 0.5)
    return best


@pytest.mark.parametrize("quality", [10, 50, 90])
def test_no_consistent_image_has_more_local_variance_than_the_file_allows(tmp_path, quality):
    """Random and corner images of the box, and one climbing the variance as hard as it can, stay under
    the upper bound; the bound is not vacuous at high quality (within 3× of what the climb reaches)."""
    _, view = edit_view(tmp_path, quality, tools.Variance(factor=2.0))
    tool = tools.Variance(factor=2.0)
    highest, level = tool.highest(view), tool.level(view)
    assert float(level(consistent_images(view, 16)).max()) <= highest
    climbed = ascend(level, view)
    assert float(level(view.initial)[0]) < climbed <= highest
    if quality == 90:
        assert highest <= 3 * climbed


@pytest.mark.parametrize("quality", [10, 50, 90])
def test_no_consistent_image_has_less_local_variance_than_the_file_allows(tmp_path, quality):
    """A descent of the variance over the box ends above the certified lower bound, and near it."""
    _, view = edit_view(tmp_path, quality, tools.Variance(factor=0.5))
    tool = tools.Variance(factor=0.5)
    least, level = tool.least(view), tool.level(view)
    assert float(level(consistent_images(view, 16)).min()) >= least
    descended = ascend(level, view, sign=-1.0)
    assert least <= descended <= 1.05 * least + 1.0


@pytest.mark.parametrize("quality", [50, 90])
def test_no_consistent_image_is_smoother_than_the_file_allows(tmp_path, quality):
    """Total variation: random, corner and descended images of the box stay above the certified floor,
    which is well above zero where the file holds the region's detail."""
    _, view = edit_view(tmp_path, quality, tools.TotalVariation())
    floor = tools.TotalVariation().least(view)
    assert float(total_variation(consistent_images(view, 16), view.region).min()) >= floor
    descended = ascend(lambda image: total_variation(image, view.region), view, sign=-1.0)
    assert 0.3 * float(total_variation(box_centre(view.code), view.region)[0]) < floor <= descended


@pytest.mark.parametrize("periods", [((0.0, 8.0),), ((0.0, 5.5), (6.0, 0.0))])
def test_no_consistent_image_repeats_better_than_the_file_allows(tmp_path, periods):
    """Periodicity (whole and fractional periods, 1-D and 2-D): random, corner and descended images of the
    box stay above the certified floor of the repetition error, which is above zero at quality 90."""
    tool = tools.Periodic(periods=periods)
    _, view = edit_view(tmp_path, 90, tool)
    floor, level = tool.least(view), tool.repetition(view.region)
    assert float(level(consistent_images(view, 16)).min()) >= floor
    assert 0 < floor <= ascend(level, view, sign=-1.0)


def test_a_file_that_says_less_allows_more(tmp_path):
    """The same picture at quality 10 and 90: the coarser file allows more variance and less of it, and a
    smoother region."""
    figures = {}
    for quality in (10, 90):
        (tmp_path / str(quality)).mkdir()
        _, view = edit_view(tmp_path / str(quality), quality, tools.Variance())
        tool = tools.Variance()
        start = float(tool.level(view)(view.initial)[0])
        figures[quality] = (tool.highest(view) / start, tool.least(view) / start)
    assert figures[10][0] > 2 * figures[90][0] and figures[10][1] < figures[90][1]


@pytest.mark.parametrize("factor", [8.0, 0.1])
def test_a_real_variance_edit_stays_within_what_the_file_allows(tmp_path, factor):
    """A committed edit that asks far more (or less) than the file allows reaches no further than the
    stated figure, and the record says which kind of bound it is."""
    session = tiny_session(tmp_path, controllable_decoder(), quality=90)
    session.apply(
        tools.Variance(factor=factor), regions.rectangle(session.shape, *REGION), Budget(steps=60, patience=0)
    )
    (outcome,) = session.history.records()[-1]["outcomes"]
    if factor > 1:
        assert outcome["bound"] == "at_most" and 1 < outcome["reached"] <= outcome["allowed"] < factor
        assert "the file allows at most ×" in outcome["text"]
    else:
        assert outcome["bound"] == "at_least" and factor < outcome["allowed"] <= outcome["reached"] < 1
        assert "the file allows no less than ×" in outcome["text"]


def test_a_real_smoothing_edit_stays_within_what_the_file_allows(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder(), quality=90)
    session.apply(tools.TotalVariation(), regions.rectangle(session.shape, *REGION), Budget(steps=60, patience=0))
    (outcome,) = session.history.records()[-1]["outcomes"]
    assert outcome["bound"] == "at_least" and 0 < outcome["allowed"] <= outcome["reached"] < outcome["before"]
    assert outcome["text"].startswith("Total variation: asked 0.0 grey levels; the file allows no less than ")


def test_the_huber_line_lies_under_the_absolute_value_and_touches_huber():
    """The lift of the smoothing and repetition floors: huber(d) + huber_gap(d) is p·d with p = huber's
    slope at d (|p| ≤ 1), so that line is tangent to huber at d and under |d| everywhere."""
    d = torch.linspace(-10, 10, 2001, dtype=torch.float64)
    slope = (d / HUBER_WIDTH).clamp(-1, 1)
    assert torch.allclose(huber(d) + huber_gap(d), slope * d)
    for x in (-3.0, -0.5, 0.0, 0.7, 4.0):
        assert bool((slope * x <= abs(x) + 1e-12).all())
    assert bool((huber(d) <= d.abs()).all())
