"""Exact, batched, differentiable torch operations of the JPEG pipeline (no learnable parameters)."""
