"""The shipped decoders on a real photograph: trained weights beat the plain decode, and the explorable
model's control signal z has a visible effect that L_map's z* can use to approach the truth."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from explorer_app.codec import read_jpeg
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import random_control, zero_control
from explorer_app.decoder.registry import load_decoder
from explorer_app.decoder.render import render_image
from explorer_app.train.objectives import l1, search_control

data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def photo_and_code(tmp_path_factory):
    """A 128×128 crop of a real photo (uint8 RGB) and its QF-8 4:2:0 JPEG code."""
    photo = data.astronaut()[40:168, 170:298]
    path = tmp_path_factory.mktemp("shipped") / "crop.jpg"
    Image.fromarray(photo).save(path, quality=8, subsampling=2)
    return photo, CodeTensors.from_code(read_jpeg(path))


def _error(image: torch.Tensor, photo: np.ndarray) -> float:
    truth = torch.from_numpy(photo).permute(2, 0, 1)[None].float()
    return float((image.clamp(0, 255) - truth).abs().mean())


def test_faithful_lite_beats_the_plain_decode(photo_and_code):
    photo, code = photo_and_code
    with torch.no_grad():
        ours = load_decoder("faithful", "lite")(code, zero_control(code))["image"]
    plain = render_image(
        code.y_q, code.y_table, code.c_q, code.c_table, code.chroma_factor, code.height, code.width
    )  # Δ = 0: the plain consistent decode
    assert _error(ours, photo) < 0.97 * _error(plain, photo)


def test_explorable_z_changes_the_image_and_z_star_approaches_the_truth(photo_and_code):
    photo, code = photo_and_code
    decoder = load_decoder("explorable", "lite").requires_grad_(False)
    with torch.no_grad():
        first = decoder(code, random_control(code, 1))["image"]
        second = decoder(code, random_control(code, 2))["image"]
        at_zero = decoder(code, zero_control(code))["image"]
    assert float((first - second).abs().mean()) > 1.0  # grey levels: a visible difference
    truth = torch.from_numpy(photo).permute(2, 0, 1)[None].float()
    z_star = search_control(decoder, code, truth, steps=30)
    with torch.no_grad():
        approached = decoder(code, z_star)["image"]
    assert float(l1(approached, truth)) < 0.95 * float(l1(at_zero, truth))


def test_bfloat16_steps_stay_in_the_box_and_near_the_float32_decode(photo_and_code):
    """The engine optimizes in bfloat16 on a GPU and commits in float32: both must stay consistent and
    the preview close to what is committed (CPU autocast runs the same bfloat16 convolutions)."""
    _, code = photo_and_code
    decoder = load_decoder("explorable", "lite")
    z = random_control(code, seed=3)
    with torch.no_grad():
        exact = decoder(code, z)
        fast = decoder(code, z, torch.bfloat16)
    assert float(fast["delta_y"].abs().max()) < 0.5 and float(fast["delta_c"].abs().max()) < 0.5
    assert fast["image"].dtype == torch.float32
    difference = (fast["image"] - exact["image"]).abs()
    assert 0.0 < float(difference.max()) < 1.5  # measured 0.53 grey levels (lite), 0.32 (full)
    assert float(difference.mean()) < 0.2
