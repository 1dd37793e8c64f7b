"""Segment displays as the glyph tools draw them: where each segment lies in a character cell, and which
segments light up for each class, with the variants real displays use (a 7 with or without its left
flag, a 6 and a 9 with or without their tails).

Cell coordinates: x from 0 (left) to 1 (right), y from 0 (top) to 1 (bottom); a segment is the centre
line between two points, drawn with the display's stroke thickness.
"""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class SegmentFont:
    """A segment display: ``segments`` name → (start, end) centre line in cell coordinates; ``classes``
    label → its variants, each the names of the lit segments."""

    name: str
    segments: dict[str, tuple[Point, Point]]
    classes: dict[str, tuple[frozenset[str], ...]]

    @property
    def labels(self) -> list[str]:
        return list(self.classes)

    def variants(self) -> list[tuple[str, frozenset[str]]]:
        """Every (label, lit segments) pair, classes in order."""
        return [(label, lit) for label, options in self.classes.items() for lit in options]


_OUTLINE: dict[str, tuple[Point, Point]] = {
    "a": ((0.0, 0.0), (1.0, 0.0)),
    "b": ((1.0, 0.0), (1.0, 0.5)),
    "c": ((1.0, 0.5), (1.0, 1.0)),
    "d": ((0.0, 1.0), (1.0, 1.0)),
    "e": ((0.0, 0.5), (0.0, 1.0)),
    "f": ((0.0, 0.0), (0.0, 0.5)),
}


def _lit(*options: str) -> tuple[frozenset[str], ...]:
    """Variants written as space-separated segment names: ``_lit("a b c", "a b c f")``."""
    return tuple(frozenset(option.split()) for option in options)


SEVEN_SEGMENT = SegmentFont(
    "seven-segment",
    {**_OUTLINE, "g": ((0.0, 0.5), (1.0, 0.5))},
    {
        "0": _lit("a b c d e f"),
        "1": _lit("b c"),
        "2": _lit("a b d e g"),
        "3": _lit("a b c d g"),
        "4": _lit("b c f g"),
        "5": _lit("a c d f g"),
        "6": _lit("a c d e f g", "c d e f g"),
        "7": _lit("a b c", "a b c f"),
        "8": _lit("a b c d e f g"),
        "9": _lit("a b c d f g", "a b c f g"),
    },
)
"""Digits on a seven-segment display (clocks, meters, counters)."""

FOURTEEN_SEGMENT = SegmentFont(
    "fourteen-segment",
    {
        **_OUTLINE,
        "g1": ((0.0, 0.5), (0.5, 0.5)),
        "g2": ((0.5, 0.5), (1.0, 0.5)),
        "ul": ((0.0, 0.0), (0.5, 0.5)),  # the diagonal from the top-left corner to the centre
        "um": ((0.5, 0.0), (0.5, 0.5)),
        "ur": ((1.0, 0.0), (0.5, 0.5)),
        "ll": ((0.0, 1.0), (0.5, 0.5)),
        "lm": ((0.5, 0.5), (0.5, 1.0)),
        "lr": ((1.0, 1.0), (0.5, 0.5)),
    },
    {
        "A": _lit("a b c e f g1 g2"),
        "B": _lit("a b c d g2 um lm"),
        "C": _lit("a d e f"),
        "D": _lit("a b c d um lm"),
        "E": _lit("a d e f g1", "a d e f g1 g2"),
        "F": _lit("a e f g1", "a e f g1 g2"),
        "G": _lit("a c d e f g2"),
        "H": _lit("b c e f g1 g2"),
        "I": _lit("a d um lm"),
        "J": _lit("b c d e", "b c d"),
        "K": _lit("e f g1 ur lr"),
        "L": _lit("d e f"),
        "M": _lit("b c e f ul ur"),
        "N": _lit("b c e f ul lr"),
        "O": _lit("a b c d e f"),
        "P": _lit("a b e f g1 g2"),
        "Q": _lit("a b c d e f lr"),
        "R": _lit("a b e f g1 g2 lr"),
        "S": _lit("a c d f g1 g2", "a d ul g2 c", "a c d f g1 g2 ul lr"),
        "T": _lit("a um lm"),
        "U": _lit("b c d e f"),
        "V": _lit("e f ll ur"),
        "W": _lit("b c e f ll lr", "b c e f um ll lr"),
        "X": _lit("ul ur ll lr"),
        "Y": _lit("ul ur lm"),
        "Z": _lit("a d ur ll"),
    },
)
"""Capital letters on a fourteen-segment display (alphanumeric clocks, meters, signs)."""

ALPHABETS: dict[str, SegmentFont] = {"digits": SEVEN_SEGMENT, "letters": FOURTEEN_SEGMENT}
"""The glyph sets the hypothesis tools offer, by the name the CLI and the GUI use."""

__all__ = ["ALPHABETS", "FOURTEEN_SEGMENT", "SEVEN_SEGMENT", "SegmentFont"]
