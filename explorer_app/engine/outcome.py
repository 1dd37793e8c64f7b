"""What an edit achieved, in the user's terms: what was asked, what the file allowed, what was reached.

Each tool measures its own quantity on the window before and after the committed edit (see
``Tool.outcomes``); this module only holds the figures and says them in one sentence. Qt-free.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

UNITS = {"grey levels": ("{} grey levels", 1), "×": ("×{}", 2), "%": ("{}%", 0), "°": ("{}°", 0)}
"""How each unit is written: a template around the number, and the decimals it is given with."""


@dataclass(frozen=True)
class Outcome:
    """One quantity of an edit. ``asked``: what the tool was set to reach; ``allowed``: what the image
    the file allows nearest to the request reaches (the projection of paper eq. 2), None where the tool
    has no drawn target to project; ``before``: the value before the edit, for quantities that are
    levels rather than changes; ``reached``: the committed result. ``signed`` writes changes as +/−."""

    quantity: str
    unit: str
    reached: float
    asked: float | None = None
    allowed: float | None = None
    before: float | None = None
    signed: bool = False

    def value(self, number: float) -> str:
        template, decimals = UNITS[self.unit]
        return template.format(f"{number:+.{decimals}f}" if self.signed else f"{number:.{decimals}f}")

    def text(self) -> str:
        """One sentence, e.g. "Brightness: asked +40.0 grey levels; the file allows about +4.1 grey
        levels here; reached +2.4 grey levels"."""
        if self.before is not None:
            return f"{self.quantity}: from {self.value(self.before)} to {self.value(self.reached)}"
        parts = [] if self.asked is None else [f"asked {self.value(self.asked)}"]
        if self.allowed is not None:
            parts.append(f"the file allows about {self.value(self.allowed)} here")
        parts.append(f"reached {self.value(self.reached)}")
        return f"{self.quantity}: " + "; ".join(parts)

    def as_dict(self) -> dict[str, object]:
        """JSON-able, with the sentence (for history records and export reports)."""
        figures = {
            key: (round(value, 4) if isinstance(value, float) else value)
            for key, value in asdict(self).items()
            if value is not None
        }
        return {**figures, "text": self.text()}
