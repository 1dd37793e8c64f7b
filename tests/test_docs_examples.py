"""docs/engine.md's digit examples run as written, on the bundled clock (a --box once lay outside the
304×128 image). The command line and the script are read out of the document, so it cannot rot.

The documented box holds the digit the script names (the style fit on libjpeg's decode reads it); the runs
themselves use a tiny decoder (what is checked is that the documented calls work, not the model)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer_app.cli.main import main
from explorer_app.codec import plain_decode

from conftest import tiny_decoder

ROOT = Path(__file__).resolve().parents[1]
ENGINE_DOC = (ROOT / "docs" / "engine.md").read_text()


def documented_digits_command() -> list[str]:
    return shlex.split(re.search(r"`(jpeg-explorer digits [^`]+)`", ENGINE_DOC).group(1))


def documented_digits_script() -> str:
    return next(block for block in re.findall(r"```python\n(.*?)```", ENGINE_DOC, re.S) if "glyph_hypotheses(" in block)


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """A working folder that looks like the repository's root (its assets), so outputs land in tmp_path; tiny
    decoders with small Δ (cheap to export)."""
    from explorer_app.decoder.registry import save_decoder

    for size in ("lite", "full"):
        save_decoder(tiny_decoder(seed=1, head_scale=0.05), tmp_path / "models", "explorable", size)
    monkeypatch.setenv("JPEG_EXPLORER_MODELS", str(tmp_path / "models"))
    (tmp_path / "assets").symlink_to(ROOT / "assets")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_documented_box_holds_the_digit_the_document_names():
    """The display style fitted to the documented box of libjpeg's decode shows the digit the script's comment
    names, and the script and the command line use the same box."""
    from explorer_app.engine.glyphs.fit import fit_style
    from explorer_app.engine.glyphs.render import Segments
    from explorer_app.engine.glyphs.segments import SEVEN_SEGMENT

    argv = documented_digits_command()
    box = tuple(int(v) for v in argv[argv.index("--box") + 1].split(","))
    script = documented_digits_script()
    named = re.search(r"\((\d+), (\d+), (\d+), (\d+)\)\)\s+# the \"(\d)\"", script)
    assert tuple(int(v) for v in named.groups()[:4]) == box
    pixels = plain_decode(ROOT / argv[2])
    x, y, w, h = box
    crop = torch.from_numpy(np.ascontiguousarray(pixels[y : y + h, x : x + w])).permute(2, 0, 1)[None].float()
    assert fit_style(Segments.of(SEVEN_SEGMENT), crop).label == named.group(5)


def test_the_documented_digits_command_runs(checkout, capfd):
    argv = documented_digits_command()
    assert argv[:2] == ["jpeg-explorer", "digits"]
    assert main(argv[1:]) == 0
    printed = json.loads(capfd.readouterr().out)
    rows = printed["hypotheses"]
    assert sorted(row["digit"] for row in rows) == list(range(10))
    assert all(row["consistent"] and (checkout / row["path"]).exists() for row in rows)
    assert "possible here" in printed["verdict"]


def test_the_documented_digits_script_runs(checkout, capsys):
    exec(compile(documented_digits_script(), "docs/engine.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert "possible here" in lines[0]
    assert sorted(int(line.split()[0]) for line in lines[1:]) == list(range(10))
    assert all(line.endswith("True") for line in lines[1:])
    assert len(list(checkout.glob("digit-*.png"))) == 10
