"""Glyph classifiers (digits, letters): CNNs trained on many fonts and handwriting under JPEG damage; the
glyph benchmark's second reader, independent of the glyph tool (which draws, and steers with no classifier)."""

from .glyph_classifier import GlyphClassifier
from .network import GlyphNet
from .store import available_classifiers, load_classifier, save_classifier

__all__ = ["GlyphClassifier", "GlyphNet", "available_classifiers", "load_classifier", "save_classifier"]
