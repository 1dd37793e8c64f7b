"""The engine is headless: importing it (and the CLI commands built on it) never loads Qt."""

import subprocess
import sys


def test_engine_never_imports_qt():
    code = (
        "import sys, explorer_app.engine, explorer_app.cli.digits_command, explorer_app.cli.bench_command; "
        "print(sorted(m for m in sys.modules if m.startswith(('PyQt', 'superqt'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
