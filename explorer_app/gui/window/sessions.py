"""The window's session commands: save (in the background), reopen (finding the session's JPEG), restore
into the open file, the crash autosave and its offer at the next start."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ...engine.session import Session
from ...engine.session_file import SessionFacts, SessionFileError, read_facts
from ..jobs.explorer import Explorer
from ..jobs.opening import OpenedFile
from ..jobs.restoring import Restored, restore_job
from ..jobs.runner import Jobs
from ..jobs.saving import SessionWriter, autosave_path, pending_autosaves, with_suffix
from ..panels.status import StatusPanel
from ..settings import Settings

SESSION_FILTER = "JPEG Explorer sessions (*.jxs);;All files (*)"
JPEG_FILTER = "JPEG images (*.jpg *.jpeg *.jpe *.jfif *.JPG *.JPEG);;All files (*)"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class OpenFiles(Protocol):
    """What the session commands need of the window: the open file, whether it is closing, opening a
    JPEG (with a session restored into it), and showing a session restored into the open file."""

    @property
    def opened(self) -> OpenedFile | None: ...

    @property
    def closing(self) -> bool: ...

    def open_path(self, path: Path, session_file: Path | None = None) -> bool: ...

    def show_restored(self, restored: Restored) -> None: ...


class SessionCommands:
    """Saving, reopening and autosaving the window's session. ``parent`` owns the dialogs and the
    autosave timer; ``files`` is the window's side (:class:`OpenFiles`)."""

    def __init__(
        self,
        parent: QWidget,
        files: OpenFiles,
        explorer: Explorer,
        jobs: Jobs,
        writer: SessionWriter,
        settings: Settings,
        status: StatusPanel,
    ) -> None:
        self.parent = parent
        self.files = files
        self.explorer = explorer
        self.jobs = jobs
        self.writer = writer
        self.settings = settings
        self.status = status
        self.autosave_timer = QTimer(parent)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.timeout.connect(self.autosave_now)

    def ask_save_session(self) -> None:
        opened = self.files.opened
        if opened is None:
            return
        suggestion = opened.path.with_suffix(".jxs")
        name, _ = QFileDialog.getSaveFileName(self.parent, "Save session", str(suggestion), SESSION_FILTER)
        if name:
            self.save_session(Path(name))

    def save_session(self, path: Path) -> None:
        """Save in the background (the snapshot is taken now); a name without .jxs gets it."""
        session = self.explorer.session
        if session is None or self.jobs.busy:
            return
        path = with_suffix(path)
        generation = self.explorer.generation
        self.explorer.saved_generation = generation
        self.status.say(f"Saving the session to {path}…")
        self.writer.write(session, path, on_written=self._saved, on_failed=self._not_saved)

    def _saved(self, path: Path, size: int) -> None:
        self.status.say(f"Session saved to {path} ({size / 2**20:.1f} MB)", True)

    def _not_saved(self, path: Path, message: str) -> None:
        """This save failed: the session counts as unsaved again (the writer's ``failed`` says why)."""
        self.explorer.saved_generation = -1

    def ask_open_session(self) -> None:
        opened = self.files.opened
        folder = str(opened.path.parent) if opened else self.settings.last_open_folder
        name, _ = QFileDialog.getOpenFileName(self.parent, "Open session", folder, SESSION_FILTER)
        if name:
            self.open_session(Path(name))

    def open_session(self, path: Path) -> bool:
        """Reopen a saved session: its JPEG is opened by the path it recorded (verified by SHA-256; when
        it moved, the user is asked where it is now). Returns whether it started."""
        if self.jobs.busy:
            self.status.say("Busy: wait for the running computation or cancel it (Esc) first.")
            return False
        try:
            facts = read_facts(path)
        except SessionFileError as error:
            QMessageBox.warning(self.parent, "Cannot open this session", str(error))
            return False
        if self.explorer.dirty and not self.confirm_leaving():
            return False
        opened = self.files.opened
        if opened is not None and opened.code.sha256 == facts.source_sha256 and self._untouched():
            return self.restore_into_open(path)
        jpeg = self.locate_jpeg(facts)
        return jpeg is not None and self.files.open_path(jpeg, session_file=path)

    def _untouched(self) -> bool:
        session = self.explorer.session
        return session is not None and not session.history.entries and not session.touched.any()

    def locate_jpeg(self, facts: SessionFacts) -> Path | None:
        """The session's JPEG: where it was, if its SHA-256 still matches; else where the user says it
        moved (checked the same way)."""
        recorded = Path(facts.source_path)
        if recorded.is_file() and file_sha256(recorded) == facts.source_sha256:
            return recorded
        QMessageBox.information(
            self.parent,
            "Where is the JPEG?",
            f"The session belongs to {recorded.name}, which is no longer at {recorded}"
            + (" (a file there has other contents)" if recorded.exists() else "")
            + ". Show where it is now.",
        )
        name, _ = QFileDialog.getOpenFileName(
            self.parent, f"Where is {recorded.name}?", str(facts.path.parent), JPEG_FILTER
        )
        if not name:
            return None
        if file_sha256(Path(name)) != facts.source_sha256:
            QMessageBox.warning(
                self.parent,
                "Not the session's file",
                f"{name} is not the file this session was made on "
                f"(its SHA-256 differs from {facts.source_sha256[:16]}…).",
            )
            return None
        return Path(name)

    def restore_into_open(self, path: Path) -> bool:
        """Restore a session of the open file into its fresh, unedited session (no second decode)."""
        if self.explorer.session is None:
            return False
        self.jobs.start(
            f"Restoring {path.name}",
            restore_job,
            self.explorer.session,
            path,
            on_result=lambda restored: self._restored(restored, path),
            on_error=self._not_restored,
        )
        return True

    def _not_restored(self, error: BaseException) -> None:
        QMessageBox.warning(self.parent, "Cannot open this session", str(error))

    def _restored(self, restored: Restored, path: Path) -> None:
        session, opened = self.explorer.session, self.files.opened
        assert session is not None and opened is not None  # restore_into_open ran on it, no job ran meanwhile
        self.files.show_restored(restored)
        self.explorer.start(session, dirty=path.parent == self.settings.autosave_folder)
        self.say_restored(path, opened.path.name, session.base_matches)

    def autosave(self) -> None:
        """Save the session for crash recovery a little after the last change."""
        if self.explorer.session is not None and self.explorer.session.history.entries:
            self.autosave_timer.start(1000 * self.settings.autosave_seconds)

    def autosave_now(self) -> None:
        """Write the autosave in the background, or retry in a second while a job runs (it may be
        changing the session)."""
        session = self.explorer.session
        if self.jobs.busy:
            self.autosave_timer.start(1000)
        elif session is not None and self.explorer.dirty:
            self.write_autosave(session)

    def write_autosave(self, session: Session, closing: bool = False) -> None:
        """Write the autosave; ``closing``: the window closes during a job and keeps it on purpose (the
        next start says so, rather than speaking of a crash)."""
        self.settings.autosave_folder.mkdir(parents=True, exist_ok=True)
        path = autosave_path(self.settings.autosave_folder, session.code.sha256)
        if closing:
            self.settings.kept_autosave = str(path)
        elif self.settings.kept_autosave == str(path):
            self.settings.kept_autosave = ""
        self.writer.write(session, path)

    def discard_autosave(self) -> None:
        self.autosave_timer.stop()
        opened = self.files.opened
        if opened is not None:
            autosave_path(self.settings.autosave_folder, opened.code.sha256).unlink(missing_ok=True)

    def confirm_leaving(self) -> bool:
        """Offer to save unsaved edits; False when the user cancels (or cancels the save dialog)."""
        buttons = (
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        )
        answer = QMessageBox.question(self.parent, "Unsaved exploration", "Save the session before closing?", buttons)
        if answer == QMessageBox.StandardButton.Save:
            self.ask_save_session()
            return not self.explorer.dirty
        return answer != QMessageBox.StandardButton.Cancel

    def why_kept(self, saved: Path, photo: str) -> str:
        """The autosave offer in words of what happened: a close during a job, or an end without closing."""
        if self.settings.kept_autosave == str(saved):
            return (
                f"You closed JPEG Explorer while a computation was running; your unsaved exploration of {photo} "
                "was kept. Reopen it?"
            )
        return (
            f"JPEG Explorer ended without closing (it crashed or was stopped) while exploring {photo}; its "
            "autosaved exploration was kept. Reopen it?"
        )

    def offer_autosaves(self) -> None:
        """At start-up: offer back the newest session a crash (or a close during a job) left behind."""
        found = pending_autosaves(self.settings.autosave_folder)
        if (
            found
            and Path(found[0][1]).exists()
            and QMessageBox.question(
                self.parent, "Restore autosaved session?", self.why_kept(found[0][0], Path(found[0][1]).name)
            )
            == QMessageBox.StandardButton.Yes
        ):
            self.files.open_path(Path(found[0][1]), session_file=found[0][0])

    def offer_autosave(self, opened: OpenedFile) -> None:
        """A file just opened: offer back its autosave, if one was left behind."""
        saved = autosave_path(self.settings.autosave_folder, opened.code.sha256)
        if (
            not self.files.closing
            and saved.exists()
            and QMessageBox.question(self.parent, "Restore autosaved session?", self.why_kept(saved, opened.path.name))
            == QMessageBox.StandardButton.Yes
        ):
            self.restore_into_open(saved)

    def say_restored(self, path: Path, photo: str, base_matches: bool) -> None:
        """Say that session file ``path`` of the photo named ``photo`` is back: an autosave by the photo's
        name (its own name is the photo's SHA-256), a saved session by its file's name."""
        note = (
            ""
            if base_matches
            else (
                " (this machine decodes the file's unedited areas slightly differently "
                "from the one that saved it: the edited blocks are exact)"
            )
        )
        what = (
            f"Autosaved exploration of {photo} restored"
            if path.parent == self.settings.autosave_folder
            else f"Session {path.name} reopened"
        )
        self.status.say(what + note, base_matches or None)
