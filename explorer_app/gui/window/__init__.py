"""The main window: assembles the panels, the canvas and the menus; the action table; session commands; the app."""
