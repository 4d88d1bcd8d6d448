"""Measures of predictive multiplicity over a set of models (array functions).

``predictions`` are ``(n_models, n_samples)`` labels; ``probabilities`` are
``(n_models, n_samples)`` positive-class probabilities or ``(n_models, n_samples,
n_classes)`` class probabilities; ``baseline`` is the reference model h0 (its outputs, or
an int naming its row).
"""

from ._ambiguity import (
    ambiguity,
    ambiguity_discrepancy,
    ambiguous_samples,
    discrepancy,
    probabilistic_ambiguity,
    probabilistic_discrepancy,
    viable_prediction_range,
)
from ._capacity import rashomon_capacity
from ._churn import churn, negative_flip_rate, positive_flip_rate
from ._disagreement import (
    disagreement,
    disagreement_error_estimate,
    pairwise_disagreement,
    self_consistency,
)

__all__ = [
    "ambiguity",
    "ambiguity_discrepancy",
    "ambiguous_samples",
    "churn",
    "disagreement",
    "disagreement_error_estimate",
    "discrepancy",
    "negative_flip_rate",
    "pairwise_disagreement",
    "positive_flip_rate",
    "probabilistic_ambiguity",
    "probabilistic_discrepancy",
    "rashomon_capacity",
    "self_consistency",
    "viable_prediction_range",
]
