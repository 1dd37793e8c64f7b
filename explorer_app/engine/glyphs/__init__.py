"""Digit and letter hypotheses by analysis by synthesis: segment displays (segments.py), a differentiable
glyph renderer (render.py), style and per-class fitting with the file's residual and a reader (fit.py),
and the candidates, ranking and verdict (hypotheses.py)."""
