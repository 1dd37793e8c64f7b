"""``python -m explorer_app.train``: see :mod:`explorer_app.train.cli`."""

import sys

from .cli import main

sys.exit(main())
