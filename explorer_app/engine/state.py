"""The decoded state of a session (z, the logit correction and the Δ maps they give) and exact windowed
updates of it.

Invariant: Δ = ψ(X_Q, z, correction) up to float rounding, and the image is always rendered from Δ, so an image is a
deterministic function of the stored tensors (which is what makes saved sessions reopen bit-exactly).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import torch

from ..decoder.code_tensors import CodeTensors
from ..decoder.correction import Correction
from ..decoder.model import JpegDecoder
from ..decoder.output import DecoderOutput
from ..decoder.render import coefficients_to_plane, render_code
from .block_window import BlockWindow, crop_code


@dataclass
class DecodedState:
    """z: (1, 64, by, bx) control; delta_y: (1, 64, by, bx); delta_c: (1, 128, cby, cbx) or None (grey);
    correction: the logit corrections of exact edits (zero where none wrote), shaped like the Δ maps."""

    z: torch.Tensor
    delta_y: torch.Tensor
    delta_c: torch.Tensor | None
    correction: Correction

    def output(self, code: CodeTensors) -> DecoderOutput:
        """What the decoder's forward gives for this state (N = 1): the Δ maps and the image they render to."""
        return DecoderOutput(self.delta_y, self.delta_c, render_code(code, self.delta_y, self.delta_c))

    def clone(self) -> DecodedState:
        return DecodedState(
            self.z.clone(),
            self.delta_y.clone(),
            None if self.delta_c is None else self.delta_c.clone(),
            self.correction.clone(),
        )


@dataclass(frozen=True)
class Patch:
    """The content of a window of the state: z, Δ_Y and the luma correction over window.blocks; Δ_CbCr and
    the chroma correction over window.chroma_blocks."""

    window: BlockWindow
    z: torch.Tensor
    delta_y: torch.Tensor
    delta_c: torch.Tensor | None
    correction: Correction

    def tensors(self) -> dict[str, torch.Tensor]:
        """The patch's arrays by name (what a session file stores)."""
        found = {
            "z": self.z,
            "delta_y": self.delta_y,
            "delta_c": self.delta_c,
            "correction_y": self.correction.y,
            "correction_c": self.correction.c,
        }
        return {k: v for k, v in found.items() if v is not None}

    def consistent(self) -> bool:
        """Whether every Δ lies in [−½, ½], i.e. every coefficient of the window re-quantizes to the file's."""
        return all(bool((d.abs() <= 0.5).all()) for d in (self.delta_y, self.delta_c) if d is not None)


def _crop(
    luma: torch.Tensor, chroma: torch.Tensor | None, window: BlockWindow
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Copies of a luma-grid map (N, C, by, bx) over ``window``'s blocks and of a chroma-grid one (or None)
    over its chroma blocks."""
    rows, cols = window.blocks
    c_rows, c_cols = window.chroma_blocks
    return luma[:, :, rows, cols].clone(), None if chroma is None else chroma[:, :, c_rows, c_cols].clone()


def crop_correction(correction: Correction, window: BlockWindow) -> Correction:
    """A copy of ``correction`` (whole image) over ``window``'s luma and chroma blocks."""
    return Correction(*_crop(correction.y, correction.c, window))


def read_patch(state: DecodedState, window: BlockWindow) -> Patch:
    """A copy of the state's content in ``window``."""
    delta_y, delta_c = _crop(state.delta_y, state.delta_c, window)
    z, _ = _crop(state.z, None, window)
    return Patch(window, z, delta_y, delta_c, crop_correction(state.correction, window))


def write_patch(state: DecodedState, patch: Patch) -> None:
    """Overwrite the state's content in the patch's window."""
    rows, cols = patch.window.blocks
    state.z[:, :, rows, cols] = patch.z
    state.delta_y[:, :, rows, cols] = patch.delta_y
    state.correction.y[:, :, rows, cols] = patch.correction.y
    c_rows, c_cols = patch.window.chroma_blocks
    if state.delta_c is not None and patch.delta_c is not None:  # both or neither: a patch has the file's colour
        state.delta_c[:, :, c_rows, c_cols] = patch.delta_c
    if state.correction.c is not None and patch.correction.c is not None:
        state.correction.c[:, :, c_rows, c_cols] = patch.correction.c


def state_digest(state: DecodedState) -> str:
    """SHA-256 of the Δ maps' float32 bytes: equal digests mean bit-identical decodes."""
    digest = hashlib.sha256()
    for delta in (state.delta_y, state.delta_c):
        if delta is not None:
            digest.update(delta.detach().to("cpu", torch.float32).contiguous().numpy().data)
    return digest.hexdigest()


def decoded_state(decoder: JpegDecoder, code: CodeTensors, z: torch.Tensor) -> tuple[DecodedState, torch.Tensor]:
    """Decode the whole image for ``z`` (1, 64, by, bx) with no correction, without gradients: the state
    and the image (1, C, H, W) it renders to (rendered once: a 12-MP render takes most of a second)."""
    with torch.no_grad():
        out = decoder(code, z)
    return DecodedState(z.clone(), out.delta_y, out.delta_c, Correction.zeros(code)), out.image


def initial_state(decoder: JpegDecoder, code: CodeTensors, z: torch.Tensor) -> DecodedState:
    """The state of :func:`decoded_state`, without its image."""
    return decoded_state(decoder, code, z)[0]


def exact_patch(
    decoder: JpegDecoder,
    state: DecodedState,
    code: CodeTensors,
    z: torch.Tensor,
    changed: BlockWindow,
    correction: Correction | None = None,
) -> Patch:
    """The state's new content after its z became ``z`` (1, 64, by, bx) and its correction ``correction``
    (whole image; None: the state's), which differ from the state's only in ``changed``.

    Exact up to float rounding, and cheaper than decoding the whole image: the luma net runs where z can
    reach a luma Δ (its receptive radius R_l around ``changed``) plus R_l of context; the chroma net runs
    where z or a changed luma Δ can reach a chroma Δ plus its own context, reading the unchanged luma
    everywhere else from ``state``.
    """
    correction = correction or state.correction
    luma_reach = decoder.luma.receptive_radius
    chroma_reach = max(code.chroma_factor) * (decoder.chroma.receptive_radius + 1)
    luma_changed = changed.grown(luma_reach)
    computed = luma_changed.grown(luma_reach)
    rows, cols = computed.blocks
    delta_y = state.delta_y.clone()
    with torch.no_grad():
        fix = crop_correction(correction, computed)
        fresh = decoder.predict_luma(crop_code(code, computed), z[:, :, rows, cols], correction=fix.y)
        in_rows, in_cols = computed.relative(luma_changed)
        out_rows, out_cols = luma_changed.blocks
        delta_y[:, :, out_rows, out_cols] = fresh[:, :, in_rows, in_cols]
        if state.delta_c is None:
            return _patch(luma_changed, z, delta_y, None, correction)
        chroma_changed = luma_changed.grown(chroma_reach)
        computed = chroma_changed.grown(chroma_reach)
        rows, cols = computed.blocks
        crop = crop_code(code, computed)
        y_plane = coefficients_to_plane(crop.y_q + delta_y[:, :, rows, cols], crop.y_table)
        fix = crop_correction(correction, computed)
        fresh = decoder.predict_chroma(crop, z[:, :, rows, cols], y_plane, correction=fix.c)
        c_rows, c_cols = computed.relative_chroma(chroma_changed)
    return _patch(chroma_changed, z, delta_y, fresh[:, :, c_rows, c_cols], correction)


def _patch(
    window: BlockWindow, z: torch.Tensor, delta_y: torch.Tensor, delta_c: torch.Tensor | None, correction: Correction
) -> Patch:
    rows, cols = window.blocks
    fix = crop_correction(correction, window)
    return Patch(window, z[:, :, rows, cols].clone(), delta_y[:, :, rows, cols].clone(), delta_c, fix)
