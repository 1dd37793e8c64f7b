"""What each command is asked to do with a case's input, what it may not touch, and how it may exit.

A target turns (input file, case folder) into the arguments of ``jpeg-explorer``. Its ``aliased`` form asks
the command to write its output over the input itself (under another name where the command adds one): a
command that wrote there would destroy the very file the user asked about. ``gui --screenshot`` is here so
that the GUI's owner can run it (``--targets gui``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from explorer_app.cli.main import main  # imported once here: a forked case does not import torch again

from .runner import Entry

Arguments = Callable[[Path, Path], list[str]]


@dataclass(frozen=True)
class Target:
    """name: the command; arguments(input, folder); aliased(input): arguments writing over the input, or None;
    outputs(folder): files that must not exist after a refusal; exits: the exit codes it may give;
    seconds: its time allowance on a small file, on top of the case's; entry: what runs the arguments."""

    name: str
    arguments: Arguments
    aliased: Callable[[Path], list[str]] | None
    outputs: Callable[[Path], list[Path]]
    exits: frozenset[int]
    seconds: float = 0.0
    entry: Entry = main


CPU = ["--size", "lite", "--device", "cpu"]


def _decode_alias(source: Path) -> list[str]:
    twin = source.with_name(source.name + ".png")  # the input under a second name: a hard link
    twin.hardlink_to(source)
    return ["decode", str(source), "-o", str(twin), *CPU]


def _digits_alias(source: Path) -> list[str]:
    link = source.parent / "out" / "7.png.json"
    link.hardlink_to(source)
    return ["digits", str(link), "--box", "4,4,16,16", "-o", str(link.parent), *CPU]


TARGETS: dict[str, Target] = {
    "decode": Target(
        "decode",
        lambda source, folder: ["decode", str(source), "-o", str(folder / "out" / "x.png"), *CPU],
        _decode_alias,
        lambda folder: [folder / "out" / "x.png", folder / "out" / "x.png.json"],
        frozenset({0, 1, 2}),
    ),
    "verify": Target(
        "verify",
        lambda source, folder: ["verify", str(folder / "image.png"), str(source)],
        None,
        lambda folder: [],
        frozenset({0, 1, 2}),
    ),
    "digits": Target(
        "digits",
        lambda source, folder: [
            "digits",
            str(source),
            "--box",
            "4,4,16,16",
            "-o",
            str(folder / "out" / "digits"),
            *CPU,
        ],
        _digits_alias,
        lambda folder: [folder / "out" / "digits"],
        frozenset({0, 1, 2}),
        seconds=30.0,
    ),
    "gui": Target(
        "gui",
        lambda source, folder: ["gui", str(source), "--screenshot", str(folder / "out" / "s.png")],
        lambda source: ["gui", str(source), "--screenshot", str(source)],
        lambda folder: [folder / "out" / "s.png"],
        frozenset({0, 2}),
        seconds=20.0,
    ),
}
"""Commands by name, for ``--targets``; decode, verify and digits are the default."""
