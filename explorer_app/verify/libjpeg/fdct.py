"""libjpeg's "islow" forward DCT (jfdctint.c): the Loeffler–Ligtenberg–Moschytz butterfly in integers.

Constants are 13-bit fixed point (CONST_BITS); the row pass keeps 2 extra bits (PASS1_BITS); products are
descaled as (x + 2^(n−1)) >> n (arithmetic shift, i.e. floor). The output is the orthonormal 8×8 DCT of
the samples − 128 scaled by 8, rounded as libjpeg rounds it. IJG libjpeg 6b–9 and libjpeg-turbo (C and
SIMD) compute the same integers: later versions only moved the rounding constant and the centring.

int32 suffices: the column pass's widest sum is below 2^31 for samples in [0, 255] (inputs of at most
4096 in magnitude, constants below 2^15, three products per sum).
"""

from __future__ import annotations

import numpy as np

CONST_BITS, PASS1_BITS = 13, 2


def _fix(value: float) -> int:
    return int(value * (1 << CONST_BITS) + 0.5)


FIX_0_298631336, FIX_0_390180644, FIX_0_541196100 = _fix(0.298631336), _fix(0.390180644), _fix(0.541196100)
FIX_0_765366865, FIX_0_899976223, FIX_1_175875602 = _fix(0.765366865), _fix(0.899976223), _fix(1.175875602)
FIX_1_501321110, FIX_1_847759065, FIX_1_961570560 = _fix(1.501321110), _fix(1.847759065), _fix(1.961570560)
FIX_2_053119869, FIX_2_562915447, FIX_3_072711026 = _fix(2.053119869), _fix(2.562915447), _fix(3.072711026)


def _descale(value: np.ndarray, bits: int) -> np.ndarray:
    return (value + (1 << (bits - 1))) >> bits


def butterfly(x: np.ndarray, first_pass: bool, extra: int = 0) -> np.ndarray:
    """One 1-D pass over the first axis of ``x`` (8, …) int32 or int64 → (8, …): the row pass (scaled up
    by 2^PASS1_BITS) or the column pass (descaled by it and by ``extra`` further bits, which IJG libjpeg
    7-9's scaled DCTs use: :mod:`.fdct_scaled`)."""
    shift = CONST_BITS - PASS1_BITS if first_pass else CONST_BITS + PASS1_BITS + extra
    tmp0, tmp7 = x[0] + x[7], x[0] - x[7]
    tmp1, tmp6 = x[1] + x[6], x[1] - x[6]
    tmp2, tmp5 = x[2] + x[5], x[2] - x[5]
    tmp3, tmp4 = x[3] + x[4], x[3] - x[4]
    tmp10, tmp13, tmp11, tmp12 = tmp0 + tmp3, tmp0 - tmp3, tmp1 + tmp2, tmp1 - tmp2
    out = np.empty_like(x)
    if first_pass:
        out[0], out[4] = (tmp10 + tmp11) << PASS1_BITS, (tmp10 - tmp11) << PASS1_BITS
    else:
        out[0], out[4] = _descale(tmp10 + tmp11, PASS1_BITS + extra), _descale(tmp10 - tmp11, PASS1_BITS + extra)
    z1 = (tmp12 + tmp13) * FIX_0_541196100
    out[2] = _descale(z1 + tmp13 * FIX_0_765366865, shift)
    out[6] = _descale(z1 - tmp12 * FIX_1_847759065, shift)
    z1, z2, z3, z4 = tmp4 + tmp7, tmp5 + tmp6, tmp4 + tmp6, tmp5 + tmp7
    z5 = (z3 + z4) * FIX_1_175875602
    tmp4, tmp5 = tmp4 * FIX_0_298631336, tmp5 * FIX_2_053119869
    tmp6, tmp7 = tmp6 * FIX_3_072711026, tmp7 * FIX_1_501321110
    z1, z2 = z1 * -FIX_0_899976223, z2 * -FIX_2_562915447
    z3, z4 = z3 * -FIX_1_961570560 + z5, z4 * -FIX_0_390180644 + z5
    out[7] = _descale(tmp4 + z1 + z3, shift)
    out[5] = _descale(tmp5 + z2 + z4, shift)
    out[3] = _descale(tmp6 + z2 + z3, shift)
    out[1] = _descale(tmp7 + z1 + z4, shift)
    return out


def forward_dct(samples: np.ndarray) -> np.ndarray:
    """(…, 8, 8) samples in [0, 255] (rows, columns) → (…, 8, 8) int32 DCT output (vertical frequency,
    horizontal frequency), 8 × the orthonormal DCT of samples − 128, in libjpeg's integers."""
    centred = samples.astype(np.int32) - 128
    rows = butterfly(np.moveaxis(centred, -1, 0), first_pass=True)  # (u, …, row)
    columns = butterfly(np.moveaxis(rows, -1, 0), first_pass=False)  # (v, u, …)
    return np.moveaxis(columns, (0, 1), (-2, -1))
