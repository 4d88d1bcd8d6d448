"""Explanations across a Rashomon set: feature-importance ranges and interaction clouds.

``feature_importance_range`` gives the range of permutation importance of every feature
over the members (model class reliance); ``feature_interaction_cloud`` the feature
interaction scores of every member and feature pair (Li et al. 2024), which
``plot_swarm`` and ``plot_halo`` draw (matplotlib is imported when they are called);
``mask_rashomon_set`` samples a set around one fitted model by scaling its inputs.
"""

from ._importance import ImportanceRanges, feature_importance_range
from ._interaction import feature_interaction_cloud
from ._masking import MaskedClassifier, mask_rashomon_set
from ._plots import plot_halo, plot_swarm

__all__ = ["ImportanceRanges", "MaskedClassifier", "feature_importance_range",
           "feature_interaction_cloud", "mask_rashomon_set", "plot_halo", "plot_swarm"]
