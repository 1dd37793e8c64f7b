"""Python's cyclic garbage collector run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a generation fills up: with jobs in
worker threads (the decoder, the optimizer, exports) that is usually a worker. A Qt widget or object
kept alive only by a reference cycle (a closed dialog that references itself through a connected lambda,
a panel of a window a test closed) is then destroyed in that worker while the GUI thread paints it,
which crashes the process now and then, not reproducibly. So automatic collection is switched off while
the application runs, and this object collects on a GUI-thread timer with the collector's own
thresholds. Reference counting, which frees almost everything, is unaffected.
"""

from __future__ import annotations

import gc

from PyQt6.QtCore import QObject, QTimer

COLLECT_INTERVAL_MS = 50
"""How often the GUI thread looks whether a generation is due. A collection's pause grows with the objects
it scans, and a job's worker can allocate a few hundred thousand between two looks half a second apart (a
79-ms pause on the GUI thread while a 12-MP photo opened): looking every 50 ms keeps each pause to a few
ms."""


class GuiThreadCollector(QObject):
    """Switches automatic collection off on :meth:`start`, collects due generations from a timer on the
    thread that owns it (create it on the GUI thread), and switches automatic collection back on at
    :meth:`stop`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        """Move everything tracked now (the imported modules, torch's and Qt's objects) out of the
        collector's sight (``gc.freeze``: they are hardly ever garbage, and scanning them made every full
        collection tens of ms) and collect from the timer from now on."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        gc.freeze()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer, give the frozen objects back to the collector, collect everything once here, and
        give the collector back its old setting."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    @staticmethod
    def collect_due() -> int:
        """Collect the oldest generation whose count exceeds its threshold (as the automatic collector
        would); the number of objects found unreachable."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] <= thresholds[0]:
            return 0
        generation = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0
        return gc.collect(generation)
