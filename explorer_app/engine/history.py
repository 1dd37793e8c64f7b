"""Bounded undo/redo history of a session: each entry holds the window content before and after an edit."""

from __future__ import annotations

from dataclasses import dataclass, field

from .state import Patch


@dataclass(frozen=True)
class HistoryEntry:
    """One committed edit: what it was (JSON-able ``record``) and the state's content before/after it."""

    record: dict[str, object]
    before: Patch
    after: Patch


@dataclass
class History:
    """Entries [0, position) are done (undoable), [position, len) are undone (redoable).

    At most ``limit`` done entries are kept; the oldest are forgotten first. Entries were committed in
    order, each with all the earlier ones done, so entry i's ``before`` is what entries 0 … i−1 left.
    """

    limit: int = 50
    entries: list[HistoryEntry] = field(default_factory=list)
    position: int = 0
    forgotten: int = 0
    """Done entries dropped over the limit: their changes are in the state but no longer in the history."""

    def push(self, entry: HistoryEntry) -> None:
        """Record a new edit; anything undone is dropped (it can no longer be redone)."""
        del self.entries[self.position :]
        self.entries.append(entry)
        overflow = max(0, len(self.entries) - self.limit)
        del self.entries[:overflow]
        self.forgotten += overflow
        self.position = len(self.entries)

    def undo(self) -> HistoryEntry | None:
        """The entry to revert (its ``before`` patch), or None when nothing is done."""
        if self.position == 0:
            return None
        self.position -= 1
        return self.entries[self.position]

    def redo(self) -> HistoryEntry | None:
        """The entry to re-apply (its ``after`` patch), or None when nothing is undone."""
        if self.position == len(self.entries):
            return None
        self.position += 1
        return self.entries[self.position - 1]

    def records(self) -> list[dict[str, object]]:
        """The done edits, oldest first: the tool history an export reports."""
        return [entry.record for entry in self.entries[: self.position]]
