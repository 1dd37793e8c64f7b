"""Every persisted preference of the application, in one place (QSettings underneath).

Each preference is a typed descriptor on :class:`Settings`; the GUI reads and writes attributes and never
spells a QSettings key anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Generic, TypeVar

from PyQt6.QtCore import QByteArray, QSettings, QStandardPaths

T = TypeVar("T")
RECENT_LIMIT = 10
WRITER_MEMORY = 200
"""Files whose writer, as named at their last export, is remembered."""
EXPORT_FOLDER_NAME = "JPEG Explorer exports"
"""Exports go to this folder in the user's Pictures folder until the user picks another one."""


class _Preference(Generic[T]):
    """A typed QSettings entry: ``settings.device`` reads it, ``settings.device = "cpu"`` writes it."""

    def __init__(self, default: T, kind: type) -> None:
        self.default = default
        self.kind = kind
        self.key = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    def __get__(self, settings: Settings, owner: type | None = None) -> T:
        value: Any = settings.store.value(self.key, self.default)
        if self.kind is list:
            items: Any = [] if value in (None, "") else list(value) if isinstance(value, (list, tuple)) else [value]
            return items
        if self.kind is bool and isinstance(value, str):
            return value.lower() == "true"  # type: ignore[return-value]
        return self.kind(value) if value is not None else self.default

    def __set__(self, settings: Settings, value: T) -> None:
        settings.store.setValue(self.key, value)


class Settings:
    """The application's preferences. ``Settings(path)`` uses an INI file (tests); ``Settings()`` the
    platform's usual place."""

    device = _Preference("auto", str)
    """auto (GPU when present), cpu or cuda."""
    model = _Preference("explorable", str)
    model_size = _Preference("auto", str)
    export_bit_depth = _Preference(0, int)
    """PNG depth of exports: 8, 16, or 0 to choose (docs/verification.md)."""
    export_writers = _Preference[list]([], list)
    """"SHA-256 KEY" per file whose writer the user named at an export, the latest first: see :meth:`writer_of`."""
    last_open_folder = _Preference("", str)
    last_export_folder = _Preference("", str)
    recent_files = _Preference[list]([], list)
    block_grid = _Preference(False, bool)
    window_geometry = _Preference(QByteArray(), QByteArray)
    window_state = _Preference(QByteArray(), QByteArray)
    edit_steps = _Preference(50, int)
    """Adam steps per tool application."""
    edit_hold = _Preference(1.0, float)
    """How strongly an edit keeps the pixels outside the region as they were (0: not at all)."""
    autosave_seconds = _Preference(20, int)
    """Seconds after an edit before the session is autosaved for crash recovery (0: at once)."""
    kept_autosave = _Preference("", str)
    """The autosave written because the window was closed during a job (kept on purpose, not by a crash);
    empty when none is."""

    @property
    def autosave_folder(self) -> Path:
        return Path(self.store.fileName()).parent / "autosave"

    def __init__(self, path: str | Path | None = None) -> None:
        self.store = (
            QSettings(str(path), QSettings.Format.IniFormat)
            if path is not None
            else QSettings("JPEG Explorer", "jpeg-explorer")
        )

    def export_folder(self, source: Path) -> Path:
        """The folder the export dialog proposes for an export of ``source``: the last folder exported to,
        unless that is the source's own folder (the evidence stays untouched by default); else
        ``~/Pictures/JPEG Explorer exports`` (the platform's Pictures location)."""
        last = self.last_export_folder
        if last and Path(last).resolve() != source.resolve().parent:
            return Path(last)
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        return Path(pictures or Path.home()) / EXPORT_FOLDER_NAME

    def add_recent(self, path: str | Path) -> None:
        """Put ``path`` first in the recent files, without duplicates, at most RECENT_LIMIT long."""
        path = str(Path(path).resolve())
        self.recent_files = [path, *[p for p in self.recent_files if p != path]][:RECENT_LIMIT]

    def writer_of(self, sha256: str) -> str:
        """The encoder key the user last named as the writer of the file with this digest ("": not known).
        Keyed by content, not path: another file at the same path is not taken for this one."""
        prefix = f"{sha256} "
        return next((entry.removeprefix(prefix) for entry in self.export_writers if entry.startswith(prefix)), "")

    def name_writer(self, sha256: str, key: str) -> None:
        """Remember ``key`` ("": not known, which forgets) as the writer of the file with this digest."""
        prefix = f"{sha256} "
        others = [entry for entry in self.export_writers if not entry.startswith(prefix)]
        self.export_writers = ([prefix + key] if key else []) + others[: WRITER_MEMORY - 1]

    def sync(self) -> None:
        self.store.sync()
