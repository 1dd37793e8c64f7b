"""How the CLI reports a failure: one line on stderr, an exit code, never a traceback."""
from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    """Print ``jpeg-explorer: error: message`` on stderr, as one line whatever the message holds (a file
    name with a line break in it), and return ``code``."""
    line = message.replace("\r", "\\r").replace("\n", "\\n")
    print(f"jpeg-explorer: error: {line}", file=sys.stderr)
    return code
