"""Shipped decoders by name: files, loading (sizes inferred from the weights) and sharded saving.

A model is ``models/<name>-<size>.safetensors`` or, when over the 16 MiB file limit, shards
``models/<name>-<size>-00001-of-0000K.safetensors``; next to it ``<name>-<size>.md`` is its card.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from ..resources import models_dir
from .model import SIZES, DecoderSize, JpegDecoder

MODEL_NAMES = ("explorable", "faithful")
"""explorable: adversarially trained (the paper's exploration model); faithful: L1-trained, best PSNR."""
FORMAT = "jpeg-explorer-decoder/1"
SHARD_BYTES = 15 * 2**20


class ModelNotFoundError(FileNotFoundError):
    """No weights for the requested model; the message says which and what exists."""


@dataclass(frozen=True)
class ModelFiles:
    name: str
    size: str
    shards: tuple[Path, ...]

    @property
    def card(self) -> Path:
        return self.shards[0].parent / f"{self.name}-{self.size}.md"

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for shard in self.shards:
            digest.update(shard.read_bytes())
        return digest.hexdigest()

    def total_bytes(self) -> int:
        return sum(s.stat().st_size for s in self.shards)


def find_model(name: str, size: str, folder: Path | None = None) -> ModelFiles | None:
    """The files of ``name``-``size`` in ``folder`` (default: the shipped models), or None."""
    folder = folder or models_dir()
    single = folder / f"{name}-{size}.safetensors"
    if single.exists():
        return ModelFiles(name, size, (single,))
    shards = tuple(sorted(folder.glob(f"{name}-{size}-0*-of-0*.safetensors")))
    return ModelFiles(name, size, shards) if shards else None


def shipped_models(folder: Path | None = None) -> list[ModelFiles]:
    return [m for n in MODEL_NAMES for s in SIZES if (m := find_model(n, s, folder)) is not None]


def size_from_state(state: dict[str, torch.Tensor]) -> DecoderSize:
    """Infer widths and depths from the weight shapes."""

    def depth(prefix: str) -> int:
        return len({k.split(".")[2] for k in state if k.startswith(f"{prefix}.layers.")})

    return DecoderSize(
        state["luma.layers.0.conv.weight"].shape[0],
        depth("luma"),
        state["chroma.layers.0.conv.weight"].shape[0],
        depth("chroma"),
        learned_prior=any(k.startswith("prior.") for k in state),
    )


def decoder_from_state(state: dict[str, torch.Tensor], name: str) -> JpegDecoder:
    """A float32 decoder in eval mode built to fit ``state``."""
    decoder = JpegDecoder(size_from_state(state), name=name)
    result = decoder.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        raise ValueError(f"weights do not fit a decoder: missing {missing}, unexpected {result.unexpected_keys}")
    return decoder.eval()


def load_decoder(name: str, size: str, folder: Path | None = None) -> JpegDecoder:
    """Load a shipped decoder; raises ModelNotFoundError with the list of what is available."""
    folder = folder or models_dir()
    if not folder.is_dir():
        raise ModelNotFoundError(f"{folder}: no such models folder")
    files = find_model(name, size, folder)
    if files is None:
        available = ", ".join(f"{m.name}/{m.size}" for m in shipped_models(folder)) or "none"
        raise ModelNotFoundError(f"no trained weights for the {name} model in size {size} (available: {available})")
    state: dict[str, torch.Tensor] = {}
    for shard in files.shards:
        state.update(load_file(str(shard)))
    decoder = decoder_from_state(state, f"{name}-{size}")
    decoder.sha256 = files.sha256()
    with safe_open(str(files.shards[0]), "pt") as handle:
        metadata = handle.metadata() or {}
        decoder.sample_temperature = float(metadata.get("sample_temperature", 1.0))
        decoder.texture_exponent = float(metadata.get("texture_exponent", 0.0))
    return decoder


def save_decoder(
    decoder: JpegDecoder,
    folder: Path,
    name: str,
    size: str,
    metadata: dict[str, str] | None = None,
    dtype: torch.dtype = torch.float16,
) -> list[Path]:
    """Write ``decoder`` as ``name``-``size`` shards of at most 15 MiB each (fp16 by default)."""
    state = {
        k: (v.to(dtype) if v.is_floating_point() else v).contiguous().cpu()
        for k, v in decoder.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }
    shards: list[dict[str, torch.Tensor]] = [{}]
    used = 0
    for key, tensor in state.items():
        nbytes = tensor.numel() * tensor.element_size()
        if used + nbytes > SHARD_BYTES and shards[-1]:
            shards.append({})
            used = 0
        shards[-1][key] = tensor
        used += nbytes
    meta = {
        "format": FORMAT,
        "name": name,
        "size": size,
        "config": json.dumps(decoder.config()),
        "sample_temperature": repr(decoder.sample_temperature),
        "texture_exponent": repr(decoder.texture_exponent),
        **(metadata or {}),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{name}-{size}*.safetensors"):
        old.unlink()
    if len(shards) == 1:
        paths = [folder / f"{name}-{size}.safetensors"]
    else:
        paths = [folder / f"{name}-{size}-{i + 1:05d}-of-{len(shards):05d}.safetensors" for i in range(len(shards))]
    for path, shard in zip(paths, shards, strict=True):
        save_file(shard, str(path), metadata=meta)
    return paths
