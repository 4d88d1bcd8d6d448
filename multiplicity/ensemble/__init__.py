"""Selective ensembles: predictions that abstain where the choice of model is arbitrary."""

from ._selective import FeatureAttributions, SelectiveEnsembleClassifier
from ._vote import selective_vote

__all__ = ["FeatureAttributions", "SelectiveEnsembleClassifier", "selective_vote"]
