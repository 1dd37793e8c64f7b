"""Saved-session files, corrupted: the fuzzer's hook for the session validation.

``python -m fuzz --sessions N`` saves two seed sessions of one photo (two edits, one undone: the usual
replayable file; one whose history forgot an edit, which stores its state) and loads N corruptions of them on
their JPEG with the explorable lite decoder, walking the whole undo/redo history and rendering the result; a
corrupted file may only end in the session error: one line, exit 2. Corruptions are byte-level (bits, runs,
truncation, one character of the JSON) or structure-aware (:data:`STRUCTURAL`: a field of the session's JSON
given another type or an absurd value, an array of the wrong shape, dtype or size, full of NaN or beyond the
decoder's Δ bound, the chroma dropped), written back as a well-formed file so that they reach the checks
behind the framing. The tests use the same corruptions.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from explorer_app.cli.errors import fail
from explorer_app.codec import JpegError, read_jpeg
from explorer_app.decoder.selection import choose_decoder
from explorer_app.engine import Budget, Session, SessionFileError, load_session, regions, save_session
from explorer_app.engine.session_file import FACTS_MEMBER, _shuffled, _unshuffled, _xor
from explorer_app.engine.tools.edits import Brightness

from .campaign import Case
from .mutations import Mutation, byte_run, flip_bits, truncate
from .runner import Limits, run_forked
from .seeds import seed_jpegs
from .targets import Target

Arrays = dict[str, np.ndarray]
Befores = dict[str, np.ndarray]
"""For each array stored as an XOR with its entry's before (``history.i.after.*``): that before."""


def _decoder():
    return choose_decoder("explorable", "lite", torch.device("cpu")).decoder


def open_session(arguments: list[str]) -> int:
    """Entry of a session case: load SESSION on JPEG, undo and redo everything, render; 2 on a refused file."""
    session_path, jpeg_path = (Path(a) for a in arguments)
    try:
        session = load_session(session_path, read_jpeg(jpeg_path), _decoder())
    except (JpegError, SessionFileError) as error:
        return fail(str(error))
    while session.undo():
        pass
    while session.redo():
        pass
    image = session.output().image
    if not bool(torch.isfinite(image).all()):
        return fail("a loaded session renders values that are not numbers", 3)
    return 0


# --- seed sessions -------------------------------------------------------------------------------------------


def edited_session(code, decoder, history_limit: int = 50) -> Session:
    """Two small Brightness edits on ``code``, the second undone (so there is something to redo)."""
    session = Session(code, decoder, history_limit=history_limit)
    for x in (8, 24):
        session.apply(Brightness(), regions.rectangle(session.shape, x, 8, 16, 16), Budget(steps=3, patience=0))
    if history_limit > 1:
        session.undo()
    return session


def befores_of(session: Session) -> Befores:
    """The before of every array a session file of ``session`` stores as an XOR."""
    return {
        f"history.{i}.after.{name}": tensor.detach().cpu().float().numpy()
        for i, entry in enumerate(session.history.entries)
        for name, tensor in entry.before.tensors().items()
    }


SEED_KINDS = ("replay", "stored")


def write_seed_sessions(arguments: list[str]) -> int:
    """Entry that saves the seed sessions of JPEG into FOLDER: ``<kind>.session`` and ``<kind>.npz`` (its
    befores) for each of :data:`SEED_KINDS`."""
    code, folder = read_jpeg(arguments[0]), Path(arguments[1])
    decoder = _decoder()
    replay, stored = edited_session(code, decoder), edited_session(code, decoder, history_limit=1)
    assert replay.replayable and not stored.replayable
    for kind, session in (("replay", replay), ("stored", stored)):
        save_session(session, folder / f"{kind}.session")
        np.savez(folder / f"{kind}.npz", **befores_of(session))
    return 0


# --- structure-aware corruptions -------------------------------------------------------------------------------


def unpack(data: bytes, befores: Befores) -> tuple[dict[str, object], Arrays]:
    """The facts and the arrays of a session file, afters XORed back into their values."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        facts = json.loads(archive.read(FACTS_MEMBER))
        arrays = {
            name: _unshuffled(archive.read(f"{name}.bin"), np.dtype(info["dtype"]), info["shape"])
            for name, info in facts["arrays"].items()
        }
    return facts, {name: _xor(a, befores[name]) if name in befores else a for name, a in arrays.items()}


def pack(facts: dict[str, object], arrays: Arrays, befores: Befores) -> bytes:
    """A well-formed session file of ``facts`` and ``arrays`` (afters XORed with their befores where they
    still fit them); ``facts["arrays"]`` is rewritten to describe them, then updated with any
    ``facts["__described__"]`` (a description that lies)."""
    facts = dict(facts)
    lies = facts.pop("__described__", {})  # None: the list of arrays replaced by a list
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        described = {}
        for name, array in arrays.items():
            before = befores.get(name)
            xored = before is not None and before.shape == array.shape and before.dtype == array.dtype
            described[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "xor_with_before": name in befores}
            archive.writestr(f"{name}.bin", _shuffled(_xor(array, before) if xored else array))
        for name, lie in (lies or {}).items():
            described.setdefault(name, {}).update(lie)
        archive.writestr(FACTS_MEMBER, json.dumps({**facts, "arrays": [] if lies is None else described}))
    return buffer.getvalue()


Structural = Callable[[np.random.Generator, dict[str, object], Arrays], None]


def _entry(facts: dict[str, object], rng: np.random.Generator) -> dict[str, object]:
    return facts["history"][int(rng.integers(0, len(facts["history"])))]


def _array(arrays: Arrays, rng: np.random.Generator, part: str = "") -> str | None:
    names = sorted(n for n in arrays if part in n and n != "touched")
    return names[int(rng.integers(0, len(names)))] if names else None


def _window_blocks(change: Callable[[list[int], list[int]], list[int]]) -> Structural:
    def corrupt(rng, facts, arrays):
        window = _entry(facts, rng)["window"]
        window["blocks"] = change(list(window["blocks"]), list(window["grid"]))

    return corrupt


def _nan_in(part: str, value: float) -> Structural:
    def corrupt(rng, facts, arrays):
        name = _array(arrays, rng, part)
        if name is None:
            return
        flat = arrays[name].reshape(-1)
        flat[int(rng.integers(0, flat.size))] = value

    return corrupt


def _shape(change: Callable[[np.ndarray], np.ndarray], part: str = "history") -> Structural:
    def corrupt(rng, facts, arrays):
        name = _array(arrays, rng, part)
        if name is not None:
            arrays[name] = np.ascontiguousarray(change(arrays[name]))

    return corrupt


def _drop(part: str) -> Structural:
    def corrupt(rng, facts, arrays):
        for name in [n for n in arrays if part in n]:
            del arrays[name]

    return corrupt


def _set(key: str, value: object) -> Structural:
    def corrupt(rng, facts, arrays):
        facts[key] = value

    return corrupt


def _delete(key: str) -> Structural:
    def corrupt(rng, facts, arrays):
        facts.pop(key, None)

    return corrupt


def _record(value: object) -> Structural:
    def corrupt(rng, facts, arrays):
        _entry(facts, rng)["record"] = value

    return corrupt


def _lie(field: str, value: object, part: str = "") -> Structural:
    def corrupt(rng, facts, arrays):
        facts["__described__"] = {_array(arrays, rng, part): {field: value}}

    return corrupt


STRUCTURAL: dict[str, Structural] = {
    "format-unknown": _set("format", "jpeg-explorer-session/9"),
    "sha-not-text": _set("source_sha256", 12),
    "sha-short": _set("source_sha256", "ab"),
    "path-not-text": _set("source_path", ["photo.jpg"]),
    "model-missing": _delete("model"),
    "model-name-number": _set("model", {"name": 3, "sha256": ""}),
    "history-not-list": _set("history", {"0": 1}),
    "history-entry-not-object": lambda rng, facts, arrays: facts["history"].__setitem__(0, 7),
    "history-longer-than-arrays": lambda rng, facts, arrays: facts["history"].append(facts["history"][0]),
    "history-shorter-than-arrays": lambda rng, facts, arrays: facts["history"].pop(),
    "position-past-end": lambda rng, facts, arrays: facts.__setitem__("position", len(facts["history"]) + 1),
    "position-negative": _set("position", -1),
    "position-float": _set("position", 0.5),
    "position-bool": _set("position", True),
    "position-huge": _set("position", 10**30),
    "limit-zero": _set("history_limit", 0),
    "limit-below-history": lambda rng, facts, arrays: facts.__setitem__("history_limit", len(facts["history"]) - 1),
    "limit-text": _set("history_limit", "50"),
    "replay-missing": _delete("replay"),
    "replay-text": _set("replay", "yes"),
    "base-number": _set("base_sha256", 5),
    "arrays-not-object": lambda rng, facts, arrays: facts.__setitem__("__described__", None),
    "window-missing": lambda rng, facts, arrays: _entry(facts, rng).pop("window"),
    "window-outside-grid": _window_blocks(lambda b, g: [b[0], g[0] + 4, b[2], b[3]]),
    "window-negative": _window_blocks(lambda b, g: [-2, b[1], b[2], b[3]]),
    "window-empty": _window_blocks(lambda b, g: [b[0], b[0], b[2], b[3]]),
    "window-reversed": _window_blocks(lambda b, g: [b[1], b[0], b[2], b[3]]),
    "window-unaligned": _window_blocks(lambda b, g: [b[0] + 1, b[1], b[2], b[3]]),
    "window-text": _window_blocks(lambda b, g: ["0", b[1], b[2], b[3]]),
    "window-three-numbers": _window_blocks(lambda b, g: b[:3]),
    "grid-wrong": lambda rng, facts, arrays: _entry(facts, rng)["window"].__setitem__("grid", [1, 1]),
    "factor-zero": lambda rng, facts, arrays: _entry(facts, rng)["window"].__setitem__("factor", [0, 0]),
    "record-not-object": _record("Brightness"),
    "outcomes-without-text": lambda rng, facts, arrays: _entry(facts, rng)["record"].__setitem__(
        "outcomes", [{"value": 1.0}]
    ),
    "region-not-object": lambda rng, facts, arrays: _entry(facts, rng)["record"].__setitem__("region", "all"),
    "nan-delta": _nan_in("delta", float("nan")),
    "nan-z": _nan_in(".z", float("nan")),
    "infinite-z": _nan_in(".z", float("inf")),
    "delta-beyond-bound": _nan_in("delta_y", 0.5),
    "delta-huge": _nan_in("delta_c", 3.0e38),
    "all-nan": lambda rng, facts, arrays: [a.fill(np.nan) for n, a in arrays.items() if n != "touched"],
    "shape-one-block": _shape(lambda a: a[..., :1, :1]),
    "shape-transposed": _shape(lambda a: np.swapaxes(a, -1, -2)),
    "shape-extra-axis": _shape(lambda a: a[None]),
    "state-shape-short": _shape(lambda a: a[..., :-1], part="state"),
    "dtype-float64": _shape(lambda a: a.astype(np.float64)),
    "dtype-float16": _shape(lambda a: a.astype(np.float16)),
    "dtype-int32": _shape(lambda a: a.astype(np.int32)),
    "chroma-dropped": _drop("delta_c"),
    "z-dropped": _drop(".z"),
    "unexpected-array": lambda rng, facts, arrays: arrays.__setitem__(
        "history.9.after.z", np.zeros((1, 64, 2, 2), np.float32)
    ),
    "shape-lies": _lie("shape", [1, 64, 4, 4]),
    "shape-lies-huge": _lie("shape", [2**30, 2**30, 1, 1]),
    "shape-negative": _lie("shape", [-1, 64, 2, 2]),
    "dtype-lies": _lie("dtype", "<f8"),
    "dtype-object": _lie("dtype", "|O"),
    "dtype-unknown": _lie("dtype", "<q7"),
    "xor-flag-lies": _lie("xor_with_before", False, part="after"),
    "touched-values": lambda rng, facts, arrays: arrays["touched"].fill(7) if "touched" in arrays else None,
    "touched-none": lambda rng, facts, arrays: arrays["touched"].fill(0) if "touched" in arrays else None,
}
"""Named structure-aware corruptions: each changes the facts and arrays of an unpacked session in place."""

NOT_APPLICABLE = {
    "replay": {"touched-values", "touched-none", "state-shape-short"},
    "stored": set(),
}
"""By seed kind, the corruptions that leave its file unchanged (the field or array is not in that form)."""


def corrupted(data: bytes, befores: Befores, name: str, rng: np.random.Generator | None = None) -> bytes:
    """``data`` with the structural corruption ``name`` applied and packed again as a well-formed file."""
    rng = np.random.default_rng(0) if rng is None else rng
    facts, arrays = unpack(data, befores)
    arrays = {k: v.copy() for k, v in arrays.items()}
    STRUCTURAL[name](rng, facts, arrays)
    return pack(facts, arrays, befores)


def nested_facts(data: bytes) -> bytes:
    """A session file whose facts hold a list nested 100,000 deep (a RecursionError for a naive reader)."""
    deep = "[" * 100_000 + "]" * 100_000
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == FACTS_MEMBER:
                content = content[:-1] + b', "deep": ' + deep.encode() + b"}"
            archive.writestr(info.filename, content)
    return buffer.getvalue()


# --- the fuzzer's cases ----------------------------------------------------------------------------------------


def corrupt_metadata(rng: np.random.Generator, data: bytes) -> bytes:
    """One character of the session's JSON replaced by another type's or an absurd number's (the facts member
    is rewritten whole, so the zip's framing holds); a file that is no zip gets bits flipped instead."""
    if data[:4] != b"PK\x03\x04":
        return flip_bits(rng, data)
    text = zipfile.ZipFile(io.BytesIO(data)).read(FACTS_MEMBER)
    pos = int(rng.integers(0, len(text)))
    changed = text[:pos] + _character(rng) + text[pos + 1 :]
    return _replace_raw_facts(data, changed)


def _character(rng: np.random.Generator) -> bytes:
    return [b"0", b"-", b"[", b"{", b"9", b"\\", b"n", b"e", b'"', b"]"][int(rng.integers(0, 10))]


def _replace_raw_facts(data: bytes, facts: bytes) -> bytes:
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, facts if info.filename == FACTS_MEMBER else source.read(info))
    return buffer.getvalue()


def _deeply_nested(rng: np.random.Generator, data: bytes) -> bytes:
    return nested_facts(data) if data[:4] == b"PK\x03\x04" else corrupt_metadata(rng, data)


BYTE_MUTATIONS: tuple[Mutation, ...] = (flip_bits, byte_run, truncate, corrupt_metadata)


def seed_sessions() -> tuple[bytes, dict[str, tuple[bytes, Befores]]]:
    """The seed photo and, by kind, its seed session file and befores (made in a forked process)."""
    jpeg = seed_jpegs()[0].data
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "photo.jpg").write_bytes(jpeg)
        outcome = run_forked(write_seed_sessions, [str(folder / "photo.jpg"), str(folder)], Limits(300.0, 16 * 2**30))
        if outcome.exit_code != 0:
            raise RuntimeError(f"the seed sessions could not be saved: {outcome.stderr[-500:]}")
        seeds = {}
        for kind in SEED_KINDS:
            with np.load(folder / f"{kind}.npz", allow_pickle=False) as befores:
                seeds[kind] = ((folder / f"{kind}.session").read_bytes(), {k: befores[k] for k in befores.files})
    return jpeg, seeds


def session_cases(count: int, seed: int) -> list[Case]:
    """``count`` corruptions of the seed sessions (half byte-level, half structure-aware), the same for the
    same ``seed``."""
    jpeg, seeds = seed_sessions()
    rng = np.random.default_rng(seed)
    cases = []
    for index in range(count):
        kind = SEED_KINDS[index % len(SEED_KINDS)]
        data, befores = seeds[kind]
        if index % 2:
            names = sorted(set(STRUCTURAL) - NOT_APPLICABLE[kind])
            name = names[int(rng.integers(0, len(names)))]
            corrupt = corrupted(data, befores, name, rng)
        else:
            mutation = (*BYTE_MUTATIONS, _deeply_nested)[int(rng.integers(0, len(BYTE_MUTATIONS) + 1))]
            name, corrupt = mutation.__name__, mutation(rng, data)
        cases.append(Case(f"session-{seed}-{index}-{kind}-{name}", _session_builder(corrupt, jpeg), b"", seconds=30.0))
    return cases


def _session_builder(session: bytes, jpeg: bytes):
    def build(folder: Path) -> Path:
        (folder / "photo.jpg").write_bytes(jpeg)
        path = folder / "input.session"
        path.write_bytes(session)
        return path

    return build


SESSION_TARGET = Target(
    "session",
    lambda source, folder: [str(source), str(folder / "photo.jpg")],
    None,
    lambda folder: [],
    frozenset({0, 2}),
    entry=open_session,
)
"""Loads a case's session on its JPEG (see :func:`open_session`)."""
