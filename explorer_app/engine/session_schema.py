"""The declared shape of a session file's ``session.json``: every field's type and range, checked by pydantic
in strict mode (JSON's true and false are not numbers, numbers are not text) with the path of the first
field that is wrong. What depends on the JPEG the session is opened on (its SHA-256, the block grids, the
arrays' shapes) is checked by :mod:`.session_file`, which reads the file."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

MAX_HISTORY_LIMIT = 1_000_000
"""Largest history limit accepted (the application uses 50)."""

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Dimension = Annotated[int, Field(ge=0, lt=2**31)]


class _Facts(BaseModel):
    """Strict types; fields this version does not know are ignored (a later writer may add some)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class ModelFacts(_Facts):
    """The decoder a session was made with: its name and the SHA-256 of its weights (None when it was not
    loaded from files)."""

    name: str
    sha256: str | None


class ArrayFacts(_Facts):
    """One stored array: numpy's dtype string, its shape (at most 4 dimensions) and whether it is stored as
    its XOR with the entry's before."""

    dtype: str
    shape: Annotated[list[Dimension], Field(max_length=4)]
    xor_with_before: bool


class WindowFacts(_Facts):
    """The block window of a history entry: [y0, y1, x0, x1] in luma blocks, the grid and the MCU factor it
    was cut from (both must be the JPEG's)."""

    blocks: Annotated[list[int], Field(min_length=4, max_length=4)]
    grid: list[int]
    factor: list[int]


class OutcomeFacts(_Facts):
    text: str
    """The sentence the history panel, the status bar and export reports show."""


class RegionFacts(_Facts):
    bounds_xywh: list[Any] = []


class RecordFacts(_Facts):
    """What the GUI and export reports read of an edit's record (the rest is free-form)."""

    outcomes: list[OutcomeFacts] = []
    region: RegionFacts = RegionFacts()


class EntryFacts(_Facts):
    record: RecordFacts
    window: WindowFacts


class SessionHeader(_Facts):
    """What finding a session's JPEG needs: the format, the JPEG's path and SHA-256, the model, the history's
    length and position."""

    format: str
    source_sha256: Sha256
    source_path: str
    model: ModelFacts
    history: list[Any]
    position: Annotated[int, Field(ge=0)]

    @field_validator("source_path")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\0" in value:
            raise ValueError("the JPEG's path holds a NUL character")
        return value

    @model_validator(mode="after")
    def _position_in_history(self) -> SessionHeader:
        if self.position > len(self.history):
            raise ValueError(f"the history position {self.position} is outside 0…{len(self.history)}")
        return self


class SessionJson(SessionHeader):
    """The whole ``session.json``: the header, each history entry's record and window, the history limit,
    how the state is stored (``replay``: from the history over the z = 0 decode, whose digest is
    ``base_sha256``) and the arrays' descriptions."""

    history: list[EntryFacts]
    history_limit: Annotated[int, Field(ge=1, le=MAX_HISTORY_LIMIT)]
    replay: bool
    base_sha256: Sha256 | None = None
    arrays: dict[str, ArrayFacts]

    @model_validator(mode="after")
    def _consistent(self) -> SessionJson:
        if len(self.history) > self.history_limit:
            raise ValueError(f"the history limit {self.history_limit} is below its {len(self.history)} entries")
        if self.replay and self.base_sha256 is None:
            raise ValueError("a replayed session needs the digest of the unedited decode")
        return self


def first_problem(error: ValidationError) -> str:
    """The first thing wrong, on one line: where (``history.1.window.blocks``) and what."""
    problem = error.errors()[0]
    where = ".".join(_printable(str(part)) for part in problem["loc"])
    what = str(problem["msg"]).removeprefix("Value error, ").replace("\n", " ")
    return f"{where}: {what}" if where else what


def _printable(part: str) -> str:
    """A part of the location as written in the file, on one line: a key holding a newline or another control
    character is shown with it escaped (``a\\nb``)."""
    return part if part.isprintable() else part.encode("unicode_escape").decode("ascii")
