"""Verification: does re-compressing an image with the file's tables give back the file's coefficients?"""
