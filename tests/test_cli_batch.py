"""Batch mode of ``decode`` and ``verify``, as a lab scripts it on a case folder: every file judged on its own,
bad files reported and skipped (one stderr line each, no traceback), a table or one JSON object per file,
the worst file's exit code, and no output ever written over an input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import pytest

from conftest import synthetic_photo, write_jpeg
from explorer_app.cli import decode_command
from explorer_app.cli.main import main


@pytest.fixture
def case(tmp_path) -> Path:
    """A case folder: two small JPEGs (one with an upper-case suffix), a text file named .jpg, a PNG that is
    no input, and a sub-folder whose JPEG is not part of the case."""
    folder = tmp_path / "case"
    (folder / "older").mkdir(parents=True)
    write_jpeg(folder / "door.jpg", synthetic_photo(32, 48, seed=1), quality=40)
    write_jpeg(folder / "plate.JPEG", synthetic_photo(24, 40, seed=2), quality=30, subsampling="4:4:4")
    (folder / "notes.jpg").write_text("not a picture\n")
    (folder / "sketch.png").write_bytes(b"\x89PNG")
    write_jpeg(folder / "older" / "old.jpg", synthetic_photo(16, 16, seed=3))
    return folder


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_a_case_folder_decodes_its_good_files_reports_the_bad_one_and_verifies(case, tmp_path, models_folder, capfd):
    out = tmp_path / "out"
    before = {p: p.read_bytes() for p in case.rglob("*") if p.is_file()}
    assert main(["decode", str(case), "-o", str(out)]) == 2  # one input unusable
    printed, err = capfd.readouterr()
    assert err.splitlines() == [
        f"jpeg-explorer: error: {case / 'notes.jpg'}: not a JPEG file (no SOI marker at the start)"
    ]
    lines = printed.splitlines()
    assert [(line.split()[0], Path(line.split()[2]).name) for line in lines[1:-1]] == [
        ("VERIFIED", "door.jpg"),
        ("UNUSABLE", "notes.jpg"),
        ("VERIFIED", "plate.JPEG"),
    ]
    assert lines[-1] == "3 file(s): 2 verified, 0 not verified, 1 unusable; exit 2"
    assert sorted(p.name for p in out.iterdir()) == ["door.png", "door.png.json", "plate.png", "plate.png.json"]
    assert {p: p.read_bytes() for p in case.rglob("*") if p.is_file()} == before
    assert main(["verify", str(out), str(case)]) == 0  # NAME.png against NAME.jpg / NAME.JPEG
    assert "2 file(s): 2 verified, 0 not verified, 0 unusable; exit 0" in capfd.readouterr().out


def test_json_gives_one_object_per_file_and_no_progress_when_stderr_is_no_terminal(
    case, tmp_path, models_folder, capfd
):
    files = [case / "door.jpg", case / "plate.JPEG", tmp_path / "missing.jpg"]
    assert main(["decode", *map(str, files), "-o", str(tmp_path / "out"), "--json", "--seed", "3"]) == 2
    printed, err = capfd.readouterr()
    objects = _json_lines(printed)
    assert [o["input"] for o in objects] == list(map(str, files))
    assert [(o["status"], o["exit"]) for o in objects] == [("verified", 0), ("verified", 0), ("unusable", 2)]
    assert objects[2]["error"].endswith("no such file") and objects[0]["error"] is None
    report = json.loads(Path(objects[0]["report"]).read_text())
    assert report["verified"] is True and report["history"][0]["seed"] == 3
    assert err.count("\n") == 1 and "[1/3]" not in err  # the one error line; no progress line into a file


def test_one_file_with_json_prints_the_object_a_batch_would(case, tmp_path, models_folder, capfd):
    out = tmp_path / "door.png"
    assert main(["decode", str(case / "door.jpg"), "-o", str(out), "--json"]) == 0
    (only,) = _json_lines(capfd.readouterr().out)
    assert only["output"] == str(out) and only["status"] == "verified" and only["bit_depth"] in (8, 16)
    assert only["verdict"].startswith("VERIFIED") and Path(only["report"]).exists()


def test_a_batch_exits_1_when_a_file_is_written_but_not_verified(tmp_path, models_folder, capfd):
    """A quality-100 file leaves 8 bits no room: written, NOT VERIFIED, with its remedy in the table."""
    good = write_jpeg(tmp_path / "good.jpg", synthetic_photo(32, 32, seed=4), quality=40)
    fine = write_jpeg(tmp_path / "fine.jpg", synthetic_photo(32, 48, seed=5), quality=100, subsampling="4:4:4")
    assert main(["decode", str(good), str(fine), "-o", str(tmp_path / "out"), "--bit-depth", "8"]) == 1
    printed = capfd.readouterr().out
    row = next(line for line in printed.splitlines() if "fine.jpg" in line)
    assert row.startswith("NOT VERIFIED") and "remedy:" in row and "--bit-depth 16" in row
    assert (tmp_path / "out" / "fine.png").exists() and (tmp_path / "out" / "fine.png.json").exists()


def test_no_output_is_written_over_an_input(tmp_path, models_folder, capfd):
    """Outputs go into the inputs' own folder: an input JPEG named x.png would be replaced by its own output
    and by x.jpg's, and two inputs of one name would write one output; all are refused, the rest is done."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    write_jpeg(first / "scene.jpg", synthetic_photo(32, 32, seed=6))
    write_jpeg(second / "scene.jpg", synthetic_photo(32, 32, seed=7))
    write_jpeg(first / "x.jpg", synthetic_photo(32, 32, seed=8))
    disguised = write_jpeg(first / "x.png", synthetic_photo(32, 32, seed=9))
    before = disguised.read_bytes()
    inputs = [first / "scene.jpg", second / "scene.jpg", first / "x.jpg", disguised]
    assert main(["decode", *map(str, inputs), "-o", str(first)]) == 2
    err = capfd.readouterr().err.splitlines()
    assert len(err) == 3 and f"would overwrite the input {disguised}" in err[1] and "rename one" in err[0]
    assert disguised.read_bytes() == before and (first / "scene.png").exists()
    assert json.loads((first / "scene.png.json").read_text())["source"]["path"] == str(first / "scene.jpg")


def test_batch_arguments_that_cannot_work_are_refused_before_any_work(case, tmp_path, models_folder, capfd):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["decode", str(case / "door.jpg"), str(case / "plate.JPEG"), "-o", str(tmp_path / "x.png")]) == 2
    assert "names the output folder, not a PNG" in capfd.readouterr().err
    assert main(["decode", str(empty), "-o", str(tmp_path / "out")]) == 2
    assert "no .jpg or .jpeg files in this folder" in capfd.readouterr().err
    assert main(["verify", str(empty), str(case)]) == 2
    assert "no .png files in this folder" in capfd.readouterr().err
    assert main(["verify", "--pairs", "a.png", "a.jpg", "b.png"]) == 2
    assert "3 paths given" in capfd.readouterr().err
    assert main(["verify", str(case), str(case), "--explain"]) == 2
    assert "--explain judges one pair" in capfd.readouterr().err
    assert main(["verify", str(case), str(case / "door.jpg")]) == 2
    assert "give two files, or two folders" in capfd.readouterr().err
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "out").exists()


def test_verify_pairs_judges_each_pair_and_exits_with_the_worst(case, tmp_path, models_folder, capfd):
    out = tmp_path / "out"
    assert main(["decode", str(case / "door.jpg"), str(case / "plate.JPEG"), "-o", str(out), "--quiet"]) == 0
    capfd.readouterr()
    pairs = [out / "door.png", case / "door.jpg", out / "door.png", case / "plate.JPEG"]
    assert main(["verify", "--pairs", *map(str, pairs), "--json"]) == 2  # door.png is not plate's size
    objects = _json_lines(capfd.readouterr().out)
    assert [o["status"] for o in objects] == ["verified", "unusable"]
    assert objects[0]["report"]["reproduced_by"] and "cannot be the JPEG's source" in objects[1]["error"]
    door = cv2.imread(str(out / "door.png"), cv2.IMREAD_UNCHANGED)
    cv2.imwrite(str(out / "door.png"), door[:, ::-1])  # the same size, other content: judged NOT VERIFIED
    (out / "stray.png").write_bytes((out / "plate.png").read_bytes())  # no stray.jpg in the case
    assert main(["verify", str(out), str(case)]) == 2
    lines = capfd.readouterr().out.splitlines()
    assert [line.split("  ")[0] for line in lines[1:-1]] == ["NOT VERIFIED", "VERIFIED", "UNUSABLE"]
    assert lines[3].endswith(f"{out / 'stray.png'}: no stray.jpg or stray.jpeg in {case}")
    (out / "stray.png").unlink()
    assert main(["verify", str(out), str(case), "-q"]) == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_progress_line_unless_quiet(case, tmp_path, models_folder, monkeypatch, capsys):
    files = [str(case / "door.jpg"), str(case / "plate.JPEG")]
    for quiet, expected in (([], ["[1/2]", "[2/2]"]), (["-q"], [])):
        terminal = Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        assert main(["decode", *files, "-o", str(tmp_path / "out"), *quiet]) == 0
        shown = terminal.getvalue()
        assert [mark for mark in ("[1/2]", "[2/2]") if mark in shown] == expected
        assert shown == "" or shown.endswith("\r")  # the line is wiped before the table
    assert "2 file(s): 2 verified" in capsys.readouterr().out


def test_an_unexpected_error_on_one_file_does_not_stop_the_others(case, tmp_path, models_folder, monkeypatch, capfd):
    real = decode_command.export_decode

    def breaks_on_plates(source, *args):
        if "plate" in source.name:
            raise RuntimeError("the network fell over")
        return real(source, *args)

    monkeypatch.setattr(decode_command, "export_decode", breaks_on_plates)
    assert main(["decode", str(case / "plate.JPEG"), str(case / "door.jpg"), "-o", str(tmp_path / "out")]) == 2
    printed, err = capfd.readouterr()
    assert "Traceback" not in err and "unexpected RuntimeError (please report it): the network fell over" in err
    assert (tmp_path / "out" / "door.png").exists() and "1 verified, 0 not verified, 1 unusable" in printed


@pytest.mark.parametrize("command", ["decode", "verify"])
def test_help_documents_the_batch_and_its_exit_codes(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "A batch exits 0 when every" in text and "2 when some" in text and "--json" in text
