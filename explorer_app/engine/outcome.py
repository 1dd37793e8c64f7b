"""What an edit achieved, in the user's terms: what was asked, what the file allowed, what was reached.

Each tool measures its own quantity on the window before and after the committed edit (see
``Tool.outcomes``); this module only holds the figures and says them in one sentence. Qt-free.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

UNITS = {"grey levels": ("{} grey levels", 1), "×": ("×{}", 2), "%": ("{}%", 0), "°": ("{}°", 0)}
"""How each unit is written: a template around the number, and the decimals it is given with."""


class Allowed(Enum):
    """What kind of figure ``Outcome.allowed`` is, and how it is said."""

    ABOUT = "the file allows about {} here"
    """The image the file allows nearest to the request reaches it (the projection of paper eq. 2)."""
    AT_MOST = "the file allows at most {} here"
    """No image the file allows goes above it (an upper bound over the quantization box)."""
    AT_LEAST = "the file allows no less than {} here"
    """No image the file allows goes below it (a lower bound over the quantization box)."""


@dataclass(frozen=True)
class Outcome:
    """One quantity of an edit. ``asked``: what the tool was set to reach; ``allowed``: what the image
    the file allows nearest to the request reaches (the projection of paper eq. 2), or a bound over the
    quantization box, as ``bound`` says; None where the tool has neither; ``before``: the value before the
    edit, for quantities that are levels rather than changes; ``reached``: the committed result.
    ``signed`` writes changes as +/−."""

    quantity: str
    unit: str
    reached: float
    asked: float | None = None
    allowed: float | None = None
    before: float | None = None
    signed: bool = False
    bound: Allowed = Allowed.ABOUT

    def value(self, number: float) -> str:
        template, decimals = UNITS[self.unit]
        return template.format(f"{number:+.{decimals}f}" if self.signed else f"{number:.{decimals}f}")

    def text(self) -> str:
        """One sentence, e.g. "Brightness: asked +40.0 grey levels; the file allows about +4.1 grey
        levels here; reached +2.4 grey levels"; a level adds where it started: "… reached 2.9 grey levels
        (from 6.2 grey levels)"."""
        if self.before is not None and self.asked is None and self.allowed is None:
            return f"{self.quantity}: from {self.value(self.before)} to {self.value(self.reached)}"
        parts = [] if self.asked is None else [f"asked {self.value(self.asked)}"]
        if self.allowed is not None:
            parts.append(self.bound.value.format(self.value(self.allowed)))
        since = "" if self.before is None else f" (from {self.value(self.before)})"
        parts.append(f"reached {self.value(self.reached)}{since}")
        return f"{self.quantity}: " + "; ".join(parts)

    def as_dict(self) -> dict[str, object]:
        """JSON-able, with the sentence (for history records and export reports)."""
        figures = {
            key: (round(value, 4) if isinstance(value, float) else value)
            for key, value in asdict(self).items()
            if value is not None and key != "bound"
        }
        if self.allowed is not None:
            figures["bound"] = self.bound.name.lower()
        return {**figures, "text": self.text()}
