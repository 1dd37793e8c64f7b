"""Entry script of the PyInstaller bundle: the same entry point as the installed ``jpeg-explorer`` command.

Started with the coefficient reader's argument first, it is that reader's child process instead (a frozen
application cannot run ``python -m``; see explorer_app/codec/coefficient_reader.py).
"""

import sys

if __name__ == "__main__":
    from explorer_app.codec.coefficient_reader import CHILD_ARGUMENT, child_main

    if sys.argv[1:2] == [CHILD_ARGUMENT]:
        sys.exit(child_main(sys.argv[2:]))
    from explorer_app.cli.main import main

    sys.exit(main())
