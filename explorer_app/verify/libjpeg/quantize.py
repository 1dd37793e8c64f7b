"""libjpeg's quantization (jcdctmgr.c): the DCT output t (8 × the orthonormal coefficient) divided by the
divisor 8·M, rounded half away from zero: sign(t) · ⌊(|t| + 4M) / 8M⌋.

libjpeg-turbo divides by multiplying with a reciprocal (compute_reciprocal: a 16-bit reciprocal, a
correction and a shift); for every |t| < 2^15 and every divisor 8·M with M < 4096 it gives exactly this
quotient (tests/test_libjpeg_encoder.py checks the reciprocal arithmetic against it), so one formula serves
IJG libjpeg and libjpeg-turbo. The unrounded quotient t / 8M is returned too: its distance to the nearest
half-integer is how far the coefficient sits from a rounding edge (ties, at exactly ±½, round away).
"""

from __future__ import annotations

import numpy as np


def quotient(dct: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(…, 8, 8) int32 DCT output and (8, 8) table M → float64 (…, 8, 8) t / 8M (exact up to float64
    rounding, which never moves a value across a half-integer: t and 8M are small integers)."""
    return dct / (8.0 * table)


def quantize(dct: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(…, 8, 8) int32 DCT output and (8, 8) table M → int32 (…, 8, 8) X_Q, as libjpeg stores it."""
    divisor = 8 * table.astype(np.int32)
    return np.sign(dct) * ((np.abs(dct) + divisor // 2) // divisor)
