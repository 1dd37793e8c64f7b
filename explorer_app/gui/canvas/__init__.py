"""The image canvas: the view and its overlays, numpy images for it, the selection, the shared gestures."""
