"""Explanations across a Rashomon set: feature-importance ranges and interaction clouds."""

from ._importance import ImportanceRanges, feature_importance_range

__all__ = ["ImportanceRanges", "feature_importance_range"]
