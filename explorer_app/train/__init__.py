"""Training scripts for the shipped models."""
