"""History records (the JSON-like dicts the engine writes for each edit) read for the user: no Qt."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


def outcome_texts(record: Mapping[str, object]) -> list[str]:
    """What an edit reached, one text per outcome (none in older records)."""
    outcomes = record.get("outcomes", [])
    return (
        [str(outcome["text"]) for outcome in outcomes if isinstance(outcome, dict)]
        if isinstance(outcomes, list)
        else []
    )


def tool_words(record: Mapping[str, object]) -> str:
    """A record's own summary, or (older records) its tool's name in words."""
    if record.get("summary"):
        return str(record["summary"])
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", str(record.get("tool", "edit"))).lower()
    return words[:1].upper() + words[1:]


def moved_words(records: Sequence[Mapping[str, object]], undone: bool) -> str:
    """What an undo or redo of the edits with these history records did, e.g. "Undone: Brightness +25"."""
    verb = "Undone" if undone else "Redone"
    edits = "; ".join(tool_words(record) for record in records)
    return f"{verb}: {edits}" if len(records) == 1 else f"{verb} {len(records)} edits: {edits}"
