"""The shipped glyph classifiers: loading, class lists, gradients, any box size, JPEG-damaged glyphs."""

import io
import string
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw, ImageFont

from explorer_app.engine.classifiers import (
    GlyphClassifier,
    GlyphNet,
    available_classifiers,
    load_classifier,
    save_classifier,
)

SHIPPED = {"digits": list(string.digits), "letters": list(string.ascii_uppercase)}
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@pytest.fixture(scope="module", params=sorted(SHIPPED))
def shipped(request: pytest.FixtureRequest) -> tuple[str, GlyphClassifier]:
    return request.param, load_classifier(request.param)


def jpeg_glyph(
    char: str,
    foreground: tuple[int, int, int],
    background: tuple[int, int, int],
    box: tuple[int, int] = (24, 32),
    quality: int = 20,
) -> torch.Tensor:
    """(1, 3, h, w) float RGB in [0, 255]: `char` in Pillow's built-in font (Aileron, not a training
    font), drawn to fill a box of (w, h) px with a small margin, then saved as JPEG at `quality`."""
    font = ImageFont.load_default(size=96)
    mask = Image.new("L", (160, 160))
    ImageDraw.Draw(mask).text((30, 10), char, font=font, fill=255)
    mask = mask.crop(mask.getbbox())
    width, height = box
    scale = min(0.8 * height / mask.height, 0.85 * width / mask.width)
    mask = mask.resize((max(1, round(mask.width * scale)), round(mask.height * scale)), Image.LANCZOS)
    canvas = Image.new("L", box)
    canvas.paste(mask, ((width - mask.width) // 2, (height - mask.height) // 2))
    image = Image.composite(Image.new("RGB", box, foreground), Image.new("RGB", box, background), canvas)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    decoded = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    return torch.from_numpy(decoded.copy()).permute(2, 0, 1)[None].float()


def test_shipped_classifiers_are_available() -> None:
    assert set(SHIPPED) <= set(available_classifiers())


def test_unknown_classifier_names_the_known_ones() -> None:
    with pytest.raises(FileNotFoundError, match="digits"):
        load_classifier("hieroglyphs")


def test_class_list(shipped: tuple[str, GlyphClassifier]) -> None:
    name, classifier = shipped
    assert classifier.classes == SHIPPED[name]


def test_gradients_reach_the_pixels(shipped: tuple[str, GlyphClassifier]) -> None:
    _, classifier = shipped
    images = (torch.rand(2, 3, 32, 24) * 255).requires_grad_()
    classifier(images).log_softmax(dim=1)[:, 3].sum().backward()
    assert images.grad is not None and torch.isfinite(images.grad).all() and images.grad.abs().sum() > 0
    assert all(p.grad is None for p in classifier.parameters())


@pytest.mark.parametrize("height, width", [(7, 5), (32, 24), (45, 31), (64, 64), (300, 200)])
def test_any_box_size(shipped: tuple[str, GlyphClassifier], height: int, width: int) -> None:
    name, classifier = shipped
    logits = classifier(torch.rand(3, 3, height, width) * 255)
    assert logits.shape == (3, len(SHIPPED[name])) and torch.isfinite(logits).all()


def test_recognises_unseen_font_through_jpeg(shipped: tuple[str, GlyphClassifier]) -> None:
    """Dark-on-light and light-on-dark, tinted, JPEG quality 20: at least 80% right."""
    name, classifier = shipped
    styles = [((40, 30, 90), (235, 225, 200)), ((250, 240, 120), (30, 60, 40))]
    images = torch.cat([jpeg_glyph(char, fg, bg) for fg, bg in styles for char in SHIPPED[name]])
    truth = [i for _ in styles for i in range(len(SHIPPED[name]))]
    predicted = classifier(images).argmax(dim=1).tolist()
    correct = sum(p == t for p, t in zip(predicted, truth))
    assert correct >= 0.8 * len(truth), [classifier.classes[p] for p in predicted]


def test_save_and_load_infers_sizes(tmp_path: Path) -> None:
    classifier = GlyphClassifier(["a", "b", "c"], GlyphNet(3, widths=(8, 12, 20)), input_size=24).eval()
    save_classifier(classifier, tmp_path / "glyphs_abc.safetensors")
    loaded = load_classifier("abc", tmp_path)
    assert loaded.classes == ["a", "b", "c"] and loaded.input_size == 24
    images = torch.rand(2, 3, 30, 20) * 255
    torch.testing.assert_close(loaded(images), classifier(images))


@pytest.mark.skipif(not DEJAVU.is_dir(), reason="fonts-dejavu-core is not installed")
def test_training_command_writes_weights_and_card(tmp_path: Path) -> None:
    from explorer_app.train.glyph_train import main

    main(
        [
            "--classes",
            "letters",
            "--out",
            str(tmp_path),
            "--steps",
            "2",
            "--eval-every",
            "1",
            "--batch",
            "8",
            "--train-samples",
            "32",
            "--val-samples",
            "8",
            "--fonts",
            str(DEJAVU),
        ]
    )
    assert load_classifier("letters", tmp_path).classes == SHIPPED["letters"]
    assert "| overall |" in (tmp_path / "glyphs_letters.md").read_text()
