"""``jpeg-explorer models``: every model file this installation uses, with sizes, hashes and model cards.

Decoders (explorable and faithful, full and lite), the glyph classifiers of the digit/letter tools and the
NIQE pristine model of the validation report. ``--json`` prints the same as a list of objects.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from ..decoder.registry import shipped_models
from ..engine.classifiers.store import available_classifiers, classifier_path
from ..metrics.niqe import MODEL_FILE as NIQE_FILE
from ..resources import MODELS_ENV, models_dir, shipped_models_dir
from .errors import EXIT_OK, fail


@dataclass(frozen=True)
class ModelEntry:
    """One model as listed: kind, name, size ("" when the kind has one size), files, bytes, sha256, card."""

    kind: str
    name: str
    size: str
    files: list[str]
    bytes: int
    sha256: str
    card: str | None


def _entry(kind: str, name: str, size: str, files: list[Path], card: Path) -> ModelEntry:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return ModelEntry(
        kind,
        name,
        size,
        [str(p) for p in files],
        sum(p.stat().st_size for p in files),
        digest.hexdigest(),
        str(card) if card.is_file() else None,
    )


def catalogue(folder: Path) -> list[ModelEntry]:
    """Every model of ``folder`` (decoders) and of the classifier/NIQE search path."""
    entries = [_entry("decoder", m.name, m.size, list(m.shards), m.card) for m in shipped_models(folder)]
    for name in available_classifiers():
        path = classifier_path(name)
        entries.append(_entry("glyph classifier", name, "", [path], path.with_suffix(".md")))
    niqe = next((f / NIQE_FILE for f in (folder, shipped_models_dir()) if (f / NIQE_FILE).is_file()), None)
    if niqe is not None:
        entries.append(_entry("NIQE model", "niqe_pristine", "", [niqe], niqe.with_suffix(".md")))
    return entries


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print the list as JSON (kind, name, size, files, bytes, sha256, card)"
    )


def run(args: argparse.Namespace) -> int:
    folder = models_dir()
    if not folder.is_dir():
        return fail(f"{folder}: no such models folder (set by {MODELS_ENV})")
    entries = catalogue(folder)
    if args.json:
        print(json.dumps([asdict(e) for e in entries], indent=2))
        return EXIT_OK
    if not any(e.kind == "decoder" for e in entries):
        print(f"no trained decoders in {folder}")
    for e in entries:
        label = f"{e.name}-{e.size}" if e.size else e.name
        print(
            f"{e.kind:<16} {label:<16} {e.bytes / 2**20:6.1f} MiB  sha256 {e.sha256[:16]}  card: {e.card or 'missing'}"
        )
    return EXIT_OK
