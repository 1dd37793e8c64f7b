"""Which MCUs no in-range image gives the file's coefficients, and how that is known.

Two proofs, cheapest first: a coefficient whose box lies outside the range every in-range image gives it
(:mod:`.coefficient_range`, microseconds per MCU, a lower bound on the excess), then the linear programme of
:mod:`.reachability` (the exact smallest worst excess, at a far higher cost) for at most a given number of
the MCUs left. The count, not a clock, bounds the work: the same file gets the same report on any machine.

A programme's optimum depends on the file alone (the MCU's coefficients, tables, size and sampling), not on
any image, so an :class:`Optima`, owned by its caller, remembers optima by content: a programme the repair
solved is not solved again for the report, nor by a later export of the same session. It only saves work:
which MCUs are examined is decided by the count alone, so a report is the same whatever the cache holds.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ..decoder.code_tensors import CodeTensors
from .coefficient_range import LIBJPEG_DEVIATION, flat, range_bounds
from .interrupt import Check, never, polled
from .reachability import affine_map, nearest_excess, out_of_reach, target
from .tiles import pixel_window

PROGRAMMES_REMEMBERED = 4096
"""An :class:`Optima` keeps this many (a few dozen bytes each), the least recently used dropped first."""


@dataclass(frozen=True)
class Unreachable:
    """An MCU proved out of reach under the reference encoder. excess: steps; exact: the linear programme's
    optimum s* (the smallest worst excess of any in-range image), else a lower bound on it from one
    coefficient's range; beyond_libjpeg: libjpeg's integer pipeline cannot reach it from any 8-bit image
    either (its deviation from the reference, :data:`~.coefficient_range.LIBJPEG_DEVIATION`, is too small
    to close the gap)."""

    excess: float
    exact: bool
    beyond_libjpeg: bool

    @property
    def proof(self) -> str:
        """How it was proved and how far it reaches, as a report says it: "linear programme" (a saturated
        block: libjpeg may reach it), "coefficient range", either with ", beyond libjpeg" (damage)."""
        method = "linear programme" if self.exact else "coefficient range"
        return f"{method}, beyond libjpeg" if self.beyond_libjpeg else method


def smallest_step(code: CodeTensors) -> float:
    """The file's smallest quantization step M over all its tables."""
    tables = [code.y_table] + ([] if code.c_table is None else [code.c_table])
    return min(float(table.min()) for table in tables)


def programme_key(part: CodeTensors, channels: int) -> bytes:
    """What a programme's optimum depends on, for the one MCU of ``part`` (N = 1), as a digest."""
    quantized, tables = flat(part)
    shape = np.asarray([channels, part.height, part.width, *part.chroma_factor], dtype=np.int64)
    return hashlib.sha256(shape.tobytes() + quantized.tobytes() + tables.tobytes()).digest()


class Optima:
    """Optima s* of MCU programmes by :func:`programme_key`, the last :data:`PROGRAMMES_REMEMBERED` used.
    Safe to share between threads: a programme two threads solve at once is merely solved twice."""

    def __init__(self) -> None:
        self._known: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._known)

    def excess(self, part: CodeTensors, channels: int, check: Check = never) -> float:
        """s* of the one MCU of ``part`` (N = 1): as remembered, else by linear programming (run
        :func:`~.interrupt.polled` by ``check``)."""
        key = programme_key(part, channels)
        with self._lock:
            if key in self._known:
                self._known.move_to_end(key)
                return self._known[key]
        a, b = affine_map(part, channels)
        excess, _ = polled(lambda: nearest_excess(a, b, target(part)), check)
        with self._lock:
            self._known[key] = excess
            if len(self._known) > PROGRAMMES_REMEMBERED:
                self._known.popitem(last=False)
        return excess


def as_proof(excess: float, code: CodeTensors) -> Unreachable | None:
    """The proof an optimum s* makes for an MCU of ``code``, or None when it is within reach."""
    if not out_of_reach(excess):
        return None
    return Unreachable(max(excess, 0.0), True, excess > LIBJPEG_DEVIATION / smallest_step(code))


def prove_unreachable(
    code: CodeTensors,
    channels: int,
    mcus: np.ndarray,
    examined: int = 0,
    optima: Optima | None = None,
    check: Check = never,
) -> dict[tuple[int, int], Unreachable]:
    """The MCUs marked in ``mcus`` (bool (rows, cols)) that no image within [0, 255] with ``channels``
    channels brings into their boxes under the reference encoder: every one a coefficient range rules out,
    and those of the first ``examined`` others (raster order) that linear programming rules out, their
    optima taken from ``optima`` where it holds them (None: a cache of this call's own). ``check`` is called
    before every programme (:mod:`.interrupt`)."""
    bounds = range_bounds(code, channels, mcus)
    found = {
        (int(row), int(col)): Unreachable(
            float(bounds.reference[row, col]), False, bool(bounds.libjpeg[row, col] > 0.0)
        )
        for row, col in np.argwhere(bounds.impossible(libjpeg=False))
    }
    rest = [(int(row), int(col)) for row, col in np.argwhere(mcus) if (row, col) not in found]
    optima = Optima() if optima is None else optima
    for row, col in rest[: max(examined, 0)]:
        part = code.crop(*pixel_window((row, col, row + 1, col + 1), code))
        proof = as_proof(optima.excess(part, channels, check), code)
        if proof is not None:
            found[row, col] = proof
    return found


def mcu_proof(part: CodeTensors, channels: int, optima: Optima, check: Check = never) -> Unreachable | None:
    """Linear programming on the one MCU of ``part`` (N = 1), or its optimum as ``optima`` holds it: its
    proof when no image within [0, 255] reaches it under the reference encoder (beyond libjpeg's reach too
    when s* exceeds libjpeg's deviation), else None."""
    return as_proof(optima.excess(part, channels, check), part)
