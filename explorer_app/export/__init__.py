"""Verified export: repair what storage breaks, verify the PNG's bytes, write them with their report as a pair."""
