"""The decoded state of a session (z and the Δ maps it gives) and exact windowed updates of it.

Invariant: Δ = ψ(X_Q, z) up to float rounding, and the image is always rendered from Δ, so an image is a
deterministic function of the stored tensors (which is what makes saved sessions reopen bit-exactly).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import torch

from ..decoder.code_tensors import CodeTensors
from ..decoder.model import JpegDecoder
from ..decoder.output import DecoderOutput
from ..decoder.render import coefficients_to_plane, render_code
from .block_window import BlockWindow, crop_code


@dataclass
class DecodedState:
    """z: (1, 64, by, bx) control; delta_y: (1, 64, by, bx); delta_c: (1, 128, cby, cbx) or None (grey)."""

    z: torch.Tensor
    delta_y: torch.Tensor
    delta_c: torch.Tensor | None

    def output(self, code: CodeTensors) -> DecoderOutput:
        """What the decoder's forward gives for this state (N = 1): the Δ maps and the image they render to."""
        return DecoderOutput(self.delta_y, self.delta_c, render_code(code, self.delta_y, self.delta_c))

    def clone(self) -> DecodedState:
        return DecodedState(
            self.z.clone(), self.delta_y.clone(), None if self.delta_c is None else self.delta_c.clone()
        )


@dataclass(frozen=True)
class Patch:
    """The content of a window of the state: z and Δ_Y over window.blocks, Δ_CbCr over window.chroma_blocks."""

    window: BlockWindow
    z: torch.Tensor
    delta_y: torch.Tensor
    delta_c: torch.Tensor | None

    def tensors(self) -> dict[str, torch.Tensor]:
        found = {"z": self.z, "delta_y": self.delta_y, "delta_c": self.delta_c}
        return {k: v for k, v in found.items() if v is not None}

    def consistent(self) -> bool:
        """Whether every Δ lies in [−½, ½], i.e. every coefficient of the window re-quantizes to the file's."""
        return all(bool((d.abs() <= 0.5).all()) for d in (self.delta_y, self.delta_c) if d is not None)


def read_patch(state: DecodedState, window: BlockWindow) -> Patch:
    """A copy of the state's content in ``window``."""
    rows, cols = window.blocks
    delta_c = None
    if state.delta_c is not None:
        c_rows, c_cols = window.chroma_blocks
        delta_c = state.delta_c[:, :, c_rows, c_cols].clone()
    return Patch(window, state.z[:, :, rows, cols].clone(), state.delta_y[:, :, rows, cols].clone(), delta_c)


def write_patch(state: DecodedState, patch: Patch) -> None:
    """Overwrite the state's content in the patch's window."""
    rows, cols = patch.window.blocks
    state.z[:, :, rows, cols] = patch.z
    state.delta_y[:, :, rows, cols] = patch.delta_y
    if state.delta_c is not None and patch.delta_c is not None:  # both or neither: a patch has the file's colour
        c_rows, c_cols = patch.window.chroma_blocks
        state.delta_c[:, :, c_rows, c_cols] = patch.delta_c


def state_digest(state: DecodedState) -> str:
    """SHA-256 of the Δ maps' float32 bytes: equal digests mean bit-identical decodes."""
    digest = hashlib.sha256()
    for delta in (state.delta_y, state.delta_c):
        if delta is not None:
            digest.update(delta.detach().to("cpu", torch.float32).contiguous().numpy().data)
    return digest.hexdigest()


def initial_state(decoder: JpegDecoder, code: CodeTensors, z: torch.Tensor) -> DecodedState:
    """Decode the whole image for ``z`` (1, 64, by, bx), without gradients."""
    with torch.no_grad():
        out = decoder(code, z)
    return DecodedState(z.clone(), out.delta_y, out.delta_c)


def exact_patch(
    decoder: JpegDecoder, state: DecodedState, code: CodeTensors, z: torch.Tensor, changed: BlockWindow
) -> Patch:
    """The state's new content after its z became ``z`` (1, 64, by, bx), which differs only in ``changed``.

    Exact up to float rounding, and cheaper than decoding the whole image: the luma net runs where z can
    reach a luma Δ (its receptive radius R_l around ``changed``) plus R_l of context; the chroma net runs
    where z or a changed luma Δ can reach a chroma Δ plus its own context, reading the unchanged luma
    everywhere else from ``state``.
    """
    luma_reach = decoder.luma.receptive_radius
    chroma_reach = max(code.chroma_factor) * (decoder.chroma.receptive_radius + 1)
    luma_changed = changed.grown(luma_reach)
    computed = luma_changed.grown(luma_reach)
    rows, cols = computed.blocks
    delta_y = state.delta_y.clone()
    with torch.no_grad():
        fresh = decoder.predict_luma(crop_code(code, computed), z[:, :, rows, cols])
        in_rows, in_cols = computed.relative(luma_changed)
        out_rows, out_cols = luma_changed.blocks
        delta_y[:, :, out_rows, out_cols] = fresh[:, :, in_rows, in_cols]
        if state.delta_c is None:
            return _patch(luma_changed, z, delta_y, None)
        chroma_changed = luma_changed.grown(chroma_reach)
        computed = chroma_changed.grown(chroma_reach)
        rows, cols = computed.blocks
        crop = crop_code(code, computed)
        y_plane = coefficients_to_plane(crop.y_q + delta_y[:, :, rows, cols], crop.y_table)
        fresh = decoder.predict_chroma(crop, z[:, :, rows, cols], y_plane)
        c_rows, c_cols = computed.relative_chroma(chroma_changed)
    return _patch(chroma_changed, z, delta_y, fresh[:, :, c_rows, c_cols])


def _patch(window: BlockWindow, z: torch.Tensor, delta_y: torch.Tensor, delta_c: torch.Tensor | None) -> Patch:
    rows, cols = window.blocks
    return Patch(window, z[:, :, rows, cols].clone(), delta_y[:, :, rows, cols].clone(), delta_c)
