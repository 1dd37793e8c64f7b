"""Training: the offline photo pack (collection, filtering, loading) and the trainers of the shipped models."""
