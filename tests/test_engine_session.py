"""Sessions: exact windowed updates, undo/redo, cancel, save and reload bit-exactly."""

import pytest
import torch

from explorer_app.codec import read_jpeg
from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.fixed_code import FixedCodeDecoder
from explorer_app.decoder.model import DecoderSize
from explorer_app.engine import Budget, Session, SessionFileError, load_session, regions, save_session, tools
from explorer_app.engine.block_window import expand_code, window_of_mask
from explorer_app.engine.state import exact_patch, initial_state, write_patch

from conftest import controllable_decoder, random_decoder, tiny_session, write_picture


@pytest.mark.parametrize(
    "options",
    [
        {"subsampling": 2},
        {"subsampling": 1},
        {"subsampling": 0},
        {"grey": True},
        {"height": 61, "width": 83, "subsampling": 2},
    ],
)
def test_windowed_update_equals_whole_decode(tmp_path, options):
    session = tiny_session(tmp_path, **options)
    region = regions.rectangle(session.shape, 40, 40, 16, 8)
    blocks = region.block_mask(1)
    z = session.state.z.clone()
    z[:, :, torch.from_numpy(blocks)] = torch.randn(64, int(blocks.sum()))
    state = session.state.clone()
    write_patch(
        state,
        exact_patch(
            session.decoder, session.state, session.tensors, z, window_of_mask(blocks, session.tensors.chroma_factor)
        ),
    )
    whole = initial_state(session.decoder, session.tensors, z)
    assert torch.allclose(state.delta_y, whole.delta_y, atol=1e-5)
    if whole.delta_c is not None:
        assert torch.allclose(state.delta_c, whole.delta_c, atol=1e-5)
    assert not torch.equal(whole.delta_y, session.state.delta_y)


@pytest.mark.parametrize(
    "options", [{"subsampling": 2}, {"subsampling": 1}, {"grey": True}, {"height": 61, "width": 83, "subsampling": 2}]
)
def test_a_decoder_on_fixed_coefficients_decodes_as_the_decoder_does(tmp_path, options):
    """What an edit's steps compute (the constant parts once, batch norms folded) is the decoder's output, for
    several candidates at once, and its gradient to z is the decoder's."""
    decoder = random_decoder(4, DecoderSize(16, 2, 16, 2))
    with torch.no_grad():  # a trained decoder's norms are not the identity
        for module in decoder.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5), module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5), module.bias.uniform_(-0.2, 0.2)
    code = CodeTensors.from_code(read_jpeg(write_picture(tmp_path / "file.jpg", **options)))
    z = torch.randn(3, *code.z_shape[1:], requires_grad=True)
    fixed = FixedCodeDecoder(decoder, code)(z)
    whole = decoder(expand_code(code, 3), z)
    for key in ("delta_y", "delta_c", "image"):
        if getattr(whole, key) is None:
            assert getattr(fixed, key) is None
            continue
        torch.testing.assert_close(
            getattr(fixed, key), getattr(whole, key), atol=1e-3 if key == "image" else 1e-6, rtol=0
        )
    (from_fixed,) = torch.autograd.grad(fixed.image.square().mean(), z)
    (from_whole,) = torch.autograd.grad(whole.image.square().mean(), z)
    torch.testing.assert_close(from_fixed, from_whole, atol=1e-4 * float(from_whole.abs().max()), rtol=0)


@pytest.mark.parametrize("zero", [False, True])
@pytest.mark.parametrize("options", [{"subsampling": 2}, {"grey": True}])
def test_a_decode_without_gradients_is_bit_for_bit_the_decode_with_them(tmp_path, options, zero):
    """Inference reuses one buffer for every layer's cat(h, z), and for z = 0 leaves the z channels out of the
    convolutions (decoder/networks.py): the decode must stay bit for bit what the layer loop gives, or saved
    sessions' base digests stop matching."""
    decoder = random_decoder(5, DecoderSize(16, 3, 16, 3))
    with torch.no_grad():  # a trained decoder's norms are not the identity
        for module in decoder.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5), module.running_var.uniform_(0.5, 2.0)
    code = CodeTensors.from_code(read_jpeg(write_picture(tmp_path / "file.jpg", **options)))
    z = torch.zeros(2, *code.z_shape[1:]) if zero else torch.randn(2, *code.z_shape[1:])
    with torch.no_grad():
        fast = decoder(expand_code(code, 2), z)
    with torch.enable_grad():
        loop = decoder(expand_code(code, 2), z)
    for key in ("delta_y", "delta_c", "image"):
        if getattr(loop, key) is not None:
            assert torch.equal(getattr(fast, key), getattr(loop, key).detach())


def test_undo_redo_restore_z_and_image(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder())
    z0, image0 = session.state.z.clone(), session.image.clone()
    region = regions.rectangle(session.shape, 40, 32, 32, 24)
    session.apply(tools.Variance(factor=2.0), region, Budget(steps=25, patience=0))
    z1, image1 = session.state.z.clone(), session.image.clone()
    assert not torch.equal(z1, z0)
    assert session.undo()
    assert torch.equal(session.state.z, z0) and torch.equal(session.image, image0)
    assert not session.undo()
    assert session.redo()
    assert torch.equal(session.state.z, z1) and torch.equal(session.image, image1)
    assert not session.redo()


def test_history_is_bounded(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder())
    session.history.limit = 2
    region = regions.rectangle(session.shape, 16, 16, 8, 8)
    for _ in range(3):
        session.apply(tools.Brightness(10.0), region, Budget(steps=1))
    assert len(session.history.entries) == 2
    assert session.undo() and session.undo() and not session.undo()


def test_cancel_stops_before_the_next_step(tmp_path):
    session = tiny_session(tmp_path)
    edit = session.edit(tools.TotalVariation(), regions.rectangle(session.shape, 8, 8, 24, 24), Budget(steps=50))
    steps = edit.run()
    first = next(steps)
    edit.cancel()
    assert list(steps) == []
    assert first.step == 1 and edit.result is not None
    assert edit.result.record["stopped"] == "cancelled"
    session.commit(edit.result)
    assert session.history.records()[-1]["stopped"] == "cancelled"


def test_save_and_reload_bit_identical(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder())
    region = regions.rectangle(session.shape, 16, 8, 24, 24)
    session.apply(tools.Variance(factor=2.0), region, Budget(steps=25, patience=0))
    session.apply(tools.Brightness(-20.0), region, Budget(steps=6, patience=0))
    session.undo()
    path = tmp_path / "work.session"
    save_session(session, path)
    reopened = load_session(path, read_jpeg(tmp_path / "input.jpg"), controllable_decoder())
    assert torch.equal(reopened.image, session.image)
    assert torch.equal(reopened.state.z, session.state.z)
    assert torch.equal(reopened.state.delta_y, session.state.delta_y)
    assert torch.equal(reopened.state.delta_c, session.state.delta_c)
    assert reopened.base_matches and (reopened.touched == session.touched).all()
    assert reopened.history.records() == session.history.records()
    assert reopened.redo() and session.redo()
    assert torch.equal(reopened.image, session.image)
    assert reopened.undo() and reopened.undo() and not reopened.undo()
    assert torch.equal(reopened.state.z, torch.zeros_like(reopened.state.z))


def test_reload_refuses_another_file_or_model(tmp_path):
    session = tiny_session(tmp_path)
    path = tmp_path / "work.session"
    save_session(session, path)
    other = read_jpeg(write_picture(tmp_path / "other.jpg", seed=3))
    with pytest.raises(SessionFileError):
        load_session(path, other, random_decoder())
    with pytest.raises(SessionFileError):
        load_session(path, read_jpeg(tmp_path / "input.jpg"), random_decoder(seed=1))
    (tmp_path / "junk.session").write_bytes(b"not a session")
    with pytest.raises(SessionFileError):
        load_session(tmp_path / "junk.session", read_jpeg(tmp_path / "input.jpg"), random_decoder())


@pytest.mark.parametrize("size", [(56, 72), (9, 17)])
def test_warm_up_changes_nothing(tmp_path, size):
    """The throw-away edit the window runs while opening a file leaves the image, z and the history alone
    (on images smaller than its 16-px box too)."""
    session = tiny_session(tmp_path, controllable_decoder(), height=size[0], width=size[1])
    z, image = session.state.z.clone(), session.image.clone()
    session.warm_up()
    assert torch.equal(session.state.z, z) and torch.equal(session.image, image)
    assert session.history.position == 0 and not session.undo()


@pytest.mark.parametrize(
    "options", [{"subsampling": 2}, {"subsampling": 0}, {"grey": True}, {"height": 61, "width": 83, "subsampling": 2}]
)
def test_a_candidate_rendered_alone_matches_the_whole_render(tmp_path, options):
    """What the window shows while clicking through candidates is the exported image's pixels."""
    session = tiny_session(tmp_path, controllable_decoder(), **options)
    height, width = session.shape
    region = regions.rectangle(session.shape, width - 30, height - 20, 30, 20)  # touches the image's corner
    result = session.edit(tools.Alternatives(count=2), region, Budget(steps=3, patience=0))
    for _ in result.run():
        pass
    patch = session.candidate_patch(result.result, 1)
    crop, (y, x) = session.patched_window(patch)
    whole = session.patched_output(patch).image
    assert not torch.allclose(whole, session.image, atol=1e-3)  # the candidate changes something
    assert torch.allclose(crop, whole[:, :, y : y + crop.shape[2], x : x + crop.shape[3]], atol=1e-4)
    outside = whole.clone()
    outside[:, :, y : y + crop.shape[2], x : x + crop.shape[3]] = session.image[
        :, :, y : y + crop.shape[2], x : x + crop.shape[3]
    ]
    assert torch.allclose(outside, session.image, atol=1e-4)  # and nothing outside its window


@pytest.mark.parametrize(
    "options", [{"subsampling": 2}, {"subsampling": 1}, {"grey": True}, {"height": 187, "width": 243, "subsampling": 2}]
)
def test_commit_undo_and_redo_re_render_only_their_window_exactly(tmp_path, options):
    """The session re-renders only the pixels an edit can change: the image stays the whole render of
    the state, and the blocks written are marked touched (what a saved session stores)."""
    session = tiny_session(tmp_path, controllable_decoder(), **{"height": 192, "width": 240, **options})
    height, width = session.shape
    region = regions.rectangle(session.shape, width - 30, height - 24, 30, 24)
    session.apply(tools.Variance(factor=3.0), region, Budget(steps=4, patience=0))
    whole = lambda: session.state.output(session.tensors).image  # noqa: E731
    assert torch.allclose(session.image, whole(), atol=1e-4)
    rows, cols = session.changed_pixels(session.history.entries[0])
    assert rows.stop == height and cols.stop == width and rows.start > 0
    assert session.touched.any() and not session.touched.all()
    assert session.undo() and torch.allclose(session.image, whole(), atol=1e-4)
    assert session.redo() and torch.allclose(session.image, whole(), atol=1e-4)


def test_a_watched_decode_reports_progress_and_stops_when_cancelled(tmp_path):
    from explorer_app.engine.progress import Cancelled

    code = read_jpeg(write_picture(tmp_path / "input.jpg"))
    seen: list[tuple[int, int]] = []
    session = Session.decoded(code, random_decoder(), progress=lambda done, total: seen.append((done, total)))
    total = seen[0][1]
    assert [done for done, _ in seen] == list(range(1, total + 1)) and total > 2
    assert torch.equal(session.image, Session(code, random_decoder()).image)
    with pytest.raises(Cancelled):
        Session.decoded(
            code, random_decoder(), progress=lambda *_: seen.append(()), cancelled=lambda: len(seen) > total + 2
        )
    assert len(seen) == total + 3  # stopped before the fourth convolution
    assert Session.decoded(code, random_decoder()).image.shape == session.image.shape  # no hook was left behind


def test_a_session_stores_only_what_edits_changed(tmp_path):
    """One small edit on a larger image: the file holds the touched blocks and the edit's windows,
    compressed, a small fraction of the whole state; it reopens bit for bit."""
    session = tiny_session(tmp_path, controllable_decoder(), height=400, width=528)
    session.apply(
        tools.Brightness(20.0), regions.rectangle(session.shape, 200, 160, 32, 32), Budget(steps=4, patience=0)
    )
    whole_state = sum(t.numel() * 4 for t in (session.state.z, session.state.delta_y, session.state.delta_c))
    size = save_session(session, tmp_path / "work.jxs")
    assert size == (tmp_path / "work.jxs").stat().st_size < 0.1 * whole_state
    import zipfile

    stored = {name.split(".bin")[0] for name in zipfile.ZipFile(tmp_path / "work.jxs").namelist()}
    assert session.replayable and stored == {
        "session.json",
        "history.0.after.z",
        "history.0.after.delta_y",
        "history.0.after.delta_c",
        "history.0.after.correction_y",
        "history.0.after.correction_c",
    }  # the rest follows from the file
    reopened = load_session(tmp_path / "work.jxs", session.code, controllable_decoder())
    for name in ("z", "delta_y", "delta_c"):
        assert torch.equal(getattr(reopened.state, name), getattr(session.state, name))
    assert torch.equal(reopened.image, session.image)
    assert reopened.history.records() == session.history.records()


def test_facts_name_the_jpeg_and_a_snapshot_keeps_the_state_it_was_taken_of(tmp_path):
    from explorer_app.engine.session_file import read_facts, snapshot, write_snapshot

    session = tiny_session(tmp_path, controllable_decoder())
    region = regions.rectangle(session.shape, 16, 8, 24, 24)
    session.apply(tools.Brightness(20.0), region, Budget(steps=3, patience=0))
    frozen, image = snapshot(session), session.image.clone()
    session.apply(tools.Brightness(-30.0), region, Budget(steps=3, patience=0))  # after the snapshot
    write_snapshot(frozen, tmp_path / "work.jxs")
    facts = read_facts(tmp_path / "work.jxs")
    assert (facts.source_path, facts.source_sha256, facts.edits) == (session.code.source, session.code.sha256, 1)
    reopened = load_session(tmp_path / "work.jxs", session.code, controllable_decoder())
    assert torch.equal(reopened.image, image) and reopened.history.position == 1


def test_a_session_reopened_where_the_unedited_decode_differs_says_so(tmp_path):
    session = tiny_session(tmp_path, controllable_decoder())
    session.apply(tools.Brightness(20.0), regions.rectangle(session.shape, 16, 8, 24, 24), Budget(steps=3, patience=0))
    save_session(session, tmp_path / "new.jxs")
    other_machine = Session(session.code, controllable_decoder())
    other_machine.base_sha256 = "0" * 64  # as if this machine's z = 0 decode differed in its last bits
    from explorer_app.engine import restore

    assert not restore(other_machine, tmp_path / "new.jxs").base_matches


def test_a_history_that_forgot_its_oldest_edits_still_reopens_bit_for_bit(tmp_path):
    """Over the history's limit the state holds edits no entry describes: then the touched blocks are
    stored rather than replayed."""
    session = tiny_session(tmp_path, controllable_decoder())
    session.history.limit = 2
    for x in (8, 40, 72):
        session.apply(tools.Brightness(15.0), regions.rectangle(session.shape, x, 16, 16, 16), Budget(steps=2))
    session.undo()
    assert session.history.forgotten == 1 and not session.replayable
    save_session(session, tmp_path / "work.jxs")
    reopened = load_session(tmp_path / "work.jxs", session.code, controllable_decoder())
    for name in ("z", "delta_y", "delta_c"):
        assert torch.equal(getattr(reopened.state, name), getattr(session.state, name))
    assert torch.equal(reopened.image, session.image) and reopened.history.position == 1
    assert reopened.redo() and session.redo() and torch.equal(reopened.image, session.image)
