"""How the CLI reports a failure: one line on stderr, an exit code, never a traceback.

Exit codes, the same for every command: 0 done (for ``decode`` and ``verify``: VERIFIED); 1 done but NOT
VERIFIED (``decode`` wrote the PNG and its report, ``verify`` judged the image); 2 nothing usable: bad input
(missing, unreadable, not a JPEG, not a PNG, another size) or an output that cannot be written, and nothing
was written.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_CODES_HELP = (
    "exit codes: 0 verified; 1 written (decode) or judged (verify) but NOT verified; 2 nothing usable "
    "(bad input, an image of another size, an output that cannot be written) and nothing written; "
    "3 internal error or out of memory; 130 interrupted"
)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    """Print ``jpeg-explorer: error: message`` on stderr, as one line whatever the message holds (a file
    name with a line break in it), and return ``code``."""
    line = message.replace("\r", "\\r").replace("\n", "\\n")
    print(f"jpeg-explorer: error: {line}", file=sys.stderr)
    return code
