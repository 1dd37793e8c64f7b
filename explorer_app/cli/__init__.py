"""Command-line interface (see the contract in DESIGN.md)."""
