"""What verification found, per encoder and per component, and the JSON report (docs/verification.md).

VERIFIED means that at least one documented encoder that applies to the image maps it to exactly the file's
quantized coefficients. The report says which encoders reproduce the file, the figures of each (identical
and within ±1 per component), the blocks where an encoder misses (where, by how much, and whether any image
within [0, 255] could reach them), and how much room the file leaves inside the quantization boxes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch

COMPONENT_NAMES = ("Y", "Cb", "Cr")
ALWAYS_TRIED = ("libjpeg", "reference")
"""The encoders every verification tries; the verdict line gives each one's figures, and of the others tried
(only when libjpeg's integer encoder misses) the number and the closest."""


@dataclass(frozen=True)
class ComponentAgreement:
    """How many re-encoded coefficients of one component equal the file's (and are within ±1)."""

    name: str
    total: int
    identical: int
    within_one: int
    max_abs_difference: int

    @property
    def identical_fraction(self) -> float:
        return self.identical / self.total if self.total else 1.0

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            **asdict(self),
            "identical_fraction": self.identical_fraction,
            "within_one_fraction": self.within_one / self.total if self.total else 1.0,
        }


def agreement(reencoded: list[torch.Tensor], original: list[torch.Tensor]) -> list[ComponentAgreement]:
    """Compare [Y, Cb, Cr] quantized maps (any shape, same per component)."""
    result = []
    for name, a, b in zip(COMPONENT_NAMES, reencoded, original, strict=False):
        diff = (a - b).abs()
        result.append(
            ComponentAgreement(
                name,
                diff.numel(),
                int((diff == 0).sum()),
                int((diff <= 1).sum()),
                int(diff.max()) if diff.numel() else 0,
            )
        )
    return result


def combine(parts: list[list[ComponentAgreement]]) -> list[ComponentAgreement]:
    """Per-component figures of a whole image from those of its disjoint parts ([Y, Cb, Cr] each)."""
    return [
        ComponentAgreement(
            same[0].name,
            sum(c.total for c in same),
            sum(c.identical for c in same),
            sum(c.within_one for c in same),
            max(c.max_abs_difference for c in same),
        )
        for same in zip(*parts, strict=True)
    ]


def overall_fraction(components: list[ComponentAgreement]) -> float:
    total = sum(c.total for c in components)
    return sum(c.identical for c in components) / total if total else 1.0


@dataclass(frozen=True)
class BlockMiss:
    """One 8×8 block of one component where an encoder does not give back the file's coefficients.

    row, col: the block in the component's grid; x, y, width, height: the image pixels it covers (chroma
    blocks of a subsampled file cover 16 pixels a side); coefficients: how many of its 64 differ; excess:
    how far the worst lies outside its quantization box (steps, X_D ⊘ M − X_Q beyond ±½); largest_difference:
    the largest |X_Q| difference. reachable: whether any image within [0, 255] gives this block's MCU the
    file's coefficients under the reference encoder (False: proved out of reach; None: not examined);
    nearest_excess: for an unreachable MCU, the smallest worst excess any in-range image achieves (steps),
    or a lower bound on it; proof: how it was proved, "linear programme" (the exact smallest excess: a
    saturated block) or "coefficient range" (one coefficient's box lies outside the range of values any
    in-range image gives it: a lower bound; a damaged or crafted file, or a saturated block at fine
    quality), followed by ", beyond libjpeg" where no 8-bit image reaches it under libjpeg either."""

    component: str
    row: int
    col: int
    x: int
    y: int
    width: int
    height: int
    coefficients: int
    excess: float
    largest_difference: int
    reachable: bool | None = None
    nearest_excess: float | None = None
    proof: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Room:
    """How much room one component of the file leaves an image that one encoder verifies.

    A coefficient's margin is ½ − |X_D ⊘ M − X_Q| (steps): how far it may move before it re-quantizes
    differently; a block's margin is its smallest. single-sample tolerance: the change of one sample of the
    component's plane (levels) below which no coefficient of the block can leave its box (for libjpeg
    approximately: its integer rounding adds up to ±½ level). Figures over all blocks of the component."""

    component: str
    smallest_margin: float
    median_margin: float
    largest_margin: float
    largest_margin_at: tuple[int, int]
    smallest_tolerance: float
    median_tolerance: float
    largest_tolerance: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class EncoderFigures:
    """One encoder's judgement of the image. applies: whether it can judge this image at all (libjpeg takes
    8-bit samples) and ``reason`` when not; mismatched_blocks: how many blocks it misses; misses: the first
    of them (at most :data:`~.verifier.LISTED_BLOCKS`), worst first; room: per component, when it reproduces
    the file; scope: empty when the whole image was judged, else the part judged (an encoder screened on
    the first strip, which it misses: it cannot reproduce the file)."""

    key: str
    name: str
    title: str
    applies: bool
    reason: str = ""
    components: list[ComponentAgreement] = field(default_factory=list)
    mismatched_blocks: int = 0
    misses: list[BlockMiss] = field(default_factory=list)
    room: list[Room] = field(default_factory=list)
    scope: str = ""

    @property
    def reproduces(self) -> bool:
        return self.applies and not self.scope and all(c.identical == c.total for c in self.components)

    @property
    def saturated_blocks(self) -> list[BlockMiss]:
        """The listed misses proved unreachable by any in-range image."""
        return [miss for miss in self.misses if miss.reachable is False]

    def differing(self) -> str:
        """ "Y 120, Cb 3" for the components with differing coefficients."""
        return ", ".join(f"{c.name} {c.total - c.identical}" for c in self.components if c.identical < c.total)

    def as_dict(self) -> dict[str, object]:
        return {
            "encoder": self.key,
            "title": self.title,
            "applies": self.applies,
            "reason": self.reason,
            "reproduces": self.reproduces,
            "identical_fraction": overall_fraction(self.components) if self.applies else None,
            "components": [c.as_dict() for c in self.components],
            "mismatched_blocks": self.mismatched_blocks,
            "saturated_blocks": len(self.saturated_blocks),
            "misses": [m.as_dict() for m in self.misses],
            "room": [r.as_dict() for r in self.room],
            "scope": self.scope or "the whole image",
        }


def _figure(figures: EncoderFigures) -> str:
    if not figures.applies:
        return f"{figures.key}: {figures.reason}"
    if figures.reproduces:
        return f"{figures.key}: 100% identical"
    if figures.scope:
        return f"{figures.key}: {overall_fraction(figures.components) * 100:.4f}% identical in the first strip"
    unreached = figures.saturated_blocks
    kind = "saturated " if all(m.proof == "linear programme" for m in unreached) else ""
    plural = "s" * (len(unreached) != 1)
    note = f"; {len(unreached)} {kind}block{plural} no in-range image reaches" if unreached else ""
    return (
        f"{figures.key}: {overall_fraction(figures.components) * 100:.4f}% identical ({figures.differing()} "
        f"differ in {figures.mismatched_blocks} blocks{note})"
    )


def verdict_line(encoders: list[EncoderFigures]) -> str:
    """The verdict in one line that explains itself."""
    total = max((sum(c.total for c in e.components) for e in encoders if e.applies), default=0)
    reproducing = [e for e in encoders if e.reproduces]
    missing = [e for e in encoders if not e.reproduces]
    others = "; ".join(_figure(e) for e in missing if e.key in ALWAYS_TRIED)
    rest = [e for e in missing if e.key not in ALWAYS_TRIED]
    if rest:  # the other encoders tried, in one clause: the closest first
        rest.sort(key=lambda e: -overall_fraction(e.components))
        others += f"; {len(rest)} other encoder{'s' * (len(rest) > 1)} tried, closest {_figure(rest[0])}"
    if reproducing:
        who = " and ".join(e.name for e in reproducing)
        verb = "reproduce" if len(reproducing) > 1 else "reproduces"
        return f"VERIFIED: {who} {verb} all {total:,} coefficients of the file" + (f" ({others})" if others else "")
    return f"NOT VERIFIED: no encoder reproduces the file ({others})"


@dataclass
class VerificationReport:
    """Everything a second person needs to check an exported image against its source file. remedy: what
    to do about an export that does not verify (set by the export); untried: the other encoders that were
    not tried, each ``encoder`` (key), ``title`` and ``reason`` (one already reproduced the file, or they
    cannot judge this image); repaired_for: the key of the encoder an export was repaired for ("" for an
    image ``verify`` judges)."""

    image: dict[str, object]
    source: dict[str, object]
    encoders: list[EncoderFigures]
    model: dict[str, str | None] | None = None
    history: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    remedy: str = ""
    untried: list[dict[str, str]] = field(default_factory=list)
    repaired_for: str = ""

    @property
    def verified(self) -> bool:
        return any(e.reproduces for e in self.encoders)

    @property
    def reproduced_by(self) -> list[str]:
        return [e.key for e in self.encoders if e.reproduces]

    def summary(self) -> str:
        """The verdict in one line for a terminal or a status bar."""
        return verdict_line(self.encoders)

    def as_dict(self) -> dict[str, object]:
        return {
            "verified": self.verified,
            "verdict": self.summary(),
            "reproduced_by": self.reproduced_by,
            "image": self.image,
            "source": self.source,
            "encoders": [e.as_dict() for e in self.encoders],
            "untried": self.untried,
            "remedy": self.remedy,
            "repaired_for": self.repaired_for,
            "model": self.model,
            "history": self.history,
            "notes": self.notes,
        }
