"""Saving a session to one compact file and reopening it bit-exactly. No pickle.

Format 2 is a zip archive: ``session.json`` (the format, the source file's path and SHA-256, the model's
name and hash, the digest of the file's z = 0 decode, the history's records and windows, the position)
and one member per array, raw bytes with the float32 byte planes shuffled apart so that deflate finds
their runs. Only what the z = 0 decode and the history do not already imply is stored:

* replay (the usual case, ``Session.replayable``): each history entry's window after it, as its XOR with
  the window before it. Reopening decodes the file with z = 0, checks that decode against the stored
  digest, writes the entries' windows over it in order (each entry's before is what the earlier ones
  left) and undoes the undone ones.
* otherwise (the history forgot its oldest entries, or the session began on another state): the state's
  z and Δ at the blocks edits touched, and every entry's window before and after.

A 12-MP photo with one edit takes a few MB instead of 127 (format 1). Format 1 (safetensors, the whole
state) still opens. Writing is split in two for the window: a cheap :func:`snapshot` (references to the
immutable history patches; copies of touched blocks only when not replayable) taken while nothing
changes the session, and :func:`write_snapshot`, the slow part, which can run in any thread.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open

from ..atomic import atomic_write_bytes
from ..codec.jpeg_code import JpegCode
from ..decoder.model import JpegDecoder
from .history import HistoryEntry
from .session import Session
from .state import DecodedState, Patch, read_patch, write_patch
from .window import BlockWindow

FORMAT = "jpeg-explorer-session/2"
FORMAT_1 = "jpeg-explorer-session/1"
Facts = dict[str, Any]
"""session.json as parsed: JSON values, read by key where they are used."""
FACTS_MEMBER = "session.json"
COMPRESSION_LEVEL = 6


class SessionFileError(ValueError):
    """The session file cannot be reopened with this JPEG and decoder; one line for the user."""


@dataclass(frozen=True)
class SessionFacts:
    """What a session file says about itself, read without its arrays: enough to find its JPEG."""

    path: Path
    format: str
    source_path: str
    source_sha256: str
    model: dict[str, str | None]
    edits: int
    position: int


@dataclass(frozen=True)
class Snapshot:
    """A session frozen for writing: its facts, the arrays to store (CPU numpy) and, for the arrays
    stored as an XOR, the array they are XORed with (``against``)."""

    facts: Facts
    arrays: dict[str, np.ndarray]
    against: dict[str, np.ndarray]


def chroma_mask(blocks: np.ndarray, factor: tuple[int, int], grid: tuple[int, int]) -> np.ndarray:
    """The chroma blocks (cby, cbx) covering any of the luma ``blocks`` (by, bx) (MCU-aligned windows
    write exactly these)."""
    fy, fx = factor
    padded = np.zeros((grid[0] * fy, grid[1] * fx), bool)
    padded[: blocks.shape[0], : blocks.shape[1]] = blocks[: grid[0] * fy, : grid[1] * fx]
    return np.asarray(padded.reshape(grid[0], fy, grid[1], fx).any(axis=(1, 3)))


def _cpu(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to("cpu", torch.float32).contiguous().numpy()


def _window_facts(window: BlockWindow) -> dict[str, object]:
    return {"blocks": window.describe(), "grid": [window.grid_h, window.grid_w], "factor": list(window.factor)}


def _masks(session: Session) -> tuple[np.ndarray, np.ndarray | None]:
    """The luma and chroma blocks to store: the touched ones, or all when the base is unknown."""
    touched = session.touched if session.base_sha256 is not None else np.ones_like(session.touched)
    if session.state.delta_c is None:
        return touched, None
    _, _, cby, cbx = session.state.delta_c.shape
    return touched, chroma_mask(touched, session.tensors.chroma_factor, (cby, cbx))


def snapshot(session: Session) -> Snapshot:
    """Freeze ``session`` for :func:`write_snapshot` (cheap: history patches are immutable, and only
    touched blocks are copied, and only when the state cannot be replayed from the history)."""
    replay = session.replayable
    arrays: dict[str, np.ndarray] = {}
    against: dict[str, np.ndarray] = {}
    if not replay:
        touched, touched_c = _masks(session)
        mask = torch.from_numpy(touched).to(session.state.z.device)
        arrays.update(
            {
                "touched": touched.astype(np.uint8),
                "state.z": _cpu(session.state.z[0][:, mask]),
                "state.delta_y": _cpu(session.state.delta_y[0][:, mask]),
            }
        )
        if touched_c is not None and session.state.delta_c is not None:  # both or neither (see _masks)
            c_mask = torch.from_numpy(touched_c).to(mask.device)
            arrays["state.delta_c"] = _cpu(session.state.delta_c[0][:, c_mask])
    entries = []
    for i, entry in enumerate(session.history.entries):
        before = {name: _cpu(tensor) for name, tensor in entry.before.tensors().items()}
        for name, tensor in entry.after.tensors().items():
            arrays[f"history.{i}.after.{name}"] = _cpu(tensor)
            against[f"history.{i}.after.{name}"] = before[name]
            if not replay:
                arrays[f"history.{i}.before.{name}"] = before[name]
        entries.append({"record": entry.record, "window": _window_facts(entry.before.window)})
    facts = {
        "format": FORMAT,
        "source_sha256": session.code.sha256,
        "source_path": session.code.source,
        "model": session.model_facts(),
        "base_sha256": session.base_sha256,
        "replay": replay,
        "history": entries,
        "position": session.history.position,
        "history_limit": session.history.limit,
    }
    return Snapshot(facts, arrays, against)


def _shuffled(array: np.ndarray) -> memoryview:
    """The array's bytes, byte plane by byte plane (all first bytes, then all second bytes, …); numpy's
    copy lets other threads run, unlike ``tobytes``."""
    raw = np.ascontiguousarray(array).view(np.uint8).reshape(-1, array.itemsize)
    return np.ascontiguousarray(raw.T).reshape(-1).data


def _unshuffled(data: bytes, dtype: np.dtype, shape: list[int]) -> np.ndarray:
    planes = np.frombuffer(data, np.uint8).reshape(dtype.itemsize, -1)
    return planes.T.copy().view(dtype).reshape(shape)


def _xor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    unsigned = np.dtype(f"u{a.itemsize}")
    return (a.view(unsigned) ^ b.view(unsigned)).view(a.dtype)


def write_snapshot(frozen: Snapshot, path: str | os.PathLike) -> int:
    """Write a :func:`snapshot` atomically to ``path``; returns the file's size in bytes."""
    members = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL) as archive:
        for name, array in frozen.arrays.items():
            xored = name in frozen.against
            stored = _xor(array, frozen.against[name]) if xored else array
            members[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "xor_with_before": xored}
            archive.writestr(f"{name}.bin", _shuffled(stored))
        archive.writestr(FACTS_MEMBER, json.dumps({**frozen.facts, "arrays": members}))
    data = buffer.getvalue()
    atomic_write_bytes(path, data)
    return len(data)


def save_session(session: Session, path: str | os.PathLike) -> int:
    """Write ``session`` (state and whole undo/redo history) atomically to ``path``; the size in bytes."""
    return write_snapshot(snapshot(session), path)


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(4) == b"PK\x03\x04"
    except OSError as error:
        raise SessionFileError(f"{path}: cannot be read ({error.strerror})") from None


def _read_zip(path: Path) -> tuple[Facts, dict[str, np.ndarray]]:
    """The facts and the arrays as stored (an ``after`` still XORed with its ``before``)."""
    try:
        with zipfile.ZipFile(path) as archive:
            facts = json.loads(archive.read(FACTS_MEMBER))
            arrays = {
                name: _unshuffled(archive.read(f"{name}.bin"), np.dtype(info["dtype"]), info["shape"])
                for name, info in facts["arrays"].items()
            }
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise SessionFileError(f"{path}: not a readable session file ({error})") from None
    return facts, arrays


def _read_format_1(path: Path) -> tuple[Facts, dict[str, np.ndarray]]:
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            arrays = {key: handle.get_tensor(key).numpy() for key in handle.keys()}  # noqa: SIM118
    except (OSError, SafetensorError) as error:
        raise SessionFileError(f"{path}: not a readable session file ({error})") from None
    if metadata.get("format") != FORMAT_1:
        raise SessionFileError(f"{path}: not a JPEG Explorer session file")
    return json.loads(metadata["session"]), arrays


def _read(path: Path) -> tuple[Facts, dict[str, np.ndarray]]:
    facts, arrays = _read_zip(path) if _is_zip(path) else _read_format_1(path)
    if facts.get("format") not in (FORMAT, FORMAT_1):
        raise SessionFileError(f"{path}: not a JPEG Explorer session file")
    return facts, arrays


def read_facts(path: str | os.PathLike) -> SessionFacts:
    """The facts of a session file (which JPEG, which model, how many edits), without its arrays."""
    path = Path(path)
    if _is_zip(path):
        try:
            with zipfile.ZipFile(path) as archive:
                facts = json.loads(archive.read(FACTS_MEMBER))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise SessionFileError(f"{path}: not a readable session file ({error})") from None
    else:
        facts, _ = _read_format_1(path)
    if facts.get("format") not in (FORMAT, FORMAT_1):
        raise SessionFileError(f"{path}: not a JPEG Explorer session file")
    return SessionFacts(
        path,
        facts["format"],
        facts["source_path"],
        facts["source_sha256"],
        facts["model"],
        len(facts["history"]),
        facts["position"],
    )


def _check(path: Path, facts: Facts, code: JpegCode, decoder: JpegDecoder) -> None:
    if facts["source_sha256"] != code.sha256:
        raise SessionFileError(f"{path}: the session belongs to another JPEG file (SHA-256 differs)")
    saved_model = facts["model"]
    if saved_model["name"] != decoder.name or saved_model["sha256"] != decoder.sha256:
        raise SessionFileError(
            f"{path}: the session was made with the model {saved_model['name']}, "
            f"not {decoder.name} (or different weights)"
        )


def _tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.array(array, dtype=np.float32)).to(device)


def _window(entry: Facts) -> BlockWindow:
    (y0, y1, x0, x1), (grid_h, grid_w), (fy, fx) = (entry["window"][k] for k in ("blocks", "grid", "factor"))
    return BlockWindow(y0, y1, x0, x1, grid_h, grid_w, (fy, fx))


def _after(arrays: dict[str, np.ndarray], i: int, before: Patch, device: torch.device) -> Patch:
    """Entry i's after window from its stored XOR with ``before``."""
    undone = {
        name: _xor(arrays[f"history.{i}.after.{name}"], _cpu(tensor)) for name, tensor in before.tensors().items()
    }
    return Patch(
        before.window,
        _tensor(undone["z"], device),
        _tensor(undone["delta_y"], device),
        None if "delta_c" not in undone else _tensor(undone["delta_c"], device),
    )


def _replayed(session: Session, facts: Facts, arrays: dict[str, np.ndarray]) -> list[HistoryEntry]:
    """Write every entry's after over the z = 0 state in order (its before is what the earlier ones left),
    then undo the undone ones: the saved state and history."""
    entries = []
    for i, entry in enumerate(facts["history"]):
        window = _window(entry)
        before = read_patch(session.state, window)
        after = _after(arrays, i, before, session.device)
        write_patch(session.state, after)
        session.touched[window.blocks] = True
        entries.append(HistoryEntry(entry["record"], before, after))
    for entry in reversed(entries[facts["position"] :]):
        write_patch(session.state, entry.before)
    return entries


def _stored(session: Session, facts: Facts, arrays: dict[str, np.ndarray]) -> list[HistoryEntry]:
    """Put the stored touched blocks into the state and read every entry's before and after."""
    device, state = session.device, session.state
    touched = arrays["touched"].astype(bool)
    mask = torch.from_numpy(touched).to(device)
    state.z[0][:, mask] = _tensor(arrays["state.z"], device)
    state.delta_y[0][:, mask] = _tensor(arrays["state.delta_y"], device)
    if state.delta_c is not None:
        _, _, cby, cbx = state.delta_c.shape
        c_mask = chroma_mask(touched, session.tensors.chroma_factor, (cby, cbx))
        state.delta_c[0][:, torch.from_numpy(c_mask).to(device)] = _tensor(arrays["state.delta_c"], device)
    session.touched[:] = touched
    entries = []
    for i, entry in enumerate(facts["history"]):
        delta_c = arrays.get(f"history.{i}.before.delta_c")
        before = Patch(
            _window(entry),
            _tensor(arrays[f"history.{i}.before.z"], device),
            _tensor(arrays[f"history.{i}.before.delta_y"], device),
            None if delta_c is None else _tensor(delta_c, device),
        )
        entries.append(HistoryEntry(entry["record"], before, _after(arrays, i, before, device)))
    return entries


def _format_1(session: Session, facts: Facts, arrays: dict[str, np.ndarray]) -> list[HistoryEntry]:
    """Replace the whole state; read every entry's before and after."""
    device = session.device
    delta_c = arrays.get("state.delta_c")
    session.state = DecodedState(
        _tensor(arrays["state.z"], device),
        _tensor(arrays["state.delta_y"], device),
        None if delta_c is None else _tensor(delta_c, device),
    )
    session.touched[:] = True
    patch = lambda prefix, window: Patch(  # noqa: E731
        window,
        _tensor(arrays[f"{prefix}.z"], device),
        _tensor(arrays[f"{prefix}.delta_y"], device),
        None if f"{prefix}.delta_c" not in arrays else _tensor(arrays[f"{prefix}.delta_c"], device),
    )
    return [
        HistoryEntry(
            entry["record"], patch(f"history.{i}.before", _window(entry)), patch(f"history.{i}.after", _window(entry))
        )
        for i, entry in enumerate(facts["history"])
    ]


def restore(session: Session, path: str | os.PathLike) -> Session:
    """Put a saved session's state and history into ``session``, a fresh z = 0 session of the same file
    and model (as ``Session(code, decoder)`` or ``Session.decoded`` make it); returns it.

    ``session.base_matches`` tells whether this machine's z = 0 decode is bit-identical to the one the
    session was saved on: then the reopened state is the saved one bit for bit; if not, it may differ
    from it by float rounding."""
    path = Path(path)
    facts, arrays = _read(path)
    _check(path, facts, session.code, session.decoder)
    if facts["format"] == FORMAT_1:
        entries, session.began_at_base = _format_1(session, facts, arrays), False
    elif facts["replay"]:
        entries = _replayed(session, facts, arrays)
    else:
        entries, session.began_at_base = _stored(session, facts, arrays), False
    session.base_matches = facts.get("base_sha256") in (None, session.base_sha256)
    session.history.limit = facts["history_limit"]
    session.history.entries = entries
    session.history.position = facts["position"]
    session.image = session.state.output(session.tensors).image
    return session


def load_session(
    path: str | os.PathLike, code: JpegCode, decoder: JpegDecoder, device: torch.device | str = "cpu"
) -> Session:
    """Reopen a saved session on ``code`` (must be the same file: checked by SHA-256) with ``decoder``
    (the same weights: checked by name and hash when the file records one)."""
    facts = read_facts(path)
    if facts.source_sha256 != code.sha256:
        raise SessionFileError(f"{path}: the session belongs to another JPEG file (SHA-256 differs)")
    return restore(Session(code, decoder, device), path)
