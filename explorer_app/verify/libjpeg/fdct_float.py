"""libjpeg's float forward DCT (jfdctflt.c) and its quantization (jcdctmgr.c, JDCT_FLOAT), in float32.

The DCT is Arai, Agui and Nakajima's scaled 8-point transform: 5 multiplications per pass by float
constants, every addition and product rounded to IEEE single precision as C computes ``FAST_FLOAT`` (=
float) without x87 extended precision or fused multiply-adds (x86-64 SSE, the builds jpeglib ships).
numpy's float32 arithmetic rounds each operation the same way, in the same order, so the outputs are the
same floats. The output is scaled by 8·s(u)·s(v) with s(0) = 1, s(k) = √2·cos(kπ/16); quantization
multiplies by a float reciprocal of that scale times 8M (computed in double, stored as float) and rounds
as ``(int)(x + 16384.5f) − 16384``: round half up, after a float addition that itself rounds to 2⁻⁹.

IJG libjpeg 6b-9 and libjpeg-turbo's C code compute the same floats (6b and turbo centre the samples before
the row pass, IJG 7+ subtract 8·128 from the row's DC term: both exact). libjpeg-turbo's x86 SIMD builds
(what a stock ``cjpeg -dct float`` runs on x86: simd/x86_64/jfdctflt-sse.asm, jquantf-sse2.asm) do the
same float operations in the same order with the same float constants, but round the product with
``cvtps2dq``: half to even, no 16384.5 addition (:func:`quantize_float_sse`). They differ from the C code
only on a coefficient within 2⁻¹⁰ of a rounding edge. That variant is written from the source: jpeglib
ships no SIMD build to test it against. Not covered: builds that fuse a multiply and an add (clang's
default -ffp-contract=on on arm64, for instance, may compute ``c·tmp10 + z5`` with one rounding).
"""

from __future__ import annotations

import numpy as np

from ...ops.quantization import kept_or_edge

F32 = np.float32
C_0_707106781, C_0_382683433 = F32(0.707106781), F32(0.382683433)
C_0_541196100, C_1_306562965 = F32(0.541196100), F32(1.306562965)
AAN_SCALE = (1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.541196100, 0.275899379)
"""s(k) = √2·cos(kπ/16) (s(0) = 1) as libjpeg writes them, in double."""
ROUNDING_OFFSET = F32(16384.5)


def _pass(x: np.ndarray) -> np.ndarray:
    """One 1-D AA&N pass over the first axis of float32 ``x`` (8, …) → float32 (8, …)."""
    tmp0, tmp7 = x[0] + x[7], x[0] - x[7]
    tmp1, tmp6 = x[1] + x[6], x[1] - x[6]
    tmp2, tmp5 = x[2] + x[5], x[2] - x[5]
    tmp3, tmp4 = x[3] + x[4], x[3] - x[4]
    tmp10, tmp13, tmp11, tmp12 = tmp0 + tmp3, tmp0 - tmp3, tmp1 + tmp2, tmp1 - tmp2
    out = np.empty_like(x)
    out[0], out[4] = tmp10 + tmp11, tmp10 - tmp11
    z1 = (tmp12 + tmp13) * C_0_707106781
    out[2], out[6] = tmp13 + z1, tmp13 - z1
    tmp10, tmp11, tmp12 = tmp4 + tmp5, tmp5 + tmp6, tmp6 + tmp7
    z5 = (tmp10 - tmp12) * C_0_382683433
    z2 = C_0_541196100 * tmp10 + z5
    z4 = C_1_306562965 * tmp12 + z5
    z3 = tmp11 * C_0_707106781
    z11, z13 = tmp7 + z3, tmp7 - z3
    out[5], out[3], out[1], out[7] = z13 + z2, z13 - z2, z11 + z4, z11 - z4
    return out


def forward_dct_float(samples: np.ndarray) -> np.ndarray:
    """(…, 8, 8) samples in [0, 255] (rows, columns) → float32 (…, 8, 8) AA&N output (vertical frequency,
    horizontal frequency): 8·s(v)·s(u) × the orthonormal DCT of samples − 128, in C's float rounding."""
    centred = (samples.astype(np.int32) - 128).astype(F32)
    rows = _pass(np.moveaxis(centred, -1, 0))  # (u, …, row)
    columns = _pass(np.moveaxis(rows, -1, 0))  # (v, u, …)
    return np.moveaxis(columns, (0, 1), (-2, -1))


def float_divisors(table: np.ndarray) -> np.ndarray:
    """(8, 8) table M → float32 (8, 8) reciprocals 1 / (M·s(v)·s(u)·8), computed in double as libjpeg does."""
    scale = np.asarray(AAN_SCALE, dtype=np.float64)
    divisor = table.astype(np.float64) * scale[:, None] * scale[None, :] * 8.0
    return (1.0 / divisor).astype(F32)


def scaled_float(dct: np.ndarray, table: np.ndarray) -> np.ndarray:
    """float32 (…, 8, 8) DCT output → float32 (…, 8, 8) x = output × reciprocal (quantization steps)."""
    return dct * float_divisors(table)


def quantize_float(scaled: np.ndarray) -> np.ndarray:
    """float32 x (…, 8, 8) → int32 (…, 8, 8) X_Q = (int)(x + 16384.5f) − 16384."""
    return np.floor(scaled + ROUNDING_OFFSET).astype(np.int32) - 16384


def quantize_float_sse(scaled: np.ndarray) -> np.ndarray:
    """float32 x (…, 8, 8) → int32 (…, 8, 8) X_Q rounded half to even, as ``cvtps2dq`` does under the default
    MXCSR rounding mode (libjpeg-turbo's jsimd_quantize_float_sse2)."""
    return np.rint(scaled).astype(np.int32)


def float_quotients(scaled: np.ndarray, quantized: np.ndarray) -> np.ndarray:
    """A float64 quotient per coefficient that rounds half away from zero to ``quantized``: x itself where
    it does, else the edge of the box on x's side, 10⁻⁹ inside it (a coefficient that libjpeg's float
    rounding puts on the other side of an edge than exact rounding would: it sits at the edge)."""
    return kept_or_edge(scaled.astype(np.float64), quantized)
