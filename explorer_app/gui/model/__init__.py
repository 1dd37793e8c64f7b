"""The GUI's plain data and display arithmetic, importing no Qt (an import-linter contract)."""
