"""Offline training data: photo collection, filtering and the photo pack loader."""
