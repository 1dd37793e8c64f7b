"""Glyph classifiers (digits, letters) that steer exploration: differentiable, robust to JPEG damage."""

from .glyph_classifier import GlyphClassifier
from .network import GlyphNet
from .store import available_classifiers, load_classifier, save_classifier

__all__ = ["GlyphClassifier", "GlyphNet", "available_classifiers", "load_classifier", "save_classifier"]
