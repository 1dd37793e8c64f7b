"""Long work: real progress and a real cancel for opening and exporting, commands that wait for a job,
a cancelled edit that changes nothing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import torch
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMessageBox

from explorer_app.engine.optimize import Budget
from explorer_app.engine.state import DecodedState
from explorer_app.gui.window.main_window import MainWindow

from gui_driver import press_apply, select_rectangle, wait_idle, write_photo


def slow_convolutions(model, seconds: float, started: list[bool] | None = None, asked: threading.Event | None = None):
    """Make every convolution of the model take ``seconds`` longer (a large photo on a slow CPU); with
    ``started``, note for each convolution that starts whether ``asked`` was set by then."""

    def hook(*_: object) -> None:
        if started is not None and asked is not None:
            started.append(asked.is_set())
        time.sleep(seconds)

    return [m.register_forward_pre_hook(hook) for m in model.decoder.modules() if isinstance(m, torch.nn.Conv2d)]


def test_opening_shows_libjpeg_at_once_then_real_progress(qtbot, window: MainWindow, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str, tuple[int, int]]] = []
    window.jobs.progress.connect(lambda done, total, text: seen.append((done, total, text, window.canvas.image_size())))
    hooks = slow_convolutions(window.model, 0.05)
    try:
        window.open_path(write_photo(tmp_path / "wide.jpg", size=(320, 240)))
        wait_idle(qtbot, window)
    finally:
        for hook in hooks:
            hook.remove()
    decoding = [(done, total, shown) for done, total, text, shown in seen if text.endswith("network decode") and total]
    assert len(decoding) >= 4 and decoding[-1][0] == decoding[-1][1]  # one step per convolution, to the end
    assert all(shown == (320, 240) for _, _, shown in decoding)  # libjpeg's decode was on screen meanwhile
    assert window.opened is not None and window.status.consistency.text().startswith("✔")


def test_opening_can_be_cancelled_and_the_open_file_stays(
    qtbot,
    window: MainWindow,
    photo: Path,
    tmp_path: Path,
) -> None:
    window.open_path(photo)
    wait_idle(qtbot, window)
    before = window.opened
    started: list[bool] = []
    asked = threading.Event()
    hooks = slow_convolutions(window.model, 0.3, started, asked)
    try:
        window.open_path(write_photo(tmp_path / "other.jpg", size=(320, 240), seed=3))
        qtbot.waitUntil(lambda: window.status.progress.value() >= 1 and window.status.progress.maximum() > 1)
        convolutions = window.status.progress.maximum()  # the decode reports one step per convolution
        with qtbot.waitSignal(window.jobs.cancelled, timeout=30_000):
            qtbot.keyClick(window, Qt.Key.Key_Escape)
            asked.set()
        wait_idle(qtbot, window)
        assert started.count(True) <= 1, started  # stopped at the next convolution: none started after it
        assert len(started) < convolutions  # and the decode did not run on to its end
    finally:
        for hook in hooks:
            hook.remove()
    assert window.opened is before and window.canvas.image_size() == (72, 56)
    assert window.windowTitle().endswith("photo.jpg")
    assert window.status.message.text().startswith("Cancelled: Opening other.jpg stopped")


def test_export_reports_its_stages_and_can_be_cancelled(
    qtbot,
    explore: MainWindow,
    tmp_path: Path,
    monkeypatch,
) -> None:
    import explorer_app.export.exporter as exporter

    window = explore
    seen: list[str] = []
    window.jobs.progress.connect(lambda done, total, text: seen.append(f"{done}/{total} {text}"))
    window.export_to(tmp_path / "done.png", 16)
    wait_idle(qtbot, window)
    assert any(s.startswith("2/5 ") and "encoding and reading back" in s for s in seen)
    assert any(s.startswith("3/5 ") and "verifying" in s for s in seen) and seen[-1].startswith("5/5")
    window.export_result.close()

    verifying = exporter.verify_image
    clicked = threading.Event()  # verifying waits for the click: the cancel comes during that stage
    monkeypatch.setattr(exporter, "verify_image", lambda *args: (clicked.wait(30), verifying(*args))[1])
    seen.clear()
    window.export_to(tmp_path / "cancelled.png", 16)
    qtbot.waitUntil(lambda: any("verifying" in s for s in seen), timeout=30_000)
    qtbot.mouseClick(window.status.cancel, Qt.MouseButton.LeftButton)  # the status bar's Cancel button
    clicked.set()
    wait_idle(qtbot, window)
    assert not (tmp_path / "cancelled.png").exists() and not (tmp_path / "cancelled.png.json").exists(), (
        window.status.message.text()
    )
    assert window.status.message.text().startswith("Cancelled: Exporting cancelled.png stopped")


def test_commands_wait_while_a_job_runs(qtbot, explore: MainWindow, monkeypatch) -> None:
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Brightness")
    monkeypatch.setattr(window.explorer, "budget", lambda: Budget(steps=100_000, patience=0))
    window.tool_panels["Variance"].apply_button.click()
    assert window.jobs.busy
    for key in ("undo", "redo", "export", "open", "open_session", "save_session", "apply"):
        assert not window.commands[key].isEnabled(), key
    assert not any(panel.apply_button.isEnabled() for panel in window.tool_panels.values())
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.explorer.session.history.position == 1  # Ctrl+Z waits: nothing silently half-done
    window.jobs.cancel()
    wait_idle(qtbot, window)
    assert window.commands["undo"].isEnabled() and not window.commands["redo"].isEnabled()
    assert all(panel.apply_button.isEnabled() for panel in window.tool_panels.values())


def test_a_cancelled_edit_leaves_the_session_clean(qtbot, explore: MainWindow, monkeypatch) -> None:
    window = explore
    monkeypatch.setattr(window.explorer, "budget", lambda: Budget(steps=100_000, patience=0))
    select_rectangle(window, 16, 16, 40, 40)
    window.tool_panels["Variance"].apply_button.click()
    qtbot.waitUntil(lambda: window.status.progress.value() >= 2, timeout=30_000)
    window.commands["cancel"].trigger()
    wait_idle(qtbot, window)
    assert not window.explorer.dirty and not window.explorer.session.history.entries

    def asked(*args, **kwargs):
        raise AssertionError("asked to save a session with nothing in it")

    monkeypatch.setattr(QMessageBox, "question", asked)
    assert window.close()


def test_keeping_a_candidate_is_a_job_that_waits_its_turn(qtbot, explore: MainWindow, monkeypatch) -> None:
    window = explore
    main = threading.main_thread()
    whole_renders_on_the_gui_thread = []
    output = DecodedState.output

    def watched(state, code):
        if threading.current_thread() is main:
            whole_renders_on_the_gui_thread.append(code.height * code.width)
        return output(state, code)

    monkeypatch.setattr(DecodedState, "output", watched)
    select_rectangle(window, 24, 16, 48, 40)
    press_apply(qtbot, window, "Digits / letters")
    gallery = window.tool_panels["Digits / letters"].gallery
    qtbot.mouseClick(gallery.buttons[0], Qt.MouseButton.LeftButton)
    candidate = gallery.chosen
    window.explorer.budget = lambda: Budget(steps=100_000, patience=0)
    window.tool_panels["Variance"].apply_button.click()  # another job now runs
    window.explorer.keep(candidate, window.tool_panels["Digits / letters"])
    assert not gallery.keep_button.isEnabled() and window.explorer.session.history.position == 0
    window.jobs.cancel()
    wait_idle(qtbot, window)
    qtbot.mouseClick(gallery.keep_button, Qt.MouseButton.LeftButton)
    assert window.jobs.busy  # committing runs in the worker
    wait_idle(qtbot, window)
    assert window.explorer.session.history.records()[0]["kept"]["label"] == candidate.label
    window.explorer.undo()
    wait_idle(qtbot, window)
    window.explorer.redo()
    wait_idle(qtbot, window)
    assert whole_renders_on_the_gui_thread == []


@pytest.mark.parametrize("job", ["undo", "redo"])
def test_undo_and_redo_repaint_only_what_changed(qtbot, explore: MainWindow, job: str, monkeypatch) -> None:
    window = explore
    select_rectangle(window, 16, 16, 40, 40)
    press_apply(qtbot, window, "Brightness")
    if job == "redo":
        window.explorer.undo()
        wait_idle(qtbot, window)
    pasted: list[tuple[int, int]] = []
    update = window.canvas.update_source
    monkeypatch.setattr(
        window.canvas,
        "update_source",
        lambda name, patch, x, y: (pasted.append(patch.shape[:2]), update(name, patch, x, y)),
    )
    window.commands[job].trigger()
    wait_idle(qtbot, window)
    assert len(pasted) == 1 and pasted[0][0] * pasted[0][1] <= 72 * 56


class _Cycle:
    """Garbage that only the cyclic collector frees; notes the thread that freed it."""

    def __init__(self, freed_in: list[str]) -> None:
        self.me = self
        self.freed_in = freed_in

    def __del__(self) -> None:
        self.freed_in.append(threading.current_thread().name)


def test_cyclic_garbage_is_freed_on_the_gui_thread_while_a_worker_allocates(qapp) -> None:
    """A Qt object freed by a collection that a worker thread set off crashes the process now and then;
    with the application's collector running, a worker that allocates heavily frees no cycle, the GUI
    thread's timer does."""
    import gc

    from explorer_app.gui.window.collector import GuiThreadCollector

    gc.collect()
    collector = GuiThreadCollector()
    collector.start()
    try:
        assert not gc.isenabled()
        freed_in: list[str] = []
        _Cycle(freed_in)
        kept: list[list[int]] = []
        worker = threading.Thread(target=lambda: kept.extend([i] for i in range(200_000)), name="worker")
        worker.start()
        worker.join()
        assert freed_in == []
        deadline = time.monotonic() + 5
        while not freed_in and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        assert freed_in == [threading.main_thread().name]
    finally:
        collector.stop()
    assert gc.isenabled()


def test_jobs_run_on_one_thread_with_torchs_threads_and_the_gui_thread_stays_single_threaded(
    qtbot, explore: MainWindow, monkeypatch
) -> None:
    """Edits ran twice as slowly in a job as on the main thread while the GUI thread kept an OpenMP team of
    its own (gui/jobs/runner.py): every job runs on the same thread, with torch's threads for this machine,
    and the GUI thread's torch calls are single-threaded."""
    from explorer_app.gui.jobs import explorer as explorer_jobs
    from explorer_app.gui.jobs.runner import JOB_THREADS

    seen: list[tuple[int, int]] = []
    original = explorer_jobs.edit_job

    def noting(control, *args):
        seen.append((threading.get_ident(), torch.get_num_threads()))
        return (yield from original(control, *args))

    monkeypatch.setattr(explorer_jobs, "edit_job", noting)
    for side in (8, 12):
        select_rectangle(explore, 4, 4, side, side)
        press_apply(qtbot, explore, "Brightness")
    assert len(seen) == 2 and seen[0][0] == seen[1][0] != threading.get_ident()
    assert seen[0][1] == JOB_THREADS and torch.get_num_threads() == 1
