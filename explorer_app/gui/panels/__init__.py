"""The docked panels (File, Region, View, History, Tools) and the status bar."""
