"""PyQt6 desktop application over the decoder and the exploration engine."""
