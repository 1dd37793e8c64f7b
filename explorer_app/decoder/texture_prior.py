"""How much room a block's texture leaves a random z, read from the file's own coefficients.

Where a photo is flat, libjpeg quantizes every AC coefficient of a block to zero and the true image lies
close to any smooth decode; where it is textured, many AC coefficients survive quantization and the true
image differs from the decode by far more (on held-out photos at quality 10–20, the decode's error per block
grows about tenfold from blocks whose neighbourhood keeps no AC coefficient to blocks that keep ten, while
the spread of random-z decodes hardly changes: benchmarks/sampler_spread.py). A sampler whose spread
should match the error must therefore draw larger z where more coefficients survive. The scale here is
(1 + n)^exponent, with n the mean count of non-zero quantized luma AC coefficients over the 3 × 3 blocks
around a block: 1 for a flat neighbourhood, growing with texture, smooth from block to block (so random
decodes gain no block edges). A coarser file keeps fewer coefficients of the same texture, so the count
alone gives a quality-10 file less room than a quality-30 one although it leaves more; the factor
(s / :data:`REFERENCE_STEP`)^:data:`STEP_EXPONENT`, s the mean AC step of the file's luma table, evens
that out (on the calibration photos it brings the error-to-spread ratio at QF 10, 20 and 30 to 2.7, 2.5 and
2.6, from 3.6, 2.5 and 1.9, and flat grain at QF 30 from 1.35 to 1.04 of the truth's). The exponent is
calibrated per model (its weights' metadata, see docs/decoder.md); 0 leaves the learnt prior alone.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .code_tensors import CodeTensors

REFERENCE_STEP = 143.0
"""Mean AC entry of a luma quantization table (the file's integers) at which the step factor is 1: IJG's
table at quality 20."""
STEP_EXPONENT = 1.0
"""How the room grows with the file's coarseness (chosen on the calibration photos from 0, 1 and 2: 1
evens the error-to-spread ratio across QF 10–30, 0 and 2 leave it 1.9–3.6)."""


def surviving_ac(code: CodeTensors) -> torch.Tensor:
    """(N, 1, by, bx) the mean count of non-zero quantized luma AC coefficients over the 3 × 3 blocks around
    each block (fewer at the image's edges: only blocks inside the image count)."""
    counts = (code.y_q[:, 1:] != 0).sum(1, keepdim=True).to(code.y_q.dtype)
    return F.avg_pool2d(counts, 3, stride=1, padding=1, count_include_pad=False)


def texture_scale(code: CodeTensors, exponent: float) -> torch.Tensor:
    """(N, 1, by, bx) the factor on a random z's σ per block: (1 + :func:`surviving_ac`)^``exponent`` times
    the file's step factor; ones for exponent 0."""
    if exponent == 0.0:
        n, _, by, bx = code.y_q.shape
        return code.y_q.new_ones((n, 1, by, bx))
    step = code.y_table[:, 1:].mean((1, 2, 3)).view(-1, 1, 1, 1)
    return (1.0 + surviving_ac(code)) ** exponent * (step / REFERENCE_STEP) ** STEP_EXPONENT
