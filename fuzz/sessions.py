"""Saved-session files, corrupted: the fuzzer's hook for the GUI's session validation (issue 14, item 7).

``python -m fuzz --sessions N`` saves one session (a seed photo, one committed edit) and loads N corruptions
of it on their JPEG with the explorable lite decoder, walking the whole undo/redo history; a corrupted file
may only end in the session error: one line, exit 2. Byte-level corruptions are here; structure-aware ones
(fields of the session's JSON, tensors of the wrong shape or full of NaN) belong here as the GUI's session
format grows: add them to :data:`SESSION_MUTATIONS`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import torch

from explorer_app.cli.errors import fail
from explorer_app.codec import JpegError, read_jpeg
from explorer_app.decoder.selection import choose_decoder
from explorer_app.engine import Budget, Session, SessionFileError, load_session, regions, save_session
from explorer_app.engine.tools.edits import Brightness

from .campaign import Case
from .mutations import Mutation, byte_run, flip_bits, truncate
from .runner import Limits, run_forked
from .seeds import seed_jpegs
from .targets import Target


def _decoder():
    return choose_decoder("explorable", "lite", torch.device("cpu")).decoder


def open_session(arguments: list[str]) -> int:
    """Entry of a session case: load SESSION on JPEG, then undo and redo everything; 2 on a refused file."""
    session_path, jpeg_path = (Path(a) for a in arguments)
    try:
        session = load_session(session_path, read_jpeg(jpeg_path), _decoder())
    except (JpegError, SessionFileError) as error:
        return fail(str(error))
    while session.undo():
        pass
    while session.redo():
        pass
    return 0


def write_seed_session(arguments: list[str]) -> int:
    """Entry that saves the seed session: JPEG, OUT."""
    session = Session(read_jpeg(arguments[0]), _decoder())
    session.apply(Brightness(), regions.rectangle(session.shape, 8, 8, 24, 24), Budget(steps=4, patience=0))
    save_session(session, arguments[1])
    return 0


def corrupt_metadata(rng: np.random.Generator, data: bytes) -> bytes:
    """One value of the session's JSON header replaced by another type or an absurd number (same length kept
    where possible, so the safetensors framing still holds)."""
    start = data.find(b'"session"')
    if start < 0:
        return flip_bits(rng, data)
    pos = start + int(rng.integers(10, max(11, min(400, len(data) - start - 1))))
    replacement = [b"0", b"-", b"[", b"{", b"9", b"\\", b"n", b"e"][int(rng.integers(0, 8))]
    return data[:pos] + replacement + data[pos + 1 :]


SESSION_MUTATIONS: tuple[Mutation, ...] = (flip_bits, byte_run, truncate, corrupt_metadata)


def session_cases(count: int, seed: int) -> list[Case]:
    """``count`` corruptions of one saved session, the same for the same ``seed``."""
    jpeg = seed_jpegs()[0].data
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "photo.jpg").write_bytes(jpeg)
        outcome = run_forked(
            write_seed_session, [str(folder / "photo.jpg"), str(folder / "seed.session")], Limits(300.0, 16 * 2**30)
        )
        if outcome.exit_code != 0:
            raise RuntimeError(f"the seed session could not be saved: {outcome.stderr[-500:]}")
        session = (folder / "seed.session").read_bytes()
    rng = np.random.default_rng(seed)
    cases = []
    for index in range(count):
        mutation = SESSION_MUTATIONS[int(rng.integers(0, len(SESSION_MUTATIONS)))]
        cases.append(
            Case(
                f"session-{seed}-{index}-{mutation.__name__}",
                _session_builder(mutation(rng, session), jpeg),
                b"",
                seconds=30.0,
            )
        )
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
