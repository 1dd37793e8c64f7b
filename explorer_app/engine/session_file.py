"""Saving a session to one compact file and reopening it bit-exactly. No pickle.

Format 3 is a zip archive: ``session.json`` (the format, the source file's path and SHA-256, the model's
name and hash, the digest of the file's z = 0 decode, the history's records and windows, the position)
and one member per array, raw bytes with the float32 byte planes shuffled apart so that deflate finds
their runs. Only what the z = 0 decode and the history do not already imply is stored:

* replay (the usual case, ``Session.replayable``): each history entry's window after it, as its XOR with
  the window before it. Reopening decodes the file with z = 0, checks that decode against the stored
  digest, writes the entries' windows over it in order (each entry's before is what the earlier ones
  left) and undoes the undone ones.
* otherwise (the history forgot its oldest entries, or the session began on another state): the state's
  z and Δ at the blocks edits touched, and every entry's window before and after.

A 12-MP photo with one edit takes a few MB instead of the 127 MB of its whole state. Writing is split in
two for the window: a cheap :func:`snapshot` (references to the immutable history patches; copies of
touched blocks only when not replayable) taken while nothing changes the session, and
:func:`write_snapshot`, the slow part, which can run in any thread.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np
import torch
from pydantic import BaseModel, ValidationError

from ..atomic import atomic_write_bytes
from ..codec.jpeg_code import JpegCode
from ..codec.source import UnreadableFileError, open_regular_file
from ..decoder.correction import Correction
from ..decoder.model import JpegDecoder
from ..decoder.networks import DELTA_LIMIT, Z_CHANNELS
from .block_window import BlockWindow
from .history import HistoryEntry
from .session import Session
from .session_schema import SessionHeader, SessionJson, WindowFacts, first_problem
from .state import DecodedState, Patch, read_patch, write_patch

FORMAT = "jpeg-explorer-session/3"
FORMAT_2 = "jpeg-explorer-session/2"
"""Format 2 is format 3 without the logit corrections of exact edits (it opens with none)."""
ZIP_FORMATS = (FORMAT, FORMAT_2)
FACTS_MEMBER = "session.json"
COMPRESSION_LEVEL = 6


Facts = dict[str, Any]
"""session.json as parsed: JSON values, checked against :mod:`.session_schema` before use."""


Described = TypeVar("Described", bound=BaseModel)


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
    """name, and the SHA-256 of its weights (None for a decoder not loaded from files)."""
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


def _window_facts(window: BlockWindow) -> Facts:
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
                "state.correction_y": _cpu(session.state.correction.y[0][:, mask]),
            }
        )
        chroma_fix = session.state.correction.c
        if touched_c is not None and session.state.delta_c is not None and chroma_fix is not None:  # all or none
            c_mask = torch.from_numpy(touched_c).to(mask.device)
            arrays["state.delta_c"] = _cpu(session.state.delta_c[0][:, c_mask])
            arrays["state.correction_c"] = _cpu(chroma_fix[0][:, c_mask])
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


# --- reading: every field is checked before anything is built, and nothing is built into the session
# until the whole file has been read and checked (a refused file leaves the session as it was) ----------

MAX_FACTS_BYTES = 64 * 2**20
"""Largest ``session.json`` read; a real one holds kilobytes of edit records."""
DELTA_SLACK = 1e-6
"""Relative float slack on DELTA_LIMIT (the decoder's own bound, computed in float32)."""
_F32, _U8 = np.dtype("<f4").str, np.dtype("|u1").str


def _damaged(path: Path, what: str) -> SessionFileError:
    return SessionFileError(f"{path}: damaged session file ({what})")


def _open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading when it is a regular file (a FIFO or device is refused without blocking)."""
    try:
        descriptor, _ = open_regular_file(path)
    except UnreadableFileError as error:
        raise SessionFileError(str(error)) from None
    return os.fdopen(descriptor, "rb")


class _Stored:
    """The arrays a session file holds: a directory of (dtype, shape, XORed with its before) by name, and
    :meth:`read`, called only for arrays whose description matched what the JPEG implies, which checks the
    stored size before reading (every array is stored byte plane by byte plane)."""

    def __init__(self, path: Path, directory: dict[str, tuple[str, tuple[int, ...], bool]], read) -> None:
        self.path, self.directory, self._read = path, directory, read

    def read(self, name: str) -> np.ndarray:
        dtype, shape, _ = self.directory[name]
        try:
            data = self._read(name, math.prod(shape) * np.dtype(dtype).itemsize)
            return _unshuffled(data, np.dtype(dtype), list(shape))
        except (SessionFileError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - zip, zlib or numpy errors of a damaged member
            raise _damaged(self.path, f"array {name}: {type(error).__name__}: {error}") from None


def _parse_json(path: Path, data: bytes, what: str) -> object:
    try:
        return json.loads(data)
    except RecursionError:
        raise _damaged(path, f"{what} is nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, an integer too long to convert
        raise _damaged(path, f"{what} is not valid JSON: {error}") from None


def _read_zip_facts(path: Path, archive: zipfile.ZipFile) -> Facts:
    try:
        info = archive.getinfo(FACTS_MEMBER)
    except KeyError:
        raise SessionFileError(f"{path}: not a JPEG Explorer session file (no {FACTS_MEMBER})") from None
    if info.file_size > MAX_FACTS_BYTES:
        raise _damaged(path, f"{FACTS_MEMBER} declares {info.file_size} bytes")
    facts = _parse_json(path, archive.read(FACTS_MEMBER), FACTS_MEMBER)
    if not isinstance(facts, dict):
        raise SessionFileError(f"{path}: not a JPEG Explorer session file")
    return facts


def _zip_reader(path: Path, archive: zipfile.ZipFile):
    def read(name: str, size: int) -> bytes:
        try:
            info = archive.getinfo(f"{name}.bin")
        except KeyError:
            raise _damaged(path, f"array {name} is missing") from None
        if info.file_size != size:
            raise _damaged(path, f"array {name} holds {info.file_size} bytes, not {size}")
        return archive.read(info)

    return read


def _validated(path: Path, schema: type[Described], facts: Facts) -> Described:
    """``facts`` as ``schema`` declares them; the first field that is not is the error's one line."""
    try:
        return schema.model_validate(facts)
    except ValidationError as error:
        raise _damaged(path, first_problem(error)) from None


def _header_facts(path: Path, facts: Facts) -> SessionFacts:
    """The facts every reader needs, checked (see :class:`SessionHeader`)."""
    if facts.get("format") not in ZIP_FORMATS:
        raise SessionFileError(f"{path}: not a JPEG Explorer session file")
    header = _validated(path, SessionHeader, facts)
    return SessionFacts(
        path,
        header.format,
        header.source_path,
        header.source_sha256,
        {"name": header.model.name, "sha256": header.model.sha256},
        len(header.history),
        header.position,
    )


def read_facts(path: str | os.PathLike) -> SessionFacts:
    """The facts of a session file (which JPEG, which model, how many edits), without its arrays; raises
    SessionFileError (one line) for anything that is not a session file this version can read."""
    path = Path(path)
    with _open_regular(path) as stream:
        try:
            if stream.read(4) != b"PK\x03\x04":
                raise SessionFileError(f"{path}: not a JPEG Explorer session file")
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                facts = _read_zip_facts(path, archive)
        except (SessionFileError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - whatever a damaged zip or header raises
            raise SessionFileError(f"{path}: not a readable session file ({type(error).__name__}: {error})") from None
    return _header_facts(path, facts)


# --- what the file must hold, given the JPEG it is opened on ---------------------------------------------


@dataclass(frozen=True)
class _Geometry:
    """The open file's block grids: luma (by, bx), chroma (cby, cbx) or None for grey, the MCU factor."""

    grid: tuple[int, int]
    chroma: tuple[int, int] | None
    factor: tuple[int, int]

    @staticmethod
    def of(session: Session) -> _Geometry:
        tensors = session.tensors
        (by, bx), (fy, fx) = tensors.y_q.shape[2:], tensors.chroma_factor
        chroma = None if tensors.c_q is None else (int(tensors.c_q.shape[2]), int(tensors.c_q.shape[3]))
        return _Geometry((int(by), int(bx)), chroma, (int(fy), int(fx)))

    def patch_shapes(self, window: BlockWindow, corrections: bool) -> dict[str, tuple[int, ...]]:
        """The arrays of a patch over ``window`` and their shapes (``corrections``: format 3's logit
        corrections included)."""
        rows, cols = window.blocks
        shapes: dict[str, tuple[int, ...]] = {"z": (1, Z_CHANNELS, rows.stop - rows.start, cols.stop - cols.start)}
        shapes["delta_y"] = shapes["z"]
        if corrections:
            shapes["correction_y"] = shapes["z"]
        if self.chroma is not None:
            c_rows, c_cols = window.chroma_blocks
            shapes["delta_c"] = (
                1,
                2 * Z_CHANNELS,
                len(range(self.chroma[0])[c_rows]),
                len(range(self.chroma[1])[c_cols]),
            )
            if corrections:
                shapes["correction_c"] = shapes["delta_c"]
        return shapes


def _checked_window(path: Path, i: int, window: WindowFacts, geometry: _Geometry) -> BlockWindow:
    """The entry's window on the JPEG's block grid and MCU (its types were checked by the schema)."""
    where = f"history entry {i}"
    blocks, grid, factor = window.blocks, window.grid, window.factor
    if grid != list(geometry.grid) or factor != list(geometry.factor):
        raise _damaged(
            path,
            f"{where}: the window's grid {grid!r} and MCU {factor!r} are not the JPEG's "
            f"{list(geometry.grid)} and {list(geometry.factor)}",
        )
    (y0, y1, x0, x1), (fy, fx), (by, bx) = blocks, geometry.factor, geometry.grid
    if not (0 <= y0 < y1 <= by and 0 <= x0 < x1 <= bx):
        raise _damaged(path, f"{where}: the window {blocks} is not inside the {by}×{bx} block grid")
    if y0 % fy or x0 % fx or (y1 % fy and y1 != by) or (x1 % fx and x1 != bx):
        raise _damaged(path, f"{where}: the window {blocks} is not aligned to the {fy}×{fx} MCU")
    return BlockWindow(y0, y1, x0, x1, by, bx, geometry.factor)


def _expect(path: Path, stored: _Stored, expected: dict[str, tuple[str, tuple[int, ...], bool]]) -> None:
    """The file's arrays are exactly ``expected``: the same names, dtypes, shapes (and XOR flags)."""
    missing = sorted(set(expected) - set(stored.directory))
    extra = sorted(set(stored.directory) - set(expected))
    if missing:
        raise _damaged(
            path,
            f"array {missing[0]} is missing" + (" (a colour file's chroma)" if missing[0].endswith("delta_c") else ""),
        )
    if extra:
        raise _damaged(
            path, f"unexpected array {extra[0]}" + (" (chroma for a grey file)" if extra[0].endswith("delta_c") else "")
        )
    for name, (dtype, shape, xored) in expected.items():
        found = stored.directory[name]
        if found[0] != dtype:
            raise _damaged(path, f"array {name} is of type {found[0]}, not {dtype}")
        if found[1] != shape:
            raise _damaged(path, f"array {name} has the shape {list(found[1])}, not {list(shape)}")
        if found[2] != xored:
            raise _damaged(path, f"array {name} is stored the wrong way")


def _checked_values(path: Path, name: str, array: np.ndarray) -> np.ndarray:
    """``array`` (z or a Δ map): finite, and a Δ within the decoder's bound."""
    if not np.isfinite(array).all():
        raise _damaged(path, f"{name} holds {int((~np.isfinite(array)).sum())} values that are not finite numbers")
    if "delta" in name:
        limit = np.float32(DELTA_LIMIT * (1 + DELTA_SLACK))
        outside = int((np.abs(array) > limit).sum())
        if outside:
            raise _damaged(path, f"{name} holds {outside} Δ values beyond ±{DELTA_LIMIT}, which no decode gives")
    return array


@dataclass
class _Parsed:
    """A session file read and checked against the open JPEG: what :func:`restore` puts into the session."""

    format: str
    facts: Facts
    records: list[Facts]
    windows: list[BlockWindow]
    stored: _Stored


def _parse(path: Path, stream, session: Session) -> _Parsed:
    """Read and check everything but the arrays' contents (read later, each checked as it is read)."""
    if stream.read(4) != b"PK\x03\x04":
        raise SessionFileError(f"{path}: not a JPEG Explorer session file")
    stream.seek(0)
    archive = zipfile.ZipFile(stream)
    facts = _read_zip_facts(path, archive)
    header_facts = _header_facts(path, facts)
    described = _validated(path, SessionJson, facts)
    directory = {name: (a.dtype, tuple(a.shape), a.xor_with_before) for name, a in described.arrays.items()}
    stored = _Stored(path, directory, _zip_reader(path, archive))
    _check(path, header_facts, session.code, session.decoder)
    geometry = _Geometry.of(session)
    windows = [_checked_window(path, i, entry.window, geometry) for i, entry in enumerate(described.history)]
    records = [entry["record"] for entry in facts["history"]]  # as written: the schema checked what is read
    return _Parsed(facts["format"], facts, records, windows, stored)


def _history_arrays(
    parsed: _Parsed, geometry: _Geometry, sides: tuple[str, ...], dtype: str
) -> dict[str, tuple[str, tuple[int, ...], bool]]:
    expected: dict[str, tuple[str, tuple[int, ...], bool]] = {}
    for i, window in enumerate(parsed.windows):
        for side in sides:
            for name, shape in geometry.patch_shapes(window, parsed.format == FORMAT).items():
                xored = side == "after"
                expected[f"history.{i}.{side}.{name}"] = (dtype, shape, xored)
    return expected


def _check(path: Path, facts: SessionFacts, code: JpegCode, decoder: JpegDecoder) -> None:
    if facts.source_sha256 != code.sha256:
        raise SessionFileError(f"{path}: the session belongs to another JPEG file (SHA-256 differs)")
    if facts.model["name"] != decoder.name or facts.model["sha256"] != decoder.sha256:
        raise SessionFileError(
            f"{path}: the session was made with the model {facts.model['name']}, "
            f"not {decoder.name} (or different weights)"
        )


def _tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.array(array, dtype=np.float32)).to(device)


def _patch(
    path: Path, stored: _Stored, prefix: str, window: BlockWindow, device: torch.device, against: Patch | None = None
) -> Patch:
    """The patch stored under ``prefix`` (``history.3.after``), XORed back with ``against`` when given."""
    tensors = {}
    for name in ("z", "delta_y", "delta_c", "correction_y", "correction_c"):
        if f"{prefix}.{name}" in stored.directory:
            array = stored.read(f"{prefix}.{name}")
            if against is not None:
                array = _xor(array, _cpu(against.tensors()[name]))
            tensors[name] = _tensor(_checked_values(path, f"{prefix}.{name}", array), device)
    delta_c = tensors.get("delta_c")
    correction = Correction(
        tensors.get("correction_y", torch.zeros_like(tensors["delta_y"])),
        None if delta_c is None else tensors.get("correction_c", torch.zeros_like(delta_c)),
    )  # a format-2 patch: no correction
    return Patch(window, tensors["z"], tensors["delta_y"], delta_c, correction)


def _replayed(path: Path, parsed: _Parsed, session: Session) -> tuple[DecodedState, np.ndarray, list[HistoryEntry]]:
    """Write every entry's after over a copy of the z = 0 state in order (its before is what the earlier
    ones left), then undo the undone ones: the saved state and history."""
    state, touched, entries = session.state.clone(), session.touched.copy(), []
    for i, (record, window) in enumerate(zip(parsed.records, parsed.windows, strict=True)):
        before = read_patch(state, window)
        after = _patch(path, parsed.stored, f"history.{i}.after", window, session.device, against=before)
        write_patch(state, after)
        touched[window.blocks] = True
        entries.append(HistoryEntry(record, before, after))
    for entry in reversed(entries[parsed.facts["position"] :]):
        write_patch(state, entry.before)
    return state, touched, entries


def _stored_state(
    path: Path, parsed: _Parsed, session: Session, geometry: _Geometry
) -> tuple[DecodedState, np.ndarray, list[HistoryEntry]]:
    """A copy of the z = 0 state with the stored touched blocks put in; every entry's before and after."""
    stored, device = parsed.stored, session.device
    if stored.directory.get("touched", (None, None, None))[:2] != (_U8, geometry.grid):
        raise _damaged(path, f"the map of touched blocks is not a {geometry.grid[0]}×{geometry.grid[1]} byte map")
    touched_bytes = stored.read("touched")
    if not np.isin(touched_bytes, (0, 1)).all():
        raise _damaged(path, "the map of touched blocks holds values other than 0 and 1")
    touched = touched_bytes.astype(bool)
    count = int(touched.sum())
    corrections = parsed.format == FORMAT
    expected: dict[str, tuple[str, tuple[int, ...], bool]] = {
        "touched": (_U8, geometry.grid, False),
        "state.z": (_F32, (Z_CHANNELS, count), False),
        "state.delta_y": (_F32, (Z_CHANNELS, count), False),
    }
    if corrections:
        expected["state.correction_y"] = expected["state.z"]
    c_mask = None
    if geometry.chroma is not None:
        c_mask = chroma_mask(touched, geometry.factor, geometry.chroma)
        expected["state.delta_c"] = (_F32, (2 * Z_CHANNELS, int(c_mask.sum())), False)
        if corrections:
            expected["state.correction_c"] = expected["state.delta_c"]
    expected.update(_history_arrays(parsed, geometry, ("before", "after"), _F32))
    _expect(path, stored, expected)
    state = session.state.clone()
    mask = torch.from_numpy(touched).to(device)
    state.z[0][:, mask] = _tensor(_checked_values(path, "state.z", stored.read("state.z")), device)
    state.delta_y[0][:, mask] = _tensor(_checked_values(path, "state.delta_y", stored.read("state.delta_y")), device)
    if corrections:
        state.correction.y[0][:, mask] = _tensor(
            _checked_values(path, "state.correction_y", stored.read("state.correction_y")), device
        )
    if c_mask is not None and state.delta_c is not None:
        chroma_blocks = torch.from_numpy(c_mask).to(device)
        state.delta_c[0][:, chroma_blocks] = _tensor(
            _checked_values(path, "state.delta_c", stored.read("state.delta_c")), device
        )
        if corrections and state.correction.c is not None:
            state.correction.c[0][:, chroma_blocks] = _tensor(
                _checked_values(path, "state.correction_c", stored.read("state.correction_c")), device
            )
    entries = []
    for i, (record, window) in enumerate(zip(parsed.records, parsed.windows, strict=True)):
        before = _patch(path, stored, f"history.{i}.before", window, device)
        entries.append(
            HistoryEntry(record, before, _patch(path, stored, f"history.{i}.after", window, device, against=before))
        )
    return state, touched, entries


def _read_session(path: Path, session: Session) -> tuple[_Parsed, DecodedState, np.ndarray, list[HistoryEntry]]:
    """Everything ``restore`` puts into ``session``, read and checked, without changing ``session``."""
    with _open_regular(path) as stream:
        try:
            parsed = _parse(path, stream, session)
            geometry = _Geometry.of(session)
            if parsed.facts["replay"]:
                _expect(path, parsed.stored, _history_arrays(parsed, geometry, ("after",), _F32))
                built = _replayed(path, parsed, session)
            else:
                built = _stored_state(path, parsed, session, geometry)
        except (SessionFileError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - a zip, JSON or numpy error in a damaged file
            raise SessionFileError(f"{path}: not a readable session file ({type(error).__name__}: {error})") from None
    return (parsed, *built)


def restore(session: Session, path: str | os.PathLike) -> Session:
    """Put a saved session's state and history into ``session``, a fresh z = 0 session of the same file
    and model (as ``Session(code, decoder)`` or ``Session.decoded`` make it); returns it.

    Every field of the file is checked against the JPEG first (types, the block grids, shapes, finite
    values, Δ within the decoder's bound, history positions and windows, chroma present exactly for a
    colour file): a damaged file raises SessionFileError (one line) and leaves ``session`` as it was.
    ``session.base_matches`` tells whether this machine's z = 0 decode is bit-identical to the one the
    session was saved on: then the reopened state is the saved one bit for bit; if not, it may differ
    from it by float rounding."""
    path = Path(path)
    parsed, state, touched, entries = _read_session(path, session)
    facts = parsed.facts
    session.state = state
    session.touched[:] = touched
    if not facts["replay"]:
        session.began_at_base = False
    session.base_matches = facts.get("base_sha256") in (None, session.base_sha256)
    session.history.limit = facts["history_limit"]
    session.history.entries = entries
    session.history.position = facts["position"]
    session.history.forgotten = 0
    session.image = session.state.output(session.tensors).image
    return session


def load_session(
    path: str | os.PathLike, code: JpegCode, decoder: JpegDecoder, device: torch.device | str = "cpu"
) -> Session:
    """Reopen a saved session on ``code`` (must be the same file: checked by SHA-256) with ``decoder``
    (the same weights: checked by name and hash when the file records one); a damaged or foreign file
    raises SessionFileError before the file is decoded."""
    facts = read_facts(path)
    if facts.source_sha256 != code.sha256:
        raise SessionFileError(f"{path}: the session belongs to another JPEG file (SHA-256 differs)")
    return restore(Session(code, decoder, device), path)
