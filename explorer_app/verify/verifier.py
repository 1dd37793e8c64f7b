"""Judge an image against a JPEG file: could it have been the file's source? (docs/verification.md)

Every documented encoder (:mod:`.encoders`) that applies to the image re-encodes it with the file's tables
and sampling, strip by strip (whole MCU rows: an MCU's coefficients depend on its own pixels only, so the
figures are those of the whole image at once, in bounded memory; mozjpeg encodes the whole image once, and
its strips are compared with that). VERIFIED when at least one gives back every quantized coefficient.
libjpeg's integer encoder and the reference encoder are always tried; when libjpeg's does not reproduce an
8-bit image, the other encoders that write real files (:data:`~.encoders.ALTERNATIVES`) are tried in the
order the file's tables make likely, each first on the first strip only (one that misses there cannot
reproduce the file, and its figures say so), until one reproduces the file. libjpeg's pipelines take 8-bit
samples: they judge an 8-bit image, and a 16-bit one only when every sample is an 8-bit value (a multiple of
257); other 16-bit images are the reference encoder's alone, since judging their 8-bit rounding would judge
another image.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace

import numpy as np
import torch

from ..codec.jpeg_code import JpegCode
from ..codec.tables import estimate_ijg_quality
from ..decoder.code_tensors import CodeTensors
from ..ops.quantization import round_half_away
from .blocks import ComponentFindings
from .encoders import LIBJPEG, REFERENCE, Encoder, likely_order
from .interrupt import Check, never
from .png_io import decode_png, from_samples, png_size, read_png_bytes
from .proofs import Optima, Unreachable, prove_unreachable
from .reference_encoder import code_tensors64, file_quantized, split_components
from .report import COMPONENT_NAMES, BlockMiss, ComponentAgreement, EncoderFigures, VerificationReport, combine
from .tiles import STRIP_PIXELS, mcu_grid, strips

LISTED_BLOCKS = 32
"""Missed blocks listed per encoder in a report (all are counted)."""
EXAMINED_MCUS = 8
"""Missed MCUs examined for reachability by linear programming, when no more are missed: a few saturated
blocks are named as such; an image that misses more holds other content, and each programme, the costliest
piece of a verification, would only add to the wait."""
NEAR_MISS = 0.05
"""Only MCUs missed by less than this (steps) are examined: a saturated block is missed by a hair, while a
block missed by more holds other content, whatever could be reached."""


class SizeMismatchError(ValueError):
    """The image and the JPEG differ in size: it cannot be the file's source, and nothing is compared."""


def image_tensor(image: np.ndarray) -> torch.Tensor:
    """float (H, W, C) → float64 (1, C, H, W)."""
    return torch.from_numpy(np.ascontiguousarray(image, dtype=np.float64)).permute(2, 0, 1)[None]


def stored_rows(samples: np.ndarray, bit_depth: int, top: int, bottom: int, colour: bool) -> np.ndarray:
    """Rows [top, bottom) of PNG samples (H, W, C) as float64 (bottom − top, W, C') on [0, 255]: a grey
    image for a colour file is repeated to R = G = B; a colour image for a grey file stays colour (the
    encoders take its luma, as any encoder makes a grey file)."""
    part = from_samples(samples[top:bottom], bit_depth)
    return np.repeat(part, 3, axis=2) if colour and part.shape[2] == 1 else part


def eight_bit_image(samples: np.ndarray, bit_depth: int, colour: bool) -> np.ndarray:
    """PNG samples (H, W, C) on the 8-bit grid as uint8 (H, W, C'), a grey image for a colour file
    repeated to R = G = B (as :func:`stored_rows`, without a float copy of the whole image)."""
    image = samples.astype(np.uint8) if bit_depth == 8 else (samples // 257).astype(np.uint8)
    return np.repeat(image, 3, axis=2) if colour and image.shape[2] == 1 else image


def on_eight_bit_grid(samples: np.ndarray, bit_depth: int, strip_pixels: int = STRIP_PIXELS) -> bool:
    """Whether every sample is an 8-bit value (always at 8 bits; multiples of 257 at 16)."""
    if bit_depth == 8:
        return True
    rows = max(1, strip_pixels // max(1, samples.shape[1]))
    return all(not (samples[top : top + rows] % 257).any() for top in range(0, samples.shape[0], rows))


def findings_for(code: CodeTensors) -> list[ComponentFindings]:
    """Empty per-component findings over the file's block grids."""
    _, _, by, bx = code.y_q.shape
    result = [ComponentFindings.empty("Y", (by, bx), (1, 1), code.height, code.width)]
    if code.c_q is not None:
        _, _, cby, cbx = code.c_q.shape
        result += [
            ComponentFindings.empty(name, (cby, cbx), code.chroma_factor, code.height, code.width)
            for name in COMPONENT_NAMES[1:]
        ]
    return result


def component_tables(code: CodeTensors) -> list[torch.Tensor]:
    """(64,) table per component: [Y] or [Y, Cb, Cr]."""
    tables = [code.y_table[0, :, 0, 0]]
    return tables + ([] if code.c_table is None else [code.c_table[0, :64, 0, 0], code.c_table[0, 64:, 0, 0]])


def prove_misses_unreachable(
    findings: list[ComponentFindings],
    misses: list[BlockMiss],
    code: CodeTensors,
    known: dict[tuple[int, int], Unreachable],
    optima: Optima | None = None,
    check: Check = never,
) -> list[BlockMiss]:
    """The misses with ``reachable`` filled in under the reference encoder where a proof decides it
    (``known``: MCUs already proved out of reach by the export's repair): every missed MCU a coefficient
    range rules out, and, when at most :data:`EXAMINED_MCUS` others are missed, all by less than
    :data:`NEAR_MISS`, those by linear programming (optima remembered in ``optima``)."""
    fy, fx = code.chroma_factor
    rows, cols = mcu_grid(code)
    missed, worst = np.zeros((rows, cols), dtype=bool), 0.0
    for finding in findings:
        block_rows, block_cols = np.nonzero(finding.misses)
        if finding.name == "Y":
            block_rows, block_cols = block_rows // fy, block_cols // fx
        missed[block_rows, block_cols] = True
        worst = max(worst, float(finding.excess.max()))
    for mcu in known:
        missed[mcu] = False
    channels = 3 if code.is_color else 1
    proofs = {**prove_unreachable(code, channels, missed, examined=0), **known}
    for mcu in proofs:
        missed[mcu] = False
    examinable = 0 < int(missed.sum()) <= EXAMINED_MCUS and worst < NEAR_MISS
    if examinable:
        proofs |= prove_unreachable(code, channels, missed, EXAMINED_MCUS, optima, check)
    result = []
    for miss in misses:
        proof = proofs.get((miss.row // fy, miss.col // fx) if miss.component == "Y" else (miss.row, miss.col))
        if proof is not None:
            miss = replace(miss, reachable=False, nearest_excess=round(proof.excess, 6), proof=proof.proof)
        elif examinable:
            miss = replace(miss, reachable=True)
        result.append(miss)
    return result


def judge(
    encoder: Encoder,
    samples: np.ndarray,
    bit_depth: int,
    code: CodeTensors,
    known: dict[tuple[int, int], Unreachable] | None,
    strip_pixels: int = STRIP_PIXELS,
    screen: bool = False,
    check: Check = never,
    optima: Optima | None = None,
) -> EncoderFigures:
    """One encoder's figures for PNG samples (H, W, C) against ``code`` (float64, N = 1). ``known``: for the
    reference encoder, MCUs already proved out of reach (see :func:`prove_misses_unreachable`); None: do not examine.
    ``screen``: stop after the first strip if the encoder misses there (the figures then cover that strip,
    and ``scope`` says so). ``check``: called before every strip (see :mod:`.interrupt`). ``optima``: see
    :func:`prove_misses_unreachable`."""
    if encoder.eight_bit and not on_eight_bit_grid(samples, bit_depth, strip_pixels):
        return EncoderFigures(
            encoder.key,
            encoder.name,
            encoder.title,
            False,
            "takes 8-bit samples, and these 16-bit ones lie between them",
        )
    findings, tables, scope = findings_for(code), component_tables(code), ""
    parts: list[list[ComponentAgreement]] = []
    prepared = None
    if encoder.prepare is not None:
        prepared = encoder.prepare(eight_bit_image(samples, bit_depth, code.is_color), code)
    for index, window in enumerate(strips(code, strip_pixels)):
        check()
        if screen and index == 1 and any(c.identical < c.total for c in parts[0]):
            scope = f"pixel rows 0-{window[0] - 1} of {code.height} (it misses there; not judged further)"
            break
        part = code.crop(*window)
        pixels = image_tensor(stored_rows(samples, bit_depth, window[0], window[2], code.is_color))
        maps = encoder.normalized(pixels, part) if prepared is None else prepared(pixels, part, window[0])
        normalized = split_components(maps)
        quantized = split_components(file_quantized(part))
        strip = []
        for finding, n, q, table in zip(findings, normalized, quantized, tables, strict=True):
            finding.add(n, q, table, window[0] // (8 * finding.scale[0]))
            strip.append(finding.agreement((round_half_away(n) - q).abs()))
        parts.append(strip)
    components = combine(parts)
    missed = sorted((m for f in findings for m in f.missed()), key=lambda m: -m.excess)
    listed = missed[:LISTED_BLOCKS]
    if encoder is REFERENCE and missed and known is not None:
        listed = prove_misses_unreachable(findings, listed, code, known, optima, check)
    reproduces = not scope and all(c.identical == c.total for c in components)
    return EncoderFigures(
        encoder.key,
        encoder.name,
        encoder.title,
        True,
        "",
        components,
        len(missed),
        listed,
        [f.room() for f in findings] if reproduces else [],
        scope,
    )


def source_facts(code: JpegCode) -> dict[str, object]:
    quality, error = estimate_ijg_quality(code.tables[0])
    return {
        "path": code.source,
        "sha256": code.sha256,
        "width": code.width,
        "height": code.height,
        "subsampling": code.subsampling,
        "progressive": code.progressive,
        "estimated_ijg_quality": quality,
        "tables_match_ijg": error == 0.0,
        "tables": {name: table.tolist() for name, table in zip(COMPONENT_NAMES, code.tables, strict=False)},
    }


def check_size(samples: np.ndarray | tuple[int, int], code: JpegCode, name: str) -> None:
    """Raise SizeMismatchError unless ``samples`` (or its (height, width)) has the JPEG's size."""
    height, width = samples.shape[:2] if isinstance(samples, np.ndarray) else samples
    if (height, width) != (code.height, code.width):
        raise SizeMismatchError(
            f"{name}: the image is {width}×{height} but the JPEG is {code.width}×{code.height}: "
            "it cannot be the JPEG's source (nothing compared)"
        )


def verify_image(
    samples: np.ndarray,
    bit_depth: int,
    code: JpegCode,
    image_path: str = "",
    image_sha256: str = "",
    unreachable: dict[tuple[int, int], Unreachable] | None = None,
    check: Check = never,
    optima: Optima | None = None,
    writer: Encoder | None = None,
) -> VerificationReport:
    """Verify PNG samples (H, W, C) uint8 or uint16, stored at ``bit_depth``, against ``code``.

    ``unreachable``: MCUs (row, col) already proved out of reach under the reference encoder (by the export's
    repair), with their proofs, so that they are not examined twice. ``check``: called before every strip and
    programme (:mod:`.interrupt`: raises Interrupted to stop). ``optima``: programme optima the caller
    remembers (:class:`~.proofs.Optima`; the report does not depend on them). ``writer``: an encoder
    named as the file's writer (an export repaired for it, ``verify --encoder``), judged over the whole
    image whatever else reproduces it. Raises SizeMismatchError.
    """
    check_size(samples, code, image_path or "the image")
    notes: list[str] = []
    facts: dict[str, object] = {
        "path": image_path,
        "sha256": image_sha256,
        "bit_depth": bit_depth,
        "width": int(samples.shape[1]),
        "height": int(samples.shape[0]),
        "channels": int(samples.shape[2]),
    }
    if samples.shape[2] == 3 and not code.is_color:
        notes.append("a colour image for a grey JPEG: judged on its luma, as an encoder makes a grey file")
    if samples.shape[2] == 1 and code.is_color:
        notes.append("a grey image for a colour JPEG: judged as R = G = B")
    tensors = code_tensors64(code)
    libjpeg = judge(LIBJPEG, samples, bit_depth, tensors, None, check=check)
    others, untried = try_alternatives(libjpeg, samples, bit_depth, code, tensors, check, writer)
    undecided = not any(f.reproduces for f in (libjpeg, *others))  # reachability matters only then
    known = (unreachable or {}) if undecided else None
    reference = judge(REFERENCE, samples, bit_depth, tensors, known, check=check, optima=optima)
    return VerificationReport(facts, source_facts(code), [libjpeg, reference, *others], notes=notes, untried=untried)


def try_alternatives(
    libjpeg: EncoderFigures,
    samples: np.ndarray,
    bit_depth: int,
    code: JpegCode,
    tensors: CodeTensors,
    check: Check = never,
    writer: Encoder | None = None,
) -> tuple[list[EncoderFigures], list[dict[str, str]]]:
    """The figures of the other encoders that write real files, tried in the likely order while none has
    reproduced the file, each screened on the first strip; and those not tried, with why (``encoder``,
    ``title``, ``reason``). A named ``writer`` among them is judged first, over the whole image, always."""
    figures: list[EncoderFigures] = []
    untried: list[dict[str, str]] = []
    subsampled = code.is_color and tuple(code.chroma_factor) != (1, 1)
    order = likely_order(list(code.tables))
    if writer in order:
        figures.append(judge(writer, samples, bit_depth, tensors, None, check=check))
        order.remove(writer)
    for encoder in order:
        winner = next((f for f in (libjpeg, *figures) if f.reproduces), None)
        if winner is not None:
            reason = f"not needed: {winner.name} reproduces the file"
        elif not libjpeg.applies:
            reason = libjpeg.reason
        elif encoder.subsampled_only and not subsampled:
            reason = f"the same as {libjpeg.name} for a file without subsampled chroma"
        else:
            figures.append(judge(encoder, samples, bit_depth, tensors, None, screen=True, check=check))
            continue
        untried.append({"encoder": encoder.key, "title": encoder.title, "reason": reason})
    return figures, untried


def verify_file(image_path: str | os.PathLike, code: JpegCode, writer: Encoder | None = None) -> VerificationReport:
    """Read a PNG and verify it against ``code``; a PNG of another size is refused before it is decoded.
    ``writer``: see :func:`verify_image`."""
    name = str(image_path)
    data = read_png_bytes(image_path)
    check_size(png_size(data, name), code, name)
    samples, bit_depth = decode_png(data, name)
    return verify_image(samples, bit_depth, code, name, hashlib.sha256(data).hexdigest(), writer=writer)
