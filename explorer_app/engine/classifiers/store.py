"""Glyph classifiers on disk: models/glyphs_<name>.safetensors, classes and input size in the metadata."""

import json
from pathlib import Path

from safetensors import safe_open
from safetensors.torch import save_file

from ...resources import models_dir as configured_models_dir
from ...resources import shipped_models_dir
from .glyph_classifier import GlyphClassifier
from .network import GlyphNet

FORMAT = "glyph-classifier/1"
PREFIX = "glyphs_"


def search_folders(models_dir: Path | None) -> list[Path]:
    """Where classifiers are looked for: ``models_dir`` alone when given, else ``$JPEG_EXPLORER_MODELS`` (read
    at call time) and then the shipped models, so a folder of one's own decoders keeps the shipped classifiers."""
    if models_dir is not None:
        return [models_dir]
    return list(dict.fromkeys([configured_models_dir(), shipped_models_dir()]))


def classifier_path(name: str, models_dir: Path | None = None) -> Path:
    """Where the classifier called `name` (e.g. "digits") lives: the first search folder that has it."""
    folders = search_folders(models_dir)
    found = [folder / f"{PREFIX}{name}.safetensors" for folder in folders]
    return next((path for path in found if path.is_file()), found[0])


def available_classifiers(models_dir: Path | None = None) -> list[str]:
    """Names of the classifiers found in the search folders, sorted."""
    return sorted(
        {
            p.name[len(PREFIX) : -len(".safetensors")]
            for folder in search_folders(models_dir)
            for p in folder.glob(f"{PREFIX}*.safetensors")
        }
    )


def save_classifier(classifier: GlyphClassifier, path: Path, extra: dict[str, str] | None = None) -> None:
    """Write weights and metadata (format, classes, input size, plus `extra`) as safetensors."""
    metadata = {"format": FORMAT, "classes": json.dumps(classifier.classes), "input_size": str(classifier.input_size)}
    metadata.update(extra or {})
    state = {k: v.detach().contiguous() for k, v in classifier.net.state_dict().items()}
    save_file(state, str(path), metadata=metadata)


def load_classifier(name: str, models_dir: Path | None = None) -> GlyphClassifier:
    """The classifier called `name`, in eval mode, its own weights frozen (input gradients still flow)."""
    path = classifier_path(name, models_dir)
    if not path.is_file():
        known = ", ".join(available_classifiers(models_dir)) or "none"
        raise FileNotFoundError(f"no glyph classifier {name!r} in {path.parent} (available: {known})")
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata() or {}
        state = {key: f.get_tensor(key) for key in f.keys()}
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} file (format: {metadata.get('format')!r})")
    net = GlyphNet.from_state_dict(state)
    classifier = GlyphClassifier(json.loads(metadata["classes"]), net, int(metadata["input_size"]))
    return classifier.eval().requires_grad_(False)
