"""Which MCUs no in-range image gives the file's coefficients, and how that is known.

Two proofs, cheapest first: a coefficient whose box lies outside the range every in-range image gives it
(:mod:`.coefficient_range`, microseconds per MCU, a lower bound on the excess), then the linear programme of
:mod:`.reachability` (0.1-0.9 s per MCU, the exact smallest worst excess) for at most a given number of the
MCUs left. The count, not a clock, bounds the work: the same file gets the same report on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..decoder.code_tensors import CodeTensors
from .coefficient_range import LIBJPEG_DEVIATION, range_bounds
from .reachability import affine_map, nearest_excess, out_of_reach, smallest_excess, target


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


def prove_unreachable(
    code: CodeTensors, channels: int, mcus: np.ndarray, examined: int
) -> dict[tuple[int, int], Unreachable]:
    """The MCUs marked in ``mcus`` (bool (rows, cols)) that no image within [0, 255] with ``channels``
    channels brings into their boxes under the reference encoder: every one a coefficient range rules out,
    and those of the first ``examined`` others that linear programming rules out."""
    bounds = range_bounds(code, channels, mcus)
    found = {
        (int(row), int(col)): Unreachable(
            float(bounds.reference[row, col]), False, bool(bounds.libjpeg[row, col] > 0.0)
        )
        for row, col in np.argwhere(bounds.impossible(libjpeg=False))
    }
    rest = [(int(row), int(col)) for row, col in np.argwhere(mcus) if (row, col) not in found][:examined]
    if not rest:
        return found
    beyond = LIBJPEG_DEVIATION / smallest_step(code)
    for mcu, excess in smallest_excess(code, channels, rest).items():
        if out_of_reach(excess):
            found[mcu] = Unreachable(max(excess, 0.0), True, excess > beyond)
    return found


def mcu_proof(part: CodeTensors, channels: int) -> Unreachable | None:
    """Linear programming on the one MCU of ``part`` (N = 1): its proof when no image within [0, 255]
    reaches it under the reference encoder (beyond libjpeg's reach too when s* exceeds libjpeg's
    deviation), else None."""
    excess, _ = nearest_excess(*affine_map(part, channels), target(part))
    if not out_of_reach(excess):
        return None
    return Unreachable(max(excess, 0.0), True, excess > LIBJPEG_DEVIATION / smallest_step(part))
