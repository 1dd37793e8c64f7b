"""Saving a session to one compact file and reopening it bit-exactly. No pickle.

Format 2 is a zip archive: ``session.json`` (the format, the source file's path and SHA-256, the model's
name and hash, the digest of the file's z = 0 decode, the history's records and windows, the position)
and one member per array, raw bytes with the float32 byte planes shuffled apart so that deflate finds
their runs. Only what differs from the z = 0 decode is stored: the state's z and Δ at the blocks edits
touched (elsewhere the state *is* that decode, recomputed on reopening and checked against its digest),
and per history entry its window before and after, the after stored as its XOR with the before (zero
wherever the edit changed nothing). A 12-MP photo with one edit takes a few MB instead of 127.

Format 1 (safetensors, the whole state) still opens. Writing is split in two for the window: a cheap
:func:`snapshot` (copies of the touched blocks, references to the immutable history patches) taken while
nothing changes the session, and :func:`write_snapshot`, the slow part, which can run in any thread.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open

from ..atomic import atomic_write_bytes
from ..codec.jpeg_code import JpegCode
from ..decoder.model import JpegDecoder
from .history import HistoryEntry
from .session import Session
from .state import DecodedState, Patch
from .window import BlockWindow

FORMAT = "jpeg-explorer-session/2"
FORMAT_1 = "jpeg-explorer-session/1"
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
    model: dict[str, str]
    edits: int
    position: int


@dataclass(frozen=True)
class Snapshot:
    """A session frozen for writing: its facts and its arrays (CPU numpy), ``xor`` naming for an
    array the one it is stored as the XOR with."""

    facts: dict[str, object]
    arrays: dict[str, np.ndarray]
    xor: dict[str, str]


def chroma_mask(blocks: np.ndarray, factor: tuple[int, int], grid: tuple[int, int]) -> np.ndarray:
    """The chroma blocks (cby, cbx) covering any of the luma ``blocks`` (by, bx) (MCU-aligned windows
    write exactly these)."""
    fy, fx = factor
    padded = np.zeros((grid[0] * fy, grid[1] * fx), bool)
    padded[: blocks.shape[0], : blocks.shape[1]] = blocks[: grid[0] * fy, : grid[1] * fx]
    return padded.reshape(grid[0], fy, grid[1], fx).any(axis=(1, 3))


def _cpu(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to("cpu", torch.float32).contiguous().numpy()


def _window_facts(window: BlockWindow) -> dict[str, object]:
    return {"blocks": window.describe(), "grid": [window.grid_h, window.grid_w], "factor": list(window.factor)}


def _masks(session: Session) -> tuple[np.ndarray, np.ndarray | None]:
    """The luma and chroma blocks to store: the touched ones, or all when the base is unknown."""
    touched = session.touched if session.base_sha256 is not None else np.ones_like(session.touched)
    if session.state.delta_c is None:
        return touched, None
    return touched, chroma_mask(touched, session.tensors.chroma_factor, tuple(session.state.delta_c.shape[2:]))


def snapshot(session: Session) -> Snapshot:
    """Freeze ``session`` for :func:`write_snapshot` (cheap: only touched blocks are copied)."""
    touched, touched_c = _masks(session)
    mask = torch.from_numpy(touched).to(session.state.z.device)
    arrays: dict[str, np.ndarray] = {"touched": touched.astype(np.uint8),
                                     "state.z": _cpu(session.state.z[0][:, mask]),
                                     "state.delta_y": _cpu(session.state.delta_y[0][:, mask])}
    if touched_c is not None:
        arrays["state.delta_c"] = _cpu(session.state.delta_c[0][:, torch.from_numpy(touched_c).to(mask.device)])
    xor: dict[str, str] = {}
    entries = []
    for i, entry in enumerate(session.history.entries):
        for side, patch in (("before", entry.before), ("after", entry.after)):
            for name, tensor in patch.tensors().items():
                arrays[f"history.{i}.{side}.{name}"] = _cpu(tensor)
                if side == "after":
                    xor[f"history.{i}.after.{name}"] = f"history.{i}.before.{name}"
        entries.append({"record": entry.record, "window": _window_facts(entry.before.window)})
    facts = {"format": FORMAT, "source_sha256": session.code.sha256, "source_path": session.code.source,
             "model": session.model_facts(), "base_sha256": session.base_sha256, "history": entries,
             "position": session.history.position, "history_limit": session.history.limit}
    return Snapshot(facts, arrays, xor)


def _shuffled(array: np.ndarray) -> bytes:
    """The array's bytes, byte plane by byte plane (all first bytes, then all second bytes, …)."""
    raw = np.ascontiguousarray(array).view(np.uint8).reshape(-1, array.itemsize)
    return raw.T.tobytes()


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
            stored = _xor(array, frozen.arrays[frozen.xor[name]]) if name in frozen.xor else array
            members[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "xor": frozen.xor.get(name)}
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


def _read_zip(path: Path) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    try:
        with zipfile.ZipFile(path) as archive:
            facts = json.loads(archive.read(FACTS_MEMBER))
            arrays: dict[str, np.ndarray] = {}
            members = facts["arrays"]
            for name in sorted(members, key=lambda n: members[n]["xor"] is not None):  # XOR references first
                info = members[name]
                array = _unshuffled(archive.read(f"{name}.bin"), np.dtype(info["dtype"]), info["shape"])
                arrays[name] = _xor(array, arrays[info["xor"]]) if info["xor"] else array
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise SessionFileError(f"{path}: not a readable session file ({error})") from None
    return facts, arrays


def _read_format_1(path: Path) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            arrays = {key: handle.get_tensor(key).numpy() for key in handle.keys()}  # noqa: SIM118
    except (OSError, SafetensorError) as error:
        raise SessionFileError(f"{path}: not a readable session file ({error})") from None
    if metadata.get("format") != FORMAT_1:
        raise SessionFileError(f"{path}: not a JPEG Explorer session file")
    return json.loads(metadata["session"]), arrays


def _read(path: Path) -> tuple[dict[str, object], dict[str, np.ndarray]]:
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
    return SessionFacts(path, facts["format"], facts["source_path"], facts["source_sha256"], facts["model"],
                        len(facts["history"]), facts["position"])


def _check(path: Path, facts: dict[str, object], code: JpegCode, decoder: JpegDecoder) -> None:
    if facts["source_sha256"] != code.sha256:
        raise SessionFileError(f"{path}: the session belongs to another JPEG file (SHA-256 differs)")
    saved_model = facts["model"]
    if saved_model["name"] != decoder.name or saved_model["sha256"] != getattr(decoder, "sha256", ""):
        raise SessionFileError(f"{path}: the session was made with the model {saved_model['name']}, "
                               f"not {decoder.name} (or different weights)")


def _tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.array(array, dtype=np.float32)).to(device)


def _patch(arrays: dict[str, np.ndarray], prefix: str, window: BlockWindow, device: torch.device) -> Patch:
    delta_c = arrays.get(f"{prefix}.delta_c")
    return Patch(window, _tensor(arrays[f"{prefix}.z"], device), _tensor(arrays[f"{prefix}.delta_y"], device),
                 None if delta_c is None else _tensor(delta_c, device))


def restore(session: Session, path: str | os.PathLike) -> Session:
    """Put a saved session's state and history into ``session``, a fresh z = 0 session of the same file
    and model (as ``Session(code, decoder)`` or ``Session.decoded`` make it); returns it.

    ``session.base_matches`` tells whether this machine's z = 0 decode is bit-identical to the one the
    session was saved on: then the reopened state is the saved one bit for bit; if not, the blocks
    edits touched are, and the rest differs by float rounding."""
    path = Path(path)
    facts, arrays = _read(path)
    _check(path, facts, session.code, session.decoder)
    device, state = session.device, session.state
    if facts["format"] == FORMAT_1:
        delta_c = arrays.get("state.delta_c")
        session.state = DecodedState(_tensor(arrays["state.z"], device), _tensor(arrays["state.delta_y"], device),
                                     None if delta_c is None else _tensor(delta_c, device))
        session.touched[:] = True
        session.base_matches = True
    else:
        touched = arrays["touched"].astype(bool)
        mask = torch.from_numpy(touched).to(device)
        state.z[0][:, mask] = _tensor(arrays["state.z"], device)
        state.delta_y[0][:, mask] = _tensor(arrays["state.delta_y"], device)
        if state.delta_c is not None:
            c_mask = chroma_mask(touched, session.tensors.chroma_factor, tuple(state.delta_c.shape[2:]))
            state.delta_c[0][:, torch.from_numpy(c_mask).to(device)] = _tensor(arrays["state.delta_c"], device)
        session.touched[:] = touched
        session.base_matches = facts["base_sha256"] is None or facts["base_sha256"] == session.base_sha256
    session.history.limit = facts["history_limit"]
    session.history.entries = []
    for i, entry in enumerate(facts["history"]):
        blocks, grid, factor = entry["window"]["blocks"], entry["window"]["grid"], entry["window"]["factor"]
        window = BlockWindow(*blocks, *grid, tuple(factor))
        session.history.entries.append(HistoryEntry(entry["record"], _patch(arrays, f"history.{i}.before", window, device),
                                                    _patch(arrays, f"history.{i}.after", window, device)))
    session.history.position = facts["position"]
    session.image = session.state.output(session.tensors)["image"]
    return session


def load_session(path: str | os.PathLike, code: JpegCode, decoder: JpegDecoder,
                 device: torch.device | str = "cpu") -> Session:
    """Reopen a saved session on ``code`` (must be the same file: checked by SHA-256) with ``decoder``
    (the same weights: checked by name and hash when the file records one)."""
    facts = read_facts(path)
    if facts.source_sha256 != code.sha256:
        raise SessionFileError(f"{path}: the session belongs to another JPEG file (SHA-256 differs)")
    return restore(Session(code, decoder, device), path)
