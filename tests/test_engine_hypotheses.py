"""Glyph hypotheses and the digits CLI, with a stand-in classifier; the ambiguity map."""

import json

import torch

from explorer_app.cli.main import main
from explorer_app.engine import Budget, ambiguity_map, glyph_hypotheses, regions, tools
from explorer_app.engine.tools.glyphs import box_crop

from conftest import (
    StandInClassifier,
    controllable_decoder,
    quick_digits_command,
    random_decoder,
    tiny_session,
    write_picture,
)

BOX = (48, 32, 24, 32)
DIGITS = [str(d) for d in range(10)]


def probability(classifier, image, label):
    return float(torch.softmax(classifier(box_crop(image, BOX, (0, 0))), 1)[0, label])


def test_glyph_target_raises_the_class_probability(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder())
    classifier = StandInClassifier(DIGITS)
    label = int(torch.softmax(classifier(box_crop(session.image, BOX, (0, 0))), 1)[0].argmin())
    before = probability(classifier, session.image, label)
    session.apply(
        tools.GlyphTarget(classifier, BOX, label), regions.rectangle(session.shape, *BOX), Budget(steps=30, patience=0)
    )
    assert probability(classifier, session.image, label) > before * 1.2
    assert session.export(tmp_path / "glyph.png").verified


def test_hypotheses_cover_every_class_ranked_and_consistent(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder())
    classifier = StandInClassifier(DIGITS)
    result, ranked = glyph_hypotheses(session, classifier, BOX, Budget(steps=20, hold_weight=0.2, halo=4))
    assert sorted(h.label for h in ranked) == DIGITS
    assert abs(sum(h.score for h in ranked) - 1) < 1e-6
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)
    for h in ranked:
        steered = session.patched_output(h.patch).image
        assert probability(classifier, steered, h.index) > probability(classifier, session.image, h.index)
    best = ranked[0]
    assert session.export(tmp_path / "best.png", patch=best.patch, record=result.record).verified


def test_digits_cli_writes_ten_verified_pngs_and_json(tmp_path, monkeypatch, capsys):
    jpeg = write_picture(tmp_path / "clock.jpg")
    quick_digits_command(monkeypatch, steps=8)
    out = tmp_path / "hypotheses"
    assert main(["digits", str(jpeg), "--box", "48,32,24,32", "-o", str(out), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["hypotheses"]
    assert sorted(row["digit"] for row in rows) == list(range(10))
    assert all(row["consistent"] for row in rows)
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    assert sorted(p.name for p in out.glob("*.png")) == [f"{d}.png" for d in range(10)]
    assert main(["verify", rows[0]["path"], str(jpeg)]) == 0


def test_digits_cli_refuses_bad_input(tmp_path, capsys):
    jpeg = write_picture(tmp_path / "clock.jpg")
    assert main(["digits", str(jpeg), "--box", "1,2,3", "-o", str(tmp_path / "o")]) == 2
    assert main(["digits", str(jpeg), "--box", "120,90,24,32", "-o", str(tmp_path / "o")]) == 2
    assert main(["digits", str(tmp_path / "missing.jpg"), "--box", "0,0,8,8", "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("jpeg-explorer: error:") == 3 and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_ambiguity_map(tmp_path):
    session = tiny_session(tmp_path, random_decoder())
    z, image = session.state.z.clone(), session.image.clone()
    spread = ambiguity_map(session, count=3)
    assert spread.shape == session.shape and float(spread.min()) >= 0 and float(spread.mean()) > 0.1
    region = regions.rectangle(session.shape, 0, 0, 16, 16)
    local = ambiguity_map(session, count=3, region=region, dilation=0)
    assert float(local[:16, :16].mean()) > 0.1 and float(local[:, 120:].max()) == 0.0
    assert torch.equal(session.state.z, z) and torch.equal(session.image, image)


def test_hypotheses_with_the_glyph_classifier_plug_in(tmp_path):
    from explorer_app.engine.classifiers import GlyphClassifier, GlyphNet

    torch.manual_seed(0)
    classifier = GlyphClassifier(DIGITS, GlyphNet(10)).eval().requires_grad_(False)
    session = tiny_session(tmp_path, controllable_decoder())
    _, ranked = glyph_hypotheses(session, classifier, BOX, Budget(steps=4, hold_weight=0.2, halo=2))
    assert sorted(h.label for h in ranked) == DIGITS


def test_bench_cli_reports_every_figure(monkeypatch, capsys):
    from explorer_app.cli import bench_command

    monkeypatch.setattr(bench_command, "SIDE", 128)
    monkeypatch.setattr(bench_command, "EDIT_BOX", (32, 32, 32, 32))
    monkeypatch.setattr(bench_command, "LARGE_EDIT_BOX", (16, 16, 64, 64))
    monkeypatch.setattr(bench_command, "DIGIT_BOX", (48, 48, 24, 32))
    monkeypatch.setattr(bench_command, "pick_decoder", lambda device, notes: random_decoder())
    monkeypatch.setattr(bench_command, "pick_classifier", lambda notes: StandInClassifier(DIGITS))
    monkeypatch.setattr(bench_command, "Budget", lambda **options: Budget(**{**options, "steps": 2}))
    monkeypatch.setattr(
        bench_command,
        "glyph_hypotheses",
        lambda session, classifier, box: glyph_hypotheses(session, classifier, box, Budget(steps=2, halo=2)),
    )
    assert main(["bench", "--json", "--device", "cpu"]) == 0
    figures = json.loads(capsys.readouterr().out)
    for key in (
        "device",
        "model",
        "decode_1mp_s",
        "libjpeg_decode_1mp_s",
        "first_edit_s",
        "edit_128px_50it_s",
        "edit_128px_50it_full_reach_s",
        "edit_256px_50it_s",
        "digits_10_hypotheses_s",
        "adam_steps_1mp_per_s",
    ):
        assert figures[key] is not None, key


def test_the_verdict_says_whether_the_file_decides():
    from explorer_app.engine.hypotheses import verdict

    digits = [str(d) for d in range(10)]
    even = [0.1] * 10
    assert (
        verdict(digits, even, [True] * 10, "digit")
        == "All 10 are consistent and about equally plausible: this file cannot tell which digit it was."
    )
    peaked = [0.91] + [0.01] * 9
    assert (
        verdict(digits, peaked, [True] * 10, "digit")
        == "All 10 are consistent, but only 0 is plausible (score 0.91; the next, 1, 0.01)."
    )
    two = [0.05, 0.4, 0.05, 0.3] + [0.2 / 6] * 6
    assert "1 and 3 are about equally plausible" in verdict(digits, two, [True] * 10, "digit")
    assert verdict(digits, even, [False] + [True] * 9, "digit").startswith("Only 9 of 10 are consistent")
