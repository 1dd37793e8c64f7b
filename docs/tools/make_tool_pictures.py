"""Before/after pictures of each tool on the bundled example, for the README's tool guide.

    PYTHONPATH=. python docs/tools/make_tool_pictures.py

Each picture: the region's surroundings before (left) and after (right) one application of the tool
with the shipped explorable-lite decoder, the region outlined; every result is consistent with the file.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from explorer_app.decoder import load_decoder
from explorer_app.engine import Session, regions, tools
from explorer_app.engine.tools.scribble import Stroke
from explorer_app.resources import example_jpeg

OUT = Path(__file__).parent
BOX = (96, 360, 96, 96)  # x, y, w, h: the orange suit by the mission patch
VIEW = 24  # px of context around the box


def current(session: Session) -> np.ndarray:
    return session.output()["image"][0].permute(1, 2, 0).clamp(0, 255).round().byte().numpy()


def crop(image: np.ndarray) -> np.ndarray:
    x, y, w, h = BOX
    part = image[y - VIEW : y + h + VIEW, x - VIEW : x + w + VIEW].copy()
    cv2.rectangle(part, (VIEW - 1, VIEW - 1), (VIEW + w, VIEW + h), (255, 220, 0), 1)
    return part


def picture(name: str, tool: tools.Tool) -> None:
    session = Session.open(example_jpeg(), load_decoder("explorable", "lite"))
    x, y, w, h = BOX
    box = regions.rectangle(session.shape, x=x, y=y, width=w, height=h)
    before = crop(current(session))
    session.apply(tool, box)
    after = crop(current(session))
    assert session.export(OUT / "check.png").verified
    pair = np.concatenate([before, np.full((before.shape[0], 6, 3), 255, np.uint8), after], 1)
    pair = cv2.resize(pair, (pair.shape[1] * 2, pair.shape[0] * 2), interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(str(OUT / f"{name}.png"), pair[:, :, ::-1])
    print("wrote", name, flush=True)


def main() -> None:
    x, y, w, h = BOX
    stroke = Stroke("ellipse", ((x + 20, y + 20), (x + 76, y + 76)), width=5.0)
    for name, tool in (
        ("brightness", tools.Brightness(30.0)),
        ("variance", tools.Variance(factor=3.0)),
        ("smoothing", tools.TotalVariation()),
        ("hue", tools.HueSaturation(hue_degrees=120.0, saturation=1.5)),
        ("periodic", tools.Periodic(periods=((0.0, 12.0),))),
        ("scribble", tools.Scribble((stroke,), color=(250.0, 250.0, 250.0))),
    ):
        picture(name, tool)
    for leftover in (OUT / "check.png", OUT / "check.png.json"):
        leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
