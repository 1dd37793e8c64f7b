"""A damaged saved session ends in one SessionFileError, never in another exception, nor in a
session that fails later on undo, redo or export; a valid one still reopens bit for bit.

The corruptions are the fuzzer's (``fuzz/sessions.py``), made here on sessions of a tiny decoder, in the two
forms a file takes: replayed from the history (the usual) and stored (a history that forgot edits)."""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest
import torch

from explorer_app.codec import read_jpeg
from explorer_app.engine import Session, SessionFileError, load_session, read_facts, restore, save_session
from explorer_app.export.exporter import ExportError, check_delta
from fuzz.mutations import byte_run, flip_bits, truncate
from fuzz.sessions import (
    NOT_APPLICABLE,
    SEED_KINDS,
    STRUCTURAL,
    befores_of,
    corrupt_metadata,
    corrupted,
    edited_session,
    nested_facts,
)

from conftest import controllable_decoder, write_picture


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """The photo and, by kind, (session file bytes, befores, the session it was saved from)."""
    folder = tmp_path_factory.mktemp("sessions")
    code = read_jpeg(write_picture(folder / "photo.jpg"))
    replay = edited_session(code, controllable_decoder())
    stored = edited_session(code, controllable_decoder(), history_limit=1)
    found = {}
    for kind, session in (("replay", replay), ("stored", stored)):
        save_session(session, folder / f"{kind}.session")
        found[kind] = ((folder / f"{kind}.session").read_bytes(), befores_of(session), session)
    return folder / "photo.jpg", found


def _load(path, photo):
    return load_session(path, read_jpeg(photo), controllable_decoder())


def _assert_refused(path, photo) -> str:
    with pytest.raises(SessionFileError) as raised:
        _load(path, photo)
    message = str(raised.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message


@pytest.mark.parametrize("kind", SEED_KINDS)
def test_a_valid_session_of_each_form_reopens_bit_for_bit_and_undoes_and_redoes(tmp_path, seeds, kind):
    photo, found = seeds
    data, _, saved = found[kind]
    (tmp_path / "s.session").write_bytes(data)
    reopened = _load(tmp_path / "s.session", photo)
    for name in ("z", "delta_y", "delta_c"):
        assert torch.equal(getattr(reopened.state, name), getattr(saved.state, name))
    assert torch.equal(reopened.image, saved.image)
    assert reopened.history.records() == saved.history.records()
    assert reopened.history.position == saved.history.position
    fresh = Session(saved.code, controllable_decoder())
    while reopened.undo():
        pass
    if kind != "stored":  # all edits undone: the z = 0 decode again
        assert torch.equal(reopened.state.z, fresh.state.z) and torch.equal(reopened.image, fresh.image)
    while reopened.redo():
        pass
    report = reopened.export(tmp_path / "out.png")
    assert (tmp_path / "out.png").exists() and report is not None


@pytest.mark.parametrize(
    "kind, name",
    [(kind, name) for kind in SEED_KINDS for name in sorted(STRUCTURAL) if name not in NOT_APPLICABLE[kind]],
)  # those that change its file
def test_every_structural_corruption_is_refused_with_the_session_error(tmp_path, seeds, kind, name):
    photo, found = seeds
    data, befores, _ = found[kind]
    (tmp_path / "bad.session").write_bytes(corrupted(data, befores, name))
    _assert_refused(tmp_path / "bad.session", photo)


@pytest.mark.parametrize(
    "name, words",
    [
        ("chroma-dropped", "chroma"),
        ("nan-delta", "not finite"),
        ("delta-beyond-bound", "0.49"),
        ("shape-one-block", "shape"),
        ("position-past-end", "position"),
        ("factor-zero", "MCU"),
        ("window-outside-grid", "block grid"),
        # the schema's path-qualified messages: which field, then what is wrong with it
        ("position-bool", "position: Input should be a valid integer"),
        ("sha-short", "source_sha256: String should match pattern"),
        ("window-text", ".window.blocks.0: Input should be a valid integer"),
        ("record-not-object", ".record: Input should be"),
        ("replay-text", "replay: Input should be a valid boolean"),
        ("limit-below-history", "the history limit"),
    ],
)
def test_the_message_says_what_is_wrong(tmp_path, seeds, name, words):
    photo, found = seeds
    data, befores, _ = found["replay"]
    (tmp_path / "bad.session").write_bytes(corrupted(data, befores, name))
    assert words in _assert_refused(tmp_path / "bad.session", photo)


@pytest.mark.parametrize("kind", SEED_KINDS)
def test_byte_level_corruptions_are_refused_or_load_into_a_working_session(tmp_path, seeds, kind):
    """Random damage: each file is refused with SessionFileError, or (a bit flipped in an edit record's
    text, say) loads into a session whose whole history undoes, redoes and renders finite pixels."""
    photo, found = seeds
    data, _, _ = found[kind]
    rng = np.random.default_rng(14)
    refused = 0
    for index in range(40):
        mutation = (flip_bits, byte_run, truncate, corrupt_metadata)[index % 4]
        path = tmp_path / f"{index}.session"
        path.write_bytes(mutation(rng, data))
        try:
            session = _load(path, photo)
        except SessionFileError as error:
            assert "\n" not in str(error)
            refused += 1
            continue
        while session.undo():
            pass
        while session.redo():
            pass
        assert bool(torch.isfinite(session.output().image).all())
    assert refused >= 20


def test_a_key_holding_a_newline_is_named_on_one_line(tmp_path, seeds):
    """Found with the coverage fuzzer's check that a refusal is one line: the schema's message names the
    field by the file's own keys, and a key holding a newline made it two lines."""
    photo, found = seeds
    source, buffer = zipfile.ZipFile(io.BytesIO(found["replay"][0])), io.BytesIO()
    facts = json.loads(source.read("session.json"))
    facts["arrays"]["x\ny"] = {"dtype": 5, "shape": [1], "xor_with_before": False}
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, json.dumps(facts) if info.filename == "session.json" else source.read(info))
    (tmp_path / "bad.session").write_bytes(buffer.getvalue())
    assert "arrays.x\\ny.dtype: Input should be a valid string" in _assert_refused(tmp_path / "bad.session", photo)


def test_deeply_nested_facts_are_refused_not_a_recursion_error(tmp_path, seeds):
    photo, found = seeds
    (tmp_path / "deep.session").write_bytes(nested_facts(found["replay"][0]))
    assert "nested" in _assert_refused(tmp_path / "deep.session", photo)


def test_a_refused_restore_leaves_the_session_as_it_was(tmp_path, seeds):
    _, found = seeds
    data, befores, saved = found["replay"]
    (tmp_path / "bad.session").write_bytes(corrupted(data, befores, "nan-delta"))
    session = Session(saved.code, controllable_decoder())
    state, image = session.state.clone(), session.image.clone()
    with pytest.raises(SessionFileError):
        restore(session, tmp_path / "bad.session")
    assert torch.equal(session.state.delta_y, state.delta_y) and torch.equal(session.image, image)
    assert not session.history.entries and not session.touched.any()


@pytest.mark.parametrize("what", ["fifo", "folder", "missing", "empty", "text"])
def test_what_is_not_a_session_file_is_refused_at_once(tmp_path, seeds, what):
    photo, _ = seeds
    path = tmp_path / "x.session"
    if what == "fifo":
        os.mkfifo(path)
    elif what == "folder":
        path.mkdir()
    elif what == "empty":
        path.write_bytes(b"")
    elif what == "text":
        path.write_text("holiday photos\n")
    with pytest.raises(SessionFileError):
        read_facts(path)
    _assert_refused(path, photo)


def test_the_export_refuses_delta_maps_that_are_not_numbers():
    """Defence in depth: NaN is not within [−½, ½] (it once compared false to 0.5 and passed)."""
    with pytest.raises(ExportError, match="outside"):
        check_delta(torch.tensor([[0.1, float("nan")]]), "luma")
    check_delta(torch.tensor([[0.1, -0.49]]), "luma")
