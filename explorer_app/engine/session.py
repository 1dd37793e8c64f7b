"""A Session: one JPEG file, one decoder, the current z and what it decodes to, and undo/redo.

Headless and Qt-free. Long work (``edit``) is a generator the caller drives, from any thread.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from ..codec.jpeg_code import JpegCode, read_jpeg
from ..decoder.code_tensors import CodeTensors
from ..decoder.model import JpegDecoder, zero_control
from ..decoder.output import DecoderOutput
from ..decoder.render import render_code
from ..export.exporter import export_verified
from ..verify.encoders import Encoder
from ..verify.proofs import Optima
from ..verify.report import VerificationReport
from .block_window import BlockWindow, crop_code
from .history import History, HistoryEntry
from .optimize import DEFAULT_BUDGET, Budget, Edit, EditResult, run_to_end
from .progress import CancelCheck, ProgressCallback, watched
from .regions import Region, rectangle
from .state import DecodedState, Patch, decoded_state, exact_patch, read_patch, state_digest, write_patch
from .stepper import EAGER_STEPS
from .tools.base import Tool
from .tools.edits import Brightness


class Session:
    """The exploration of one file.

    code: the JpegCode; tensors: it as CodeTensors (N = 1) on ``device``; decoder: ψ, in eval mode with
    its weights frozen (gradients flow to z only); state: z (1, 64, by, bx) and its Δ maps; image:
    (1, C, H, W) the current decode in [0, 255]; history: bounded undo/redo of committed edits;
    touched: bool (by, bx), the luma blocks whose state any committed edit, undo or redo has written
    since the z = 0 decode (everywhere else the state is that decode: what a saved session leaves out);
    base_sha256: digest of that z = 0 decode's Δ maps (None when the session started from a given
    state), so that a reopened session can tell whether this machine decodes the file bit for bit alike;
    base_matches: False only for a session reopened from a file saved where that decode differed;
    optima: the linear-programme optima its exports found (they depend on the file alone), so that a later
    export, such as the next of a digits set, does not solve them again.
    """

    def __init__(
        self,
        code: JpegCode,
        decoder: JpegDecoder,
        device: torch.device | str = "cpu",
        history_limit: int = 50,
        state: DecodedState | None = None,
    ) -> None:
        self.code = code
        self.device = torch.device(device)
        self.decoder = decoder.to(self.device).eval().requires_grad_(False)
        self.tensors = CodeTensors.from_code(code).to(self.device)
        self.base_sha256 = None
        if state is None:
            state, image = decoded_state(self.decoder, self.tensors, zero_control(self.tensors))
            self.base_sha256 = state_digest(state)
        else:
            image = state.output(self.tensors).image
        self.state = state
        self.history = History(history_limit)
        self.image = image
        self.touched = np.zeros(self.tensors.y_q.shape[2:], bool)
        self.base_matches = True
        self.optima = Optima()
        self.began_at_base = self.base_sha256 is not None
        """Whether the history's first entry was committed on the z = 0 decode (not on a given state)."""

    @classmethod
    def open(cls, path: str | os.PathLike, decoder: JpegDecoder, device: torch.device | str = "cpu") -> Session:
        """Read ``path`` (raises JpegError for bad files) and decode it with z = 0."""
        return cls(read_jpeg(path), decoder, device)

    @classmethod
    def decoded(
        cls,
        code: JpegCode,
        decoder: JpegDecoder,
        device: torch.device | str = "cpu",
        progress: ProgressCallback | None = None,
        cancelled: CancelCheck | None = None,
    ) -> Session:
        """``Session(code, decoder, device)`` that reports the decode's progress (convolutions done, of
        one forward pass) and stops with :class:`~explorer_app.engine.progress.Cancelled` as soon as
        ``cancelled()`` turns true (a 12-MP decode takes seconds on a CPU)."""
        with watched(decoder, progress, cancelled):
            return cls(code, decoder, device)

    @property
    def replayable(self) -> bool:
        """Whether the state is the z = 0 decode with the history's ``after`` windows written over it in
        order and its undone entries undone: then that is all a session file needs to store."""
        return self.began_at_base and self.base_sha256 is not None and self.history.forgotten == 0

    @property
    def shape(self) -> tuple[int, int]:
        """(H, W) in pixels: the shape region masks must have."""
        return self.code.height, self.code.width

    def model_facts(self) -> dict[str, str | None]:
        """Name and weights hash of the decoder, for reports and saved sessions."""
        return {"name": self.decoder.name, "sha256": self.decoder.sha256}

    def output(self) -> DecoderOutput:
        """The current decode: its Δ maps and image."""
        return self.state.output(self.tensors)

    def edit(self, tool: Tool, region: Region, budget: Budget = DEFAULT_BUDGET) -> Edit:
        """Prepare ``tool`` on ``region``; iterate ``.run()`` to optimize, then :meth:`commit` its result."""
        if region.shape != self.shape:
            raise ValueError(f"region of shape {region.shape} for an image of shape {self.shape}")
        return Edit(self.decoder, self.tensors, self.state.z, self.image, tool, region, budget, self.state.correction)

    def warm_up(self) -> None:
        """Run one small throw-away edit, so that the one-time start-up costs of the device (cuDNN, kernel
        loading, the first graph capture: seconds on a GPU) are paid now rather than by the user's first
        edit. Nothing is committed; the history and the image are untouched."""
        height, width = self.shape
        side = min(16, height, width)
        region = rectangle(self.shape, (width - side) // 2, (height - side) // 2, side, side)
        run_to_end(self.edit(Brightness(), region, Budget(steps=EAGER_STEPS + 2, patience=0)))

    def apply(self, tool: Tool, region: Region, budget: Budget = DEFAULT_BUDGET, choice: int = 0) -> EditResult:
        """Run ``tool`` on ``region`` to the end and commit candidate ``choice`` (with its outcomes)."""
        edit = self.edit(tool, region, budget)
        result = run_to_end(edit)
        self.finish(edit, choice)
        return result

    def candidate_patch(self, result: EditResult, index: int = 0) -> Patch:
        """The exact new content candidate ``index`` of ``result`` gives, without committing it."""
        z = self.state.z.clone()
        rows, cols = result.window.blocks
        z[:, :, rows, cols] = torch.where(result.movable, result.z[index : index + 1], z[:, :, rows, cols])
        correction = None
        if result.correction is not None:
            correction = self.state.correction.clone()
            correction.y[:, :, rows, cols] = result.correction.y[index : index + 1]
            if correction.c is not None and result.correction.c is not None:
                c_rows, c_cols = result.window.chroma_blocks
                correction.c[:, :, c_rows, c_cols] = result.correction.c[index : index + 1]
        return exact_patch(self.decoder, self.state, self.tensors, z, result.editable, correction)

    def patched_window(self, patch: Patch) -> tuple[torch.Tensor, tuple[int, int]]:
        """Every pixel ``patch`` can change, rendered alone: ((1, C, h, w) image, (y, x) of its top-left
        pixel), with the state around it as context: the patch's window and one MCU around it, which
        chroma upsampling reaches. For showing a candidate quickly on a large image; the same pixels as
        the whole render (exports use :meth:`patched_output`)."""
        return self._render(patch.window.grown(1), patch)

    def _render(self, shown: BlockWindow, patch: Patch | None = None) -> tuple[torch.Tensor, tuple[int, int]]:
        """The pixels of window ``shown`` rendered from the state (with ``patch`` written over it), on one
        MCU of context, since chroma upsampling reads the neighbouring chroma sample."""
        context = shown.grown(1)
        rows, cols = context.blocks
        c_rows, c_cols = context.chroma_blocks
        delta_y = self.state.delta_y[:, :, rows, cols].clone()
        delta_c = None if self.state.delta_c is None else self.state.delta_c[:, :, c_rows, c_cols].clone()
        if patch is not None:
            delta_y[(slice(None), slice(None), *context.relative(patch.window))] = patch.delta_y
            if delta_c is not None and patch.delta_c is not None:  # both or neither, as in the state
                delta_c[(slice(None), slice(None), *context.relative_chroma(patch.window))] = patch.delta_c
        image = render_code(crop_code(self.tensors, context), delta_y, delta_c)
        top, left = context.pixel_origin
        rows, cols = shown.pixels(*self.shape)
        return image[:, :, rows.start - top : rows.stop - top, cols.start - left : cols.stop - left], (
            rows.start,
            cols.start,
        )

    def patched_output(self, patch: Patch) -> DecoderOutput:
        """The whole decode with ``patch`` in place, without committing it."""
        state = self.state.clone()
        write_patch(state, patch)
        return state.output(self.tensors)

    def commit(
        self, result: EditResult, index: int = 0, patch: Patch | None = None, notes: dict[str, object] | None = None
    ) -> HistoryEntry:
        """Make candidate ``index`` of ``result`` the current state and record it for undo (``patch``:
        its :meth:`candidate_patch`, when already computed; ``notes``: JSON-able facts added to the
        history record, e.g. the kept hypothesis's label and score, or what the edit reached)."""
        after = patch or self.candidate_patch(result, index)
        record = {**result.record, "candidate": index, **(notes or {})}
        entry = HistoryEntry(record, read_patch(self.state, after.window), after)
        self._write(after)
        self.history.push(entry)
        return entry

    def finish(self, edit: Edit, index: int = 0, notes: dict[str, object] | None = None) -> HistoryEntry:
        """Commit candidate ``index`` of a finished ``edit`` (see :meth:`commit`) and add to its record
        what the committed image reached: ``outcomes``, each a figure and a sentence (what was asked,
        what the file allowed, what was reached; see :class:`~explorer_app.engine.outcome.Outcome`)."""
        if edit.result is None:
            raise ValueError("the edit has not run a step yet: nothing to commit")
        entry = self.commit(edit.result, index, notes=notes)
        rows, cols = edit.window.pixels(*self.shape)
        with torch.no_grad():
            outcomes = edit.tool.outcomes(edit.view, edit.before, self.image[:, :, rows, cols])
        entry.record["outcomes"] = [outcome.as_dict() for outcome in outcomes]
        return entry

    def undo(self) -> bool:
        """Revert the last committed edit; False when there is none."""
        entry = self.history.undo()
        if entry is not None:
            self._write(entry.before)
        return entry is not None

    def redo(self) -> bool:
        """Re-apply the last undone edit; False when there is none."""
        entry = self.history.redo()
        if entry is not None:
            self._write(entry.after)
        return entry is not None

    def _write(self, patch: Patch) -> None:
        """Write ``patch`` into the state and re-render only the pixels it can change (a 12-MP photo is
        not re-rendered for a 256-px edit, its undo or its redo)."""
        write_patch(self.state, patch)
        self.touched[patch.window.blocks] = True
        pixels, (y, x) = self._render(patch.window.grown(1))
        self.image[:, :, y : y + pixels.shape[2], x : x + pixels.shape[3]] = pixels

    def changed_pixels(self, entry: HistoryEntry) -> tuple[slice, slice]:
        """(rows, columns) of the image that committing, undoing or redoing ``entry`` can change."""
        return entry.after.window.grown(1).pixels(*self.shape)

    def export(
        self,
        path: str | os.PathLike,
        bit_depth: int | None = 16,
        patch: Patch | None = None,
        record: dict[str, object] | None = None,
        progress: ProgressCallback | None = None,
        cancelled: CancelCheck | None = None,
        writer: Encoder | None = None,
    ) -> VerificationReport:
        """Verified PNG export of the current decode, or of it with an uncommitted ``patch`` (described by
        ``record`` in the reported history); ``progress`` and ``cancelled`` as ``export_verified`` takes them;
        ``writer``: the encoder that wrote the file, when the caller knows it (the file cannot say): the export
        is repaired for it where it can be (``export_verified``), and the report says which encoder it was."""
        output = self.output() if patch is None else self.patched_output(patch)
        history = self.history.records() + ([record] if record else [])
        return export_verified(
            output,
            self.code,
            Path(path),
            bit_depth,
            self.model_facts(),
            history,
            progress=progress,
            cancelled=cancelled,
            optima=self.optima,
            writer=writer,
        )
