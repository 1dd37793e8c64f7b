"""Every tool does what it says inside its region, barely touches the rest, and stays consistent."""

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from explorer_app.engine import Budget, regions, tools
from explorer_app.engine.alternatives import alternatives_verdict, rank_alternatives
from explorer_app.engine.tools.statistics import local_variance, shifted, total_variation
from explorer_app.ops.color import rgb_to_ycbcr

from conftest import controllable_decoder, synthetic_picture, tiny_session

BOX = (40, 32, 32, 24)  # x, y, w, h: block-aligned, away from the edges of the 128×96 test image
BUDGET = Budget(steps=30, patience=0)


@dataclass
class Outcome:
    before: torch.Tensor  # (1, C, H, W)
    after: torch.Tensor
    inside: torch.Tensor  # bool (H, W)
    first_loss: float
    best_loss: float

    def region(self, image: torch.Tensor) -> torch.Tensor:
        """(C, n) values inside the region."""
        return image[0][:, self.inside]


def run(session, tool, region, budget=BUDGET, tmp_path=None) -> Outcome:
    before = session.image.clone()
    edit = session.edit(tool, region, budget)
    with torch.no_grad():
        unedited = edit.tool.objective(edit.view)(edit.view.initial)  # the loss of doing nothing
    for _ in edit.run():
        pass
    session.commit(edit.result)
    outcome = Outcome(
        before,
        session.image.clone(),
        torch.from_numpy(region.mask),
        float(unedited.sum()),
        float(edit.result.loss.sum()),
    )
    inside_change = (outcome.after - before).abs()[0][:, outcome.inside].mean()
    outside_change = (outcome.after - before).abs()[0][:, ~outcome.inside].mean()
    assert outside_change < 0.35 * inside_change, (float(outside_change), float(inside_change))
    assert outside_change < 3.0
    assert outcome.best_loss < outcome.first_loss
    if tmp_path is not None:
        report = session.export(tmp_path / "result.png")
        assert report.verified, report.summary()
        assert report.history[-1]["tool"] == type(tool).__name__
    return outcome


@pytest.fixture
def session(tmp_path):
    return tiny_session(tmp_path, controllable_decoder())


def box_region(session):
    return regions.rectangle(session.shape, *BOX)


def test_variance_up_and_down(session, tmp_path):
    region = box_region(session)
    up = run(session, tools.Variance(factor=2.0), region, tmp_path=tmp_path)
    assert (
        local_variance(up.after, 7)[0, 0][up.inside].mean() > 1.3 * local_variance(up.before, 7)[0, 0][up.inside].mean()
    )
    session.undo()
    down = run(session, tools.Variance(factor=0.3), region)
    assert (
        local_variance(down.after, 7)[0, 0][down.inside].mean()
        < 0.8 * local_variance(down.before, 7)[0, 0][down.inside].mean()
    )


def test_total_variation_down(session, tmp_path):
    region = box_region(session)
    out = run(session, tools.TotalVariation(), region, tmp_path=tmp_path)
    mask = region.mask
    m = torch.from_numpy(mask).float()[None, None]
    assert total_variation(out.after, m) < 0.95 * total_variation(out.before, m)


def test_brightness(session, tmp_path):
    out = run(session, tools.Brightness(25.0), box_region(session), tmp_path=tmp_path)
    assert out.region(out.after).mean() > out.region(out.before).mean() + 0.5


def hue_and_chroma(image, inside):
    ycc = rgb_to_ycbcr(image)[0][:, inside]
    cb, cr = ycc[1] - 128, ycc[2] - 128
    return torch.atan2(cr.mean(), cb.mean()), torch.sqrt(cb**2 + cr**2).mean()


def test_hue_and_saturation(session, tmp_path):
    region = box_region(session)
    out = run(session, tools.HueSaturation(hue_degrees=60.0), region, tmp_path=tmp_path)
    hue_before, _ = hue_and_chroma(out.before, out.inside)
    hue_after, _ = hue_and_chroma(out.after, out.inside)
    turned = (hue_after - hue_before + np.pi) % (2 * np.pi) - np.pi
    assert 0.01 < float(turned) < 1.3  # the chroma boxes allow only a small turn at this quality
    session.undo()
    out = run(session, tools.HueSaturation(saturation=2.0), region)
    assert hue_and_chroma(out.after, out.inside)[1] > 1.1 * hue_and_chroma(out.before, out.inside)[1]


def footprint(session, tool, region) -> torch.Tensor:
    """bool (H, W): where a target tool enforces its target."""
    view = session.edit(tool, region).view
    mask = torch.zeros(session.shape, dtype=torch.bool)
    rows, cols = view.window.pixels(*session.shape)
    mask[rows, cols] = tool.footprint(view)[0, 0] > 0.5
    return mask


def test_scribble_colour_and_darken(session, tmp_path):
    region = box_region(session)
    stroke = tools.Stroke("pen", ((44.0, 36.0), (60.0, 44.0), (68.0, 52.0)), width=4)
    shapes = (
        stroke,
        tools.Stroke("rectangle", ((46.0, 46.0), (54.0, 52.0)), filled=True),
        tools.Stroke("ellipse", ((56.0, 34.0), (66.0, 42.0)), width=2),
        tools.Stroke("line", ((42.0, 54.0), (70.0, 54.0)), width=2),
    )
    tool = tools.Scribble(shapes, color=(255.0, 0.0, 0.0))
    out = run(session, tool, region, tmp_path=tmp_path)
    painted = footprint(session, tool, region)
    red = torch.tensor([255.0, 0.0, 0.0]).view(3, 1)
    assert (out.after[0][:, painted] - red).abs().mean() < 0.9 * (out.before[0][:, painted] - red).abs().mean()
    session.undo()
    darken = tools.Scribble((stroke,), color=None, brightness=-60.0)
    dark = run(session, darken, region)
    under = footprint(session, darken, region)
    assert dark.after[0][:, under].mean() < dark.before[0][:, under].mean() - 1


def test_imprint_finds_the_consistent_placement(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder(), quality=40)
    truth = synthetic_picture(96, 128).astype(np.float32)
    piece = truth[34:50, 44:64]  # the true content of a 20×16 box centred near (53.5, 41.5)
    region = box_region(session)
    misplaced = tools.Imprint(piece, position=(53.5 + 3, 41.5 - 2), search_radius=4)
    view = session.edit(misplaced, region).view
    (dx, dy), score = misplaced.best_shift(view)
    assert (dx, dy) == (-3.0, 2.0)
    assert score < tools.Imprint(piece, position=(53.5 + 3, 41.5 - 2)).best_shift(view)[1]
    out = run(session, misplaced, region, tmp_path=tmp_path)
    target = torch.from_numpy(piece).permute(2, 0, 1)
    assert (out.after[0, :, 34:50, 44:64] - target).abs().mean() < (
        out.before[0, :, 34:50, 44:64] - target
    ).abs().mean()


def test_imprint_from_this_image(session):
    tool = tools.Imprint.from_image(session.image, (8, 8, 16, 16), position=(56.0, 44.0), angle=30.0, scale=1.2)
    assert tool.picture.shape == (16, 16, 3)
    run(session, tool, box_region(session))


def periodic_error(image, mask, period):
    m = torch.from_numpy(mask).float()[None, None]
    both = m * (shifted(m, period) > 0.99).float()
    return float(((image - shifted(image, period)).abs() * both).sum() / (both.sum() * 3))


def test_periodic_1d_and_2d(session, tmp_path):
    region = box_region(session)
    out = run(session, tools.Periodic(((0.0, 6.0),)), region, tmp_path=tmp_path)
    assert periodic_error(out.after, region.mask, (0.0, 6.0)) < 0.95 * periodic_error(
        out.before, region.mask, (0.0, 6.0)
    )
    session.undo()
    run(session, tools.Periodic(((0.0, 6.0), (5.0, 0.0))), region)


def test_imitate_histogram_and_patches(session, tmp_path):
    region = box_region(session)
    reference = regions.rectangle(session.shape, 88, 8, 32, 32)
    out = run(session, tools.ImitateHistogram(reference), region, tmp_path=tmp_path)
    ref = out.before[0][:, torch.from_numpy(reference.mask)]

    def quantile_gap(image):
        values = image[0][:, out.inside].sort(1).values
        goal = torch.quantile(ref, torch.linspace(0, 1, values.shape[1]), dim=1).T
        return float((values - goal).abs().mean())

    assert quantile_gap(out.after) < 0.9 * quantile_gap(out.before)
    session.undo()
    run(session, tools.ImitatePatches(reference, size=5, stride=3), region)


def test_alternatives_are_pushed_apart_to_the_separation_and_stay_consistent(session, tmp_path):
    region = box_region(session)
    inside = torch.from_numpy(region.mask)

    def apart(edit, images):
        top, left = edit.view.origin
        mask = inside[top : top + images.shape[2], left : left + images.shape[3]]
        pairs = [(i, j) for i in range(3) for j in range(i + 1, 3)]
        return sum(float((images[i] - images[j]).abs().mean(0)[mask].mean()) for i, j in pairs) / len(pairs)

    close = session.edit(tools.Alternatives(count=3, spread=0.005, separation=3.0), region, BUDGET)
    progress = list(close.run())
    assert apart(close, progress[0].preview) < 3.0 <= apart(close, close.result.preview) + 0.3
    for index in range(3):
        report = session.export(
            tmp_path / f"alt{index}.png", patch=session.candidate_patch(close.result, index), record=close.result.record
        )
        assert report.verified
    wide = session.edit(tools.Alternatives(count=3, spread=1.0, separation=0.5), region, BUDGET)
    progress = list(wide.run())
    assert apart(wide, progress[0].preview) > 0.5  # already apart: not pushed into noise
    assert apart(wide, wide.result.preview) < 1.5 * apart(wide, progress[0].preview)


def test_alternatives_are_ranked_by_their_distance_from_the_current_image_without_qt(session):
    """rank_alternatives (the Alternatives panel's ranking, run in the worker thread) is plain engine code:
    each candidate with its exact patch, its consistency and its mean distance from the current image."""
    region = box_region(session)
    edit = session.edit(tools.Alternatives(count=3, spread=1.0), region, Budget(steps=5, patience=0))
    list(edit.run())
    found = rank_alternatives(session, edit.result, region)
    assert [a.index for a in found] == [0, 1, 2]
    assert all(a.consistent == a.patch.consistent() for a in found)
    y0, y1, x0, x1 = region.bounds()
    inside = torch.from_numpy(region.mask[y0:y1, x0:x1])
    crop, (top, left) = session.patched_window(found[1].patch)
    after = crop[0, :, y0 - top : y1 - top, x0 - left : x1 - left]
    expected = float((after - session.image[0, :, y0:y1, x0:x1]).abs().mean(0)[inside].mean())
    assert found[1].difference == pytest.approx(expected) and found[1].difference > 0
    verdict = alternatives_verdict(found)
    assert f"{min(a.difference for a in found):.1f}–{max(a.difference for a in found):.1f} grey levels" in verdict
    assert verdict.startswith("All 3 alternatives are consistent") == all(a.consistent for a in found)


def test_grey_image_tools(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder(), grey=True)
    region = box_region(session)
    run(session, tools.Variance(factor=2.0), region, tmp_path=tmp_path)
    run(session, tools.Scribble((tools.Stroke("line", ((44.0, 40.0), (68.0, 40.0)), width=3),), color=(0.0,)), region)
    with pytest.raises(ValueError):
        session.edit(tools.HueSaturation(30.0), region).tool.objective(
            session.edit(tools.HueSaturation(30.0), region).view
        )


def test_variance_pools_only_around_its_region_with_the_same_result():
    """The objective pools the region's bounding box plus the kernel's reach: the same mean local
    variance as pooling the whole window, also for regions touching the window's edge."""
    from explorer_app.engine.view import masked_mean

    class View:
        region = torch.zeros(1, 1, 60, 80)

    View.region[:, :, 10:30, 20:50] = 1
    View.region[:, :, 0:5, 70:80] = 1
    image = torch.rand(2, 3, 60, 80, dtype=torch.float64) * 255
    whole = masked_mean(local_variance(image, 7), View.region.double())
    assert torch.allclose(tools.Variance().level(View)(image), whole, rtol=1e-12)
