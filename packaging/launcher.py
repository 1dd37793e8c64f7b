"""Entry script of the PyInstaller bundle: the same entry point as the installed ``jpeg-explorer`` command."""
import sys

from explorer_app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
