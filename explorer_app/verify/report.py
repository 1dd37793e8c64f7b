"""Per-component agreement figures and the JSON verification report."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch

COMPONENT_NAMES = ("Y", "Cb", "Cr")


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
        return {**asdict(self), "identical_fraction": self.identical_fraction,
                "within_one_fraction": self.within_one / self.total if self.total else 1.0}


def agreement(reencoded: list[torch.Tensor], original: list[torch.Tensor]) -> list[ComponentAgreement]:
    """Compare [Y, Cb, Cr] quantized maps (any shape, same per component)."""
    result = []
    for name, a, b in zip(COMPONENT_NAMES, reencoded, original):
        diff = (a - b).abs()
        result.append(ComponentAgreement(name, diff.numel(), int((diff == 0).sum()), int((diff <= 1).sum()),
                                         int(diff.max()) if diff.numel() else 0))
    return result


def combine(parts: list[list[ComponentAgreement]]) -> list[ComponentAgreement]:
    """Per-component figures of a whole image from those of its disjoint parts ([Y, Cb, Cr] each)."""
    return [ComponentAgreement(same[0].name, sum(c.total for c in same), sum(c.identical for c in same),
                               sum(c.within_one for c in same), max(c.max_abs_difference for c in same))
            for same in zip(*parts)]


def overall_fraction(components: list[ComponentAgreement]) -> float:
    total = sum(c.total for c in components)
    return sum(c.identical for c in components) / total if total else 1.0


@dataclass
class VerificationReport:
    """Everything a second person needs to check an exported image against its source file."""

    verified: bool
    image: dict[str, object]
    source: dict[str, object]
    reference_encoder: list[ComponentAgreement]
    libjpeg: list[ComponentAgreement] | None
    plain_decode_libjpeg: list[ComponentAgreement] | None
    libjpeg_note: str = ""
    model: dict[str, str] | None = None
    history: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        def figures(components: list[ComponentAgreement] | None) -> dict[str, object] | None:
            if components is None:
                return None
            return {"identical_fraction": overall_fraction(components),
                    "components": [c.as_dict() for c in components]}

        return {
            "verified": self.verified,
            "image": self.image,
            "source": self.source,
            "reference_encoder": figures(self.reference_encoder),
            "libjpeg_reencode": figures(self.libjpeg),
            "plain_libjpeg_decode_reencode": figures(self.plain_decode_libjpeg),
            "libjpeg_note": self.libjpeg_note,
            "model": self.model,
            "history": self.history,
            "notes": self.notes,
        }

    def summary(self) -> str:
        """One line for a terminal or a status bar."""
        ref = overall_fraction(self.reference_encoder) * 100
        parts = [f"{'VERIFIED' if self.verified else 'NOT VERIFIED'}: reference encoder {ref:.4f}% identical"]
        if self.libjpeg is not None:
            parts.append(f"libjpeg re-encode {overall_fraction(self.libjpeg) * 100:.3f}%")
        if self.plain_decode_libjpeg is not None:
            parts.append(f"(plain libjpeg decode: {overall_fraction(self.plain_decode_libjpeg) * 100:.3f}%)")
        return ", ".join(parts)
