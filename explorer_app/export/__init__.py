"""Verified export: render, repair what rounding broke, write atomically, verify what was written."""
