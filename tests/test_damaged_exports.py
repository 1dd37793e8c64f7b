"""Files whose coefficients no image gives (mutants that libjpeg reads without a warning) are exported NOT
VERIFIED with the reason, without searching in vain: a proof that an MCU is out of reach stops the 8-bit
integer search and the linear programmes, which could otherwise run on it until their counts ran out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer_app.cli.main import main
from explorer_app.export import integer_repair
from explorer_app.export import repair as repair_module
from explorer_app.verify import proofs, reachability

FOLDER = Path(__file__).parent / "data" / "hostile" / "slow-export"
JOINT = {"mutant-102-122.jpg", "mutant-102-726.jpg"}
"""Damaged where no single coefficient's range shows it, only the linear programme (10-23 s each before)."""
NEAR = {"mutant-104-833.jpg", "mutant-107-465.jpg"}
"""Damaged within libjpeg's reach of the reference: only the search's own bounds stop the work."""
DAMAGED = sorted(path for path in FOLDER.glob("*.jpg") if path.name not in JOINT | NEAR)


def refuse(*args, **kwargs):
    raise AssertionError("searched in vain")


@pytest.fixture
def no_vain_search(monkeypatch):
    """Fail if the integer search or a linear programme runs: a file damaged beyond a coefficient's range
    needs neither."""
    monkeypatch.setattr(repair_module, "integer_repair", refuse)
    monkeypatch.setattr(proofs, "nearest_excess", refuse)


@pytest.mark.parametrize("name", sorted(JOINT))
def test_damage_only_a_linear_programme_shows_stops_the_search_before_any_rgb_move(
    tmp_path, capsys, monkeypatch, name: str
) -> None:
    programmes = []
    monkeypatch.setattr(integer_repair, "greedy_rgb", refuse)
    real = reachability.linprog
    monkeypatch.setattr(reachability, "linprog", lambda *args, **kwargs: programmes.append(1) or real(*args, **kwargs))
    assert main(["decode", str(FOLDER / name), "-o", str(tmp_path / "out.png"), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert "damaged or altered" in result["remedy"]
    assert 0 < len(programmes) <= integer_repair.EXAMINED_MCUS + repair_module.EXAMINED_MCUS
    report = json.loads(Path(result["report"]).read_text())
    proofs_named = {miss["proof"] for miss in report["encoders"][1]["misses"] if miss["reachable"] is False}
    assert "linear programme, beyond libjpeg" in proofs_named


@pytest.mark.parametrize("source", DAMAGED, ids=[path.stem for path in DAMAGED])
def test_a_damaged_file_exports_not_verified_saying_why_without_a_vain_search(
    tmp_path, capsys, no_vain_search, source: Path
) -> None:
    before = source.read_bytes()
    output = tmp_path / "out.png"
    assert main(["decode", str(source), "-o", str(output), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert not result["verified"] and "damaged or altered" in result["remedy"]
    assert "no export of it can verify" in result["remedy"]
    report = json.loads(Path(result["report"]).read_text())
    proved = [miss for miss in report["encoders"][1]["misses"] if miss["reachable"] is False]
    assert proved and all(
        miss["proof"] == "coefficient range, beyond libjpeg" and miss["nearest_excess"] > 0 for miss in proved
    )
    assert output.exists() and source.read_bytes() == before


def test_a_forced_8_bit_export_of_a_damaged_file_says_the_same(tmp_path, capsys, no_vain_search) -> None:
    output = tmp_path / "out.png"
    assert main(["decode", str(DAMAGED[0]), "-o", str(output), "--bit-depth", "8", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["bit_depth"] == 8 and "damaged or altered" in result["remedy"]


def test_verify_names_the_impossible_blocks_of_a_damaged_file(tmp_path, capsys) -> None:
    """Any PNG against a damaged file: the blocks no image reaches are proved so, whatever the PNG."""
    output = tmp_path / "out.png"
    main(["decode", str(DAMAGED[0]), "-o", str(output)])
    capsys.readouterr()
    assert main(["verify", str(output), str(DAMAGED[0]), "--json"]) == 1
    reference = json.loads(capsys.readouterr().out)["encoders"][1]
    assert any(miss["proof"] == "coefficient range, beyond libjpeg" for miss in reference["misses"])


@pytest.mark.parametrize("name", sorted(NEAR))
def test_damage_within_libjpeg_reach_is_reported_with_bounded_programmes(
    tmp_path, capsys, monkeypatch, name: str
) -> None:
    """No proof settles these (their MCUs lie within libjpeg's deviation of the reference's reach), so the
    search runs, but its rounds stop when one mends nothing and the programmes stay within their counts."""
    programmes = []
    real = reachability.linprog
    monkeypatch.setattr(reachability, "linprog", lambda *args, **kwargs: programmes.append(1) or real(*args, **kwargs))
    assert main(["decode", str(FOLDER / name), "-o", str(tmp_path / "out.png"), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["remedy"] and not result["verified"]
    assert len(programmes) <= integer_repair.EXAMINED_MCUS + repair_module.EXAMINED_MCUS
