"""Issue 14, the last hang: files whose coefficients no image gives (mutants that libjpeg reads without a
warning) are exported NOT VERIFIED with the reason, without searching in vain. Before the range proofs these
took 23-96 s each (idle 2-core CPU) in the 8-bit integer search and the linear programmes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer_app.cli.main import main
from explorer_app.export import repair as repair_module
from explorer_app.verify import proofs

DAMAGED = sorted((Path(__file__).parent / "data" / "hostile" / "slow-export").glob("*.jpg"))


@pytest.fixture
def no_vain_search(monkeypatch):
    """Fail if the integer search or a linear programme runs: a proved-damaged file needs neither."""

    def refuse(*args, **kwargs):
        raise AssertionError("searched in vain")

    monkeypatch.setattr(repair_module, "integer_repair", refuse)
    monkeypatch.setattr(proofs, "smallest_excess", refuse)


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
    assert proved and all(miss["proof"] == "coefficient range" and miss["nearest_excess"] > 0 for miss in proved)
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
    assert any(miss["proof"] == "coefficient range" for miss in reference["misses"])
