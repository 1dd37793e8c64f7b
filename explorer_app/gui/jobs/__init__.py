"""Background work (open, edit, export, save, restore), the runner, and the Explorer that starts it."""
