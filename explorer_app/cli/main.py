"""``jpeg-explorer``: argparse set-up and dispatch. Tests call ``main([...])``."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence

from ..train import cli as train_command
from .errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_INTERRUPTED, fail
from . import bench_command, decode_command, digits_command, gui_command, models_command, verify_command
from .errors import EXIT_CODES_HELP

Command = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
COMMANDS: list[Command] = [
    ("gui", "open the desktop application (the default command)", gui_command.add_arguments, gui_command.run),
    (
        "decode",
        "decode a JPEG with the network and write a verified PNG",
        decode_command.add_arguments,
        decode_command.run,
    ),
    ("verify", "check that a PNG is consistent with a JPEG file", verify_command.add_arguments, verify_command.run),
    ("models", "list the shipped models", models_command.add_arguments, models_command.run),
    ("digits", "ten consistent digit hypotheses for a box, ranked", digits_command.add_arguments, digits_command.run),
    ("bench", "time decoding, editing and digit hypotheses", bench_command.add_arguments, bench_command.run),
    ("train", "train the decoders of one size on a photo pack", train_command.add_arguments, train_command.run),
]


def setup_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jpeg-explorer",
        description="Explore every image a JPEG file could have come from.",
        epilog=EXIT_CODES_HELP,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text, add_arguments, run in COMMANDS:
        sub = commands.add_parser(name, help=help_text, description=help_text, epilog=EXIT_CODES_HELP)
        add_arguments(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = {name for name, *_ in COMMANDS}
    if not argv or (argv[0] not in names and not argv[0].startswith("-")):
        argv = ["gui", *argv]  # `jpeg-explorer [FILE]` opens the GUI
    args = setup_args().parse_args(argv)
    try:
        with warnings.catch_warnings():
            if not sys.warnoptions:  # stderr carries one line, ours; `python -W ...` still shows warnings
                warnings.simplefilter("ignore")
            code = args.run(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # `jpeg-explorer models | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
    except MemoryError:
        return fail("out of memory", EXIT_INTERNAL)
    except Exception as error:  # noqa: BLE001 - the last resort: one line and exit 3 instead of a traceback
        return fail(f"internal error ({type(error).__name__}: {error}); please report it", EXIT_INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
