"""Can any image within [0, 255] give an MCU the file's coefficients under the reference encoder?

The reference encoder is affine on an MCU's pixels p (n = h·w·C values): normalized coefficients A p + b.
The MCU is reachable when some p ∈ [0, 255]ⁿ puts every coefficient in its box |A p + b − X_Q| ≤ ½. That is
a linear programme: minimize s subject to |A p + b − X_Q| ≤ ½ + s and 0 ≤ p ≤ 255. Its optimum s* is the
smallest worst excess any in-range image achieves: s* > 0 proves the MCU unreachable (a saturated block,
typically written by libjpeg's integer encoder from pixels at 0 or 255), and says by how much; s* = 0 means
that the best in-range image puts a coefficient exactly on a rounding tie, which a float encoder decides by
its own rounding error: unreachable too, in any sense a second person can check. The affine map also
serves the 8-bit repair as the linear part of libjpeg's pipeline (:mod:`~explorer_app.export.rgb_greedy`).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import linprog

from ..decoder.code_tensors import CodeTensors
from .reference_encoder import encode_normalized, file_quantized

TIE_TOLERANCE = 1e-6
"""An MCU counts as out of reach when no in-range image brings all its coefficients more than this many
steps inside their boxes (s* > −TIE_TOLERANCE): such a coefficient sits on a rounding tie, and the linear
programme's own precision (HiGHS's feasibility tolerance, 1e-7) cannot tell it from one."""


def affine_map(part: CodeTensors, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """(A (m, n), b (m,)) of the reference encoder on ``part`` (one MCU, N = 1): coefficients in the order of
    ``file_quantized`` flattened, pixels in (h, w, C) order."""
    n = part.height * part.width * channels
    basis = torch.eye(n, dtype=torch.float64).reshape(n, part.height, part.width, channels).permute(0, 3, 1, 2)
    zero = torch.zeros(1, channels, part.height, part.width, dtype=torch.float64)
    offset = torch.cat([c.flatten(1) for c in encode_normalized(zero, part)], 1)
    columns = torch.cat([c.flatten(1) for c in encode_normalized(basis, part)], 1) - offset
    return columns.T.contiguous().numpy(), offset[0].numpy()


def target(part: CodeTensors) -> np.ndarray:
    """(m,) the file's X_Q of an MCU, in the order of :func:`affine_map`."""
    return torch.cat([q.flatten(1) for q in file_quantized(part)], 1)[0].numpy()


def nearest_excess(a: np.ndarray, b: np.ndarray, quantized: np.ndarray) -> tuple[float, np.ndarray]:
    """The smallest worst excess s* (steps) over p ∈ [0, 255]ⁿ, and pixels (n,) achieving it. HiGHS's
    interior point method with crossover (a vertex, as precise as the simplex): on these dense programmes it
    is several times faster than the dual simplex, and its time varies far less from one MCU to another."""
    m, n = a.shape
    rows = np.block([[a, -np.ones((m, 1))], [-a, -np.ones((m, 1))]])
    bounds = np.r_[quantized + 0.5 - b, b - quantized + 0.5]
    result = linprog(
        np.r_[np.zeros(n), 1.0],
        A_ub=rows,
        b_ub=bounds,
        bounds=[(0.0, 255.0)] * n + [(None, None)],
        method="highs-ipm",
    )
    if result.status != 0:
        raise RuntimeError(f"linear programme failed: {result.message}")
    return float(result.x[n]), result.x[:n]


def out_of_reach(excess: float) -> bool:
    """Whether an MCU whose smallest worst excess is ``excess`` counts as unreachable (see TIE_TOLERANCE)."""
    return excess > -TIE_TOLERANCE
