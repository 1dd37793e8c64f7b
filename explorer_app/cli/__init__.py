"""Command-line interface (see the contract in docs/design.md)."""
