"""Saving a session to one file and reopening it bit-exactly: safetensors, no pickle.

Tensors: the state ("state.z", "state.delta_y", "state.delta_c") and, per history entry i, its window
content before and after ("history.i.before.z", …). Metadata "session": JSON with the format, the
source file's SHA-256, the model's name and hash, and per entry its record, window and chroma factor.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save

from ..atomic import atomic_write_bytes
from ..codec.jpeg_code import JpegCode
from ..decoder.model import JpegDecoder
from .history import HistoryEntry
from .session import Session
from .state import DecodedState, Patch
from .window import BlockWindow

FORMAT = "jpeg-explorer-session/1"


class SessionFileError(ValueError):
    """The session file cannot be reopened with this JPEG and decoder; one line for the user."""


def _patch_tensors(prefix: str, patch: Patch) -> dict[str, torch.Tensor]:
    return {f"{prefix}.{name}": tensor.detach().cpu().contiguous() for name, tensor in patch.tensors().items()}


def _window_facts(window: BlockWindow) -> dict[str, object]:
    return {"blocks": window.describe(), "grid": [window.grid_h, window.grid_w], "factor": list(window.factor)}


def save_session(session: Session, path: str | os.PathLike) -> None:
    """Write ``session`` (state and whole undo/redo history) atomically to ``path``."""
    tensors = _patch_tensors("state", Patch(BlockWindow(0, 0, 0, 0, 0, 0), session.state.z, session.state.delta_y,
                                            session.state.delta_c))
    entries = []
    for i, entry in enumerate(session.history.entries):
        tensors.update(_patch_tensors(f"history.{i}.before", entry.before))
        tensors.update(_patch_tensors(f"history.{i}.after", entry.after))
        entries.append({"record": entry.record, "window": _window_facts(entry.before.window)})
    facts = {"format": FORMAT, "source_sha256": session.code.sha256, "source_path": session.code.source,
             "model": session.model_facts(), "history": entries, "position": session.history.position,
             "history_limit": session.history.limit}
    atomic_write_bytes(path, save(tensors, metadata={"format": FORMAT, "session": json.dumps(facts)}))


def _read_patch(tensors: dict[str, torch.Tensor], prefix: str, window: BlockWindow) -> Patch:
    return Patch(window, tensors[f"{prefix}.z"], tensors[f"{prefix}.delta_y"], tensors.get(f"{prefix}.delta_c"))


def load_session(path: str | os.PathLike, code: JpegCode, decoder: JpegDecoder,
                 device: torch.device | str = "cpu") -> Session:
    """Reopen a saved session on ``code`` (must be the same file: checked by SHA-256) with ``decoder``
    (the same weights: checked by name and hash when the file records one)."""
    path = Path(path)
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118 - safe_open is not a dict
    except (OSError, SafetensorError) as error:
        raise SessionFileError(f"{path}: not a readable session file ({error})") from None
    if metadata.get("format") != FORMAT:
        raise SessionFileError(f"{path}: not a {FORMAT} file")
    facts = json.loads(metadata["session"])
    if facts["source_sha256"] != code.sha256:
        raise SessionFileError(f"{path}: the session belongs to another JPEG file (SHA-256 differs)")
    saved_model = facts["model"]
    if saved_model["name"] != decoder.name or saved_model["sha256"] != getattr(decoder, "sha256", ""):
        raise SessionFileError(f"{path}: the session was made with the model {saved_model['name']}, "
                               f"not {decoder.name} (or different weights)")
    device = torch.device(device)
    moved = {key: tensor.to(device) for key, tensor in tensors.items()}
    state = DecodedState(moved["state.z"], moved["state.delta_y"], moved.get("state.delta_c"))
    session = Session(code, decoder, device, facts["history_limit"], state)
    for i, entry in enumerate(facts["history"]):
        blocks, grid, factor = entry["window"]["blocks"], entry["window"]["grid"], entry["window"]["factor"]
        window = BlockWindow(*blocks, *grid, tuple(factor))
        session.history.entries.append(HistoryEntry(entry["record"], _read_patch(moved, f"history.{i}.before", window),
                                                    _read_patch(moved, f"history.{i}.after", window)))
    session.history.position = facts["position"]
    return session
