"""Similarity of trials on the trial-feature graph: features, methods, explanations, evaluation."""
