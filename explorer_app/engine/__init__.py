"""Decoding, exploration and the models they use."""
