"""Dialogs: the export result, preferences, the keyboard shortcuts and about."""
