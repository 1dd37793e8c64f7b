"""IJG libjpeg 7-9's scaled forward DCTs for subsampled chroma (jfdctint.c: jpeg_fdct_16x16, _16x8, _8x16).

From version 7 on, IJG libjpeg by default (``do_fancy_downsampling`` TRUE, jcparam.c) does not average a
chroma component of factor 2 before its DCT: jcmaster.c gives the component a DCT_h/v_scaled_size of 16 in
each subsampled direction and jcsample.c passes the full-resolution plane through (edge replicated to whole
16- or 8-sample blocks). A 16-point DCT of which only the 8 lowest frequencies are kept then both
downsamples and transforms: 16×16 for 4:2:0, 16×8 (16 columns, 8 rows) for 4:2:2, 8×16 for 4:4:0. The
output is scaled like the islow DCT's (8 × the orthonormal 8×8 DCT of the averaged block, to within
rounding), so jcdctmgr.c quantizes it with the islow divisors 8·M.

The integers: 13-bit constants FIX(c) = round(c·2¹³) (CONST_BITS), 2 extra bits after the row pass
(PASS1_BITS), products descaled as (x + 2ⁿ⁻¹) >> n; the column pass shifts out 2 more bits for 16×16 and 1
for 16×8 and 8×16 (the (8/16)² or 8/16 scaling). C's INT32 is a 64-bit long on the builds emulated: int64.
"""

from __future__ import annotations

import numpy as np

from .fdct import CONST_BITS, PASS1_BITS, butterfly


def _fix(value: float) -> int:
    return int(value * (1 << CONST_BITS) + 0.5)


def _descale(value: np.ndarray, bits: int) -> np.ndarray:
    return (value + (1 << (bits - 1))) >> bits


def sixteen_point(x: np.ndarray, first_pass: bool, extra: int) -> np.ndarray:
    """The 8 lowest outputs of the 16-point pass over the first axis of int64 ``x`` (16, …) → (8, …): the
    row pass (scaled up by 2^PASS1_BITS; samples already centred) or a column pass (descaled by it and by
    ``extra`` further bits)."""
    shift = CONST_BITS - PASS1_BITS if first_pass else CONST_BITS + PASS1_BITS + extra
    tmp = [x[i] + x[15 - i] for i in range(8)]
    t = [x[i] - x[15 - i] for i in range(8)]
    tmp10, tmp14 = tmp[0] + tmp[7], tmp[0] - tmp[7]
    tmp11, tmp15 = tmp[1] + tmp[6], tmp[1] - tmp[6]
    tmp12, tmp16 = tmp[2] + tmp[5], tmp[2] - tmp[5]
    tmp13, tmp17 = tmp[3] + tmp[4], tmp[3] - tmp[4]
    out = np.empty((8, *x.shape[1:]), dtype=x.dtype)
    total = tmp10 + tmp11 + tmp12 + tmp13
    out[0] = total << PASS1_BITS if first_pass else _descale(total, PASS1_BITS + extra)
    out[4] = _descale((tmp10 - tmp13) * _fix(1.306562965) + (tmp11 - tmp12) * _fix(0.541196100), shift)
    even = (tmp17 - tmp15) * _fix(0.275899379) + (tmp14 - tmp16) * _fix(1.387039845)
    out[2] = _descale(even + tmp15 * _fix(1.451774982) + tmp16 * _fix(2.172734804), shift)
    out[6] = _descale(even - tmp14 * _fix(0.211164243) - tmp17 * _fix(1.061594338), shift)
    a11 = (t[0] + t[1]) * _fix(1.353318001) + (t[6] - t[7]) * _fix(0.410524528)
    a12 = (t[0] + t[2]) * _fix(1.247225013) + (t[5] + t[7]) * _fix(0.666655658)
    a13 = (t[0] + t[3]) * _fix(1.093201867) + (t[4] - t[7]) * _fix(0.897167586)
    a14 = (t[1] + t[2]) * _fix(0.138617169) + (t[6] - t[5]) * _fix(1.407403738)
    a15 = (t[1] + t[3]) * -_fix(0.666655658) + (t[4] + t[6]) * -_fix(1.247225013)
    a16 = (t[2] + t[3]) * -_fix(1.353318001) + (t[5] - t[4]) * _fix(0.410524528)
    a10 = a11 + a12 + a13 - t[0] * _fix(2.286341144) + t[7] * _fix(0.779653625)
    a11 = a11 + a14 + a15 + t[1] * _fix(0.071888074) - t[6] * _fix(1.663905119)
    a12 = a12 + a14 + a16 - t[2] * _fix(1.125726048) + t[5] * _fix(1.227391138)
    a13 = a13 + a15 + a16 + t[3] * _fix(1.065388962) + t[4] * _fix(2.167985692)
    out[1], out[3], out[5], out[7] = (_descale(a, shift) for a in (a10, a11, a12, a13))
    return out


def forward_dct_scaled(samples: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(…, h, w) samples in [0, 255] with (h, w) = ``size`` ∈ {(16, 16), (8, 16), (16, 8)} (rows, columns)
    → int64 (…, 8, 8) DCT output on the islow scale (vertical frequency, horizontal frequency)."""
    rows, cols = size
    if size not in ((16, 16), (8, 16), (16, 8)):
        raise ValueError(f"no scaled DCT of {rows}×{cols} samples")
    centred = samples.astype(np.int64) - 128
    extra = 2 if size == (16, 16) else 1
    across = np.moveaxis(centred, -1, 0)  # (column, …, row)
    first = sixteen_point(across, True, 0) if cols == 16 else butterfly(across, True)  # (u, …, row)
    down = np.moveaxis(first, -1, 0)  # (row, u, …)
    second = sixteen_point(down, False, extra) if rows == 16 else butterfly(down, False, extra)  # (v, u, …)
    return np.moveaxis(second, (0, 1), (-2, -1))


def scaled_blocks(plane: np.ndarray, factor: tuple[int, int], blocks: tuple[int, int]) -> np.ndarray:
    """(N, H, W) full-resolution plane → (N, by, bx, 8·fy, 8·fx): each chroma block's full-resolution area,
    the plane edge-replicated to (8·fy·by, 8·fx·bx) as jcsample.c's fullsize pass and jcprepct.c pad it."""
    fy, fx = factor
    by, bx = blocks
    height, width = 8 * fy * by, 8 * fx * bx
    padded = np.pad(
        plane[:, :height, :width],
        ((0, 0), (0, max(0, height - plane.shape[1])), (0, max(0, width - plane.shape[2]))),
        mode="edge",
    )
    count = plane.shape[0]
    return padded.reshape(count, by, 8 * fy, bx, 8 * fx).swapaxes(2, 3)
