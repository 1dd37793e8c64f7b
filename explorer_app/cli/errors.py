"""How the CLI reports a failure: one line on stderr, an exit code, never a traceback."""
from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    """Print ``jpeg-explorer: error: message`` on stderr and return ``code``."""
    print(f"jpeg-explorer: error: {message}", file=sys.stderr)
    return code
