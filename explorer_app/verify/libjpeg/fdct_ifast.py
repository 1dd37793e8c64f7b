"""libjpeg's "ifast" forward DCT (jfdctfst.c) and its quantization (jcdctmgr.c, JDCT_IFAST), in integers.

The DCT is Arai, Agui and Nakajima's scaled 8-point transform with 8-bit constants: each product is
(x·c) >> 8 (an arithmetic shift, i.e. floor: libjpeg builds it without USE_ACCURATE_ROUNDING), no extra
precision between the passes. Its output is scaled by 8·s(u)·s(v) (s(0) = 1, s(k) = √2·cos(kπ/16)), so
the divisor of each coefficient is that scale times M, in 14-bit fixed point rounded to an integer:
D = (M·A + 2¹⁰) >> 11 with A = round(s(u)·s(v)·2¹⁴). Quantization rounds t / D half away from zero:
IJG divides, sign(t)·⌊(|t| + ⌊D/2⌋) / D⌋; libjpeg-turbo multiplies by compute_reciprocal's 16-bit
reciprocal, which gives the same quotient for every divisor it builds (tests/test_libjpeg_encoders.py).

IJG libjpeg 6b-9 and libjpeg-turbo's C code compute the same integers (IJG 7+ subtract 8·128 from the
row's DC term instead of centring the samples first: exact either way).
"""

from __future__ import annotations

import numpy as np

FIX_0_382683433, FIX_0_541196100, FIX_0_707106781, FIX_1_306562965 = 98, 139, 181, 334
"""The constants of jfdctfst.c: round(c·2⁸)."""
AAN_SCALES = np.array(
    [
        [16384, 22725, 21407, 19266, 16384, 12873, 8867, 4520],
        [22725, 31521, 29692, 26722, 22725, 17855, 12299, 6270],
        [21407, 29692, 27969, 25172, 21407, 16819, 11585, 5906],
        [19266, 26722, 25172, 22654, 19266, 15137, 10426, 5315],
        [16384, 22725, 21407, 19266, 16384, 12873, 8867, 4520],
        [12873, 17855, 16819, 15137, 12873, 10114, 6967, 3552],
        [8867, 12299, 11585, 10426, 8867, 6967, 4799, 2446],
        [4520, 6270, 5906, 5315, 4520, 3552, 2446, 1247],
    ],
    dtype=np.int64,
)
"""round(s(v)·s(u)·2¹⁴), libjpeg's table (v rows, u columns)."""


def _multiply(value: np.ndarray, constant: int) -> np.ndarray:
    return (value * constant) >> 8


def _pass(x: np.ndarray) -> np.ndarray:
    """One 1-D pass over the first axis of int32 ``x`` (8, …) → int32 (8, …)."""
    tmp0, tmp7 = x[0] + x[7], x[0] - x[7]
    tmp1, tmp6 = x[1] + x[6], x[1] - x[6]
    tmp2, tmp5 = x[2] + x[5], x[2] - x[5]
    tmp3, tmp4 = x[3] + x[4], x[3] - x[4]
    tmp10, tmp13, tmp11, tmp12 = tmp0 + tmp3, tmp0 - tmp3, tmp1 + tmp2, tmp1 - tmp2
    out = np.empty_like(x)
    out[0], out[4] = tmp10 + tmp11, tmp10 - tmp11
    z1 = _multiply(tmp12 + tmp13, FIX_0_707106781)
    out[2], out[6] = tmp13 + z1, tmp13 - z1
    tmp10, tmp11, tmp12 = tmp4 + tmp5, tmp5 + tmp6, tmp6 + tmp7
    z5 = _multiply(tmp10 - tmp12, FIX_0_382683433)
    z2 = _multiply(tmp10, FIX_0_541196100) + z5
    z4 = _multiply(tmp12, FIX_1_306562965) + z5
    z3 = _multiply(tmp11, FIX_0_707106781)
    z11, z13 = tmp7 + z3, tmp7 - z3
    out[5], out[3], out[1], out[7] = z13 + z2, z13 - z2, z11 + z4, z11 - z4
    return out


def forward_dct_ifast(samples: np.ndarray) -> np.ndarray:
    """(…, 8, 8) samples in [0, 255] (rows, columns) → int32 (…, 8, 8) output (vertical frequency,
    horizontal frequency): about 8·s(v)·s(u) × the orthonormal DCT of samples − 128."""
    centred = samples.astype(np.int32) - 128
    rows = _pass(np.moveaxis(centred, -1, 0))  # (u, …, row)
    columns = _pass(np.moveaxis(rows, -1, 0))  # (v, u, …)
    return np.moveaxis(columns, (0, 1), (-2, -1))


def ifast_divisors(table: np.ndarray) -> np.ndarray:
    """(8, 8) table M → int64 (8, 8) divisors D = (M·A + 2¹⁰) >> 11."""
    return (table.astype(np.int64) * AAN_SCALES + (1 << 10)) >> 11


def quantize_ifast(dct: np.ndarray, table: np.ndarray) -> np.ndarray:
    """int32 (…, 8, 8) output and (8, 8) table → int32 X_Q = sign(t)·⌊(|t| + ⌊D/2⌋) / D⌋."""
    divisor = ifast_divisors(table)
    return (np.sign(dct) * ((np.abs(dct) + divisor // 2) // divisor)).astype(np.int32)


def ifast_quotients(dct: np.ndarray, table: np.ndarray) -> np.ndarray:
    """float64 (…, 8, 8) t / D: rounds half away from zero to :func:`quantize_ifast`'s X_Q."""
    return dct / ifast_divisors(table).astype(np.float64)
