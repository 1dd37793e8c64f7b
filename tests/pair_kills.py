"""Kill exports at random moments and check what they leave: the PNG and its report must be the
old pair or the new pair, never one without the other, never mismatched, and no ``.partial`` file.

``python tests/pair_kills.py loop FOLDER`` exports over FOLDER/out.png again and again (a tiny random decoder,
a new seed each time) after printing "ready" once the first pair exists; :func:`kill_once` starts that loop,
signals it after a random delay and checks the folder. ``benchmarks/kill_exports.py`` runs it many times.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pair_problem(folder: Path) -> str:
    """ "" when FOLDER holds source.jpg, out.png and out.png.json, the report describing that very PNG, and
    nothing else; else what is wrong."""
    names = sorted(p.name for p in folder.iterdir())
    if names != ["out.png", "out.png.json", "source.jpg"]:
        return f"files: {names}"
    report = json.loads((folder / "out.png.json").read_text())
    if report["image"]["sha256"] != hashlib.sha256((folder / "out.png").read_bytes()).hexdigest():
        return "the report describes another PNG"
    return ""


SETTLE_SECONDS = 5.0
"""How long the folder may take to settle after the exporter died: the child that names a pair finishes its
two renames on its own (microseconds, or a scheduler tick on a loaded machine). A real fault never settles."""


def kill_once(folder: Path, delay: float, signal_number: int) -> str:
    """Start the export loop in ``folder``, send ``signal_number`` ``delay`` seconds after its first pair, and
    return :func:`pair_problem` once it has ended and the folder has settled (or the last problem seen)."""
    child = subprocess.Popen(
        [sys.executable, str(HERE / "pair_kills.py"), "loop", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    child.send_signal(signal_number)
    child.wait(timeout=60)
    deadline = time.monotonic() + SETTLE_SECONDS
    while (problem := pair_problem(folder)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return problem


def loop(folder: Path) -> None:
    """Export over ``folder``/out.png forever, each time with another seed."""
    sys.path.insert(0, str(HERE))
    import torch

    from explorer_app.codec import read_jpeg
    from explorer_app.decoder.code_tensors import CodeTensors
    from explorer_app.decoder.model import random_control
    from explorer_app.export.exporter import export_verified

    from conftest import synthetic_photo, tiny_decoder, write_jpeg

    code = read_jpeg(write_jpeg(folder / "source.jpg", synthetic_photo(48, 64, seed=5), quality=75))
    tensors = CodeTensors.from_code(code)
    decoder = tiny_decoder(1, head_scale=0.2)
    seed = 0
    while True:
        with torch.no_grad():
            output = decoder(tensors, random_control(tensors, seed))
        export_verified(output, code, folder / "out.png", bit_depth=16 if seed % 2 else 8)
        if seed == 0:
            print("ready", flush=True)
        seed += 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["loop"]:
        loop(Path(sys.argv[2]))
