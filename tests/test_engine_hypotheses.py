"""The digits CLI's refusals, the bench command's figures, and the ambiguity map."""

import json

import torch

from explorer_app.cli.main import main
from explorer_app.engine import Budget, ambiguity_map, regions

from conftest import random_decoder, tiny_session, write_picture


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


def test_bench_cli_reports_every_figure(monkeypatch, capsys):
    from explorer_app.cli import bench_command

    monkeypatch.setattr(bench_command, "SIDE", 128)
    monkeypatch.setattr(bench_command, "EDIT_BOX", (32, 32, 32, 32))
    monkeypatch.setattr(bench_command, "LARGE_EDIT_BOX", (16, 16, 64, 64))
    monkeypatch.setattr(bench_command, "DIGIT_BOX", (48, 48, 24, 32))
    monkeypatch.setattr(bench_command, "pick_decoder", lambda device, notes: random_decoder())
    monkeypatch.setattr(bench_command, "Budget", lambda **options: Budget(**{**options, "steps": 2}))
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
