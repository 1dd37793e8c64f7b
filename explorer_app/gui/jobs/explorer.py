"""The window's bridge to the engine's Session: edits run as background jobs with live previews; results
are committed, or offered as candidates; undo/redo. Every job returns only the part of the image that
changed, ready to paste, so nothing the size of the photo is done on the GUI thread."""

from __future__ import annotations

from typing import Protocol

from PyQt6.QtCore import QObject, pyqtSignal

from ...engine.optimize import Budget, EditResult
from ...engine.regions import Region
from ...engine.session import Session
from ...engine.tools import Tool
from ..model.candidates import Candidate, CandidateSet, Changed, Ranked
from ..model.records import moved_words
from ..settings import Settings
from .edits import edit_job, history_job, keep_job
from .runner import Jobs


class EditClient(Protocol):
    """What the explorer needs of the panel whose tool it runs (a tool panel): its title, whether it
    ranks several candidates (and how, in the worker thread), where it acts, and where its answers go."""

    title: str
    several_candidates: bool

    def region(self) -> Region | None: ...

    def say(self, text: str) -> None:
        """Show ``text`` in the panel: why its tool cannot run here."""

    def rank(self, session: Session, result: EditResult, region: Region) -> tuple[list[Ranked], str]: ...

    def show_candidates(self, found: CandidateSet) -> None: ...

    def committed(self, record: dict[str, object]) -> None: ...

    def keep_notes(self, candidate: Candidate) -> dict[str, object]: ...


class Explorer(QObject):
    """Holds the Session of the open file and runs its jobs. Signals: ``imageChanged(Changed)`` when part
    of the current image changed, ``previewed(Shown)`` for a live preview or a candidate shown over it,
    ``previewCleared()``, ``committed(record)`` after a commit, ``changed()`` when the history changed,
    ``candidatesFound(panel, CandidateSet)`` when a panel's candidates are shown, ``moved(words)`` after an
    undo or redo, saying what it undid or redid."""

    imageChanged = pyqtSignal(object)
    previewed = pyqtSignal(object)
    previewCleared = pyqtSignal()
    committed = pyqtSignal(object, object)
    changed = pyqtSignal()
    candidatesFound = pyqtSignal(object, object)
    moved = pyqtSignal(str)

    def __init__(self, jobs: Jobs, settings: Settings) -> None:
        super().__init__()
        self.jobs = jobs
        self.settings = settings
        self.session: Session | None = None
        self.generation = 0
        """Counts the changes of the session (commits, undos, redos) since it was opened."""
        self.saved_generation = 0

    @property
    def dirty(self) -> bool:
        """Edits (or undos) since the session was opened or last saved."""
        return self.generation != self.saved_generation

    def start(self, session: Session, dirty: bool = False) -> None:
        self.session = session
        self.generation, self.saved_generation = int(dirty), 0
        self.changed.emit()

    def _show_change(self, change: Changed) -> None:
        self.generation += 1
        self.imageChanged.emit(change)
        self.changed.emit()

    # -- undo ------------------------------------------------------------------------------------------
    def undo(self) -> None:
        if self.session is not None:
            self.go_to(self.session.history.position - 1)

    def redo(self) -> None:
        if self.session is not None:
            self.go_to(self.session.history.position + 1)

    def go_to(self, position: int) -> None:
        """Undo or redo in the background until ``position`` edits are done (Ctrl+Z, Ctrl+Shift+Z, the
        history panel's click); nothing happens while another job runs or when there is nothing to move."""
        if self.session is None or self.jobs.busy:
            return
        history = self.session.history
        if not 0 <= position <= len(history.entries) or position == history.position:
            return
        undone = position < history.position
        records = [
            entry.record for entry in history.entries[min(position, history.position) : max(position, history.position)]
        ]
        words = moved_words(records[::-1] if undone else records, undone)
        self.jobs.start(
            "Undo" if undone else "Redo",
            history_job,
            self.session,
            position,
            on_result=lambda change: self._moved(change, words),
        )

    def _moved(self, change: Changed, words: str) -> None:
        self._show_change(change)
        self.moved.emit(words)

    # -- edits -----------------------------------------------------------------------------------------
    def budget(self) -> Budget:
        return Budget(steps=self.settings.edit_steps, hold_weight=self.settings.edit_hold)

    def apply(self, tool: Tool, panel: EditClient) -> None:
        """Optimize ``tool`` on the panel's region in the background. Panels with a ranking get their
        candidates back (``panel.show_candidates``); other edits are committed (one undo step)."""
        if self.session is None or self.jobs.busy:
            return
        region = panel.region()
        if region is None:
            panel.say("Select a region first (Region panel, or R, P, L, B).")
            return
        rank = panel.rank if panel.several_candidates else None
        self.jobs.start(
            f"{panel.title}: optimizing",
            edit_job,
            self.session,
            tool,
            region,
            self.budget(),
            rank,
            on_preview=self.previewed.emit,
            on_result=lambda found: self._finished(found, panel),
            on_error=lambda error: self._refused(error, panel),
        )

    def _refused(self, error: BaseException, panel: EditClient) -> None:
        """A tool that cannot run on this region (a ValueError from the engine) says why in its panel."""
        self.previewCleared.emit()
        if isinstance(error, ValueError):
            panel.say(str(error))
        else:
            self.jobs.failed.emit(f"{panel.title} failed: {error}")

    def _finished(self, found: Changed | CandidateSet | None, panel: EditClient) -> None:
        self.previewCleared.emit()
        if isinstance(found, CandidateSet):
            panel.show_candidates(found)
            self.candidatesFound.emit(panel, found)
        elif found is not None:
            self._show_change(found)
            panel.committed(found.record or {})
            self.committed.emit(found.record, panel)

    def show_candidate(self, candidate: Candidate) -> None:
        """Show a candidate in place without committing it (prepared in the worker: instant)."""
        self.previewed.emit(candidate.shown)

    def keep(self, candidate: Candidate, panel: EditClient) -> None:
        """Commit the candidate in the background, its label and score in the history."""
        if self.session is None or self.jobs.busy:
            return
        self.jobs.start(
            f"Keeping {candidate.label}",
            keep_job,
            self.session,
            candidate,
            panel.keep_notes(candidate),
            on_result=lambda change: self._kept(change, panel),
        )

    def _kept(self, change: Changed, panel: EditClient) -> None:
        self.previewCleared.emit()
        self._show_change(change)
        self.committed.emit(change.record, panel)

    def discard(self) -> None:
        """Drop the shown candidate: the current image as it was (nothing changed, nothing to save)."""
        self.previewCleared.emit()
