"""Measures of predictive multiplicity over a set of models (array functions).

``predictions`` are ``(n_models, n_samples)`` labels; ``probabilities`` are
``(n_models, n_samples)`` positive-class probabilities or ``(n_models, n_samples,
n_classes)`` class probabilities; the regression measures take ``(n_models, n_samples)``
real-valued ``predictions`` (regression outputs or scores); ``baseline`` is the reference
model h0 (its outputs, or an int naming its row).
"""

from ._accumulation import ambiguity_curve, ambiguity_estimate, discrepancy_curve
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
from ._flip_probability import arbitrary, flip_probability, retrainings_needed
from ._regression import (
    decision_ambiguity,
    prediction_range,
    regression_ambiguity,
    regression_discrepancy,
)

__all__ = [
    "ambiguity",
    "ambiguity_curve",
    "ambiguity_discrepancy",
    "ambiguity_estimate",
    "ambiguous_samples",
    "arbitrary",
    "churn",
    "decision_ambiguity",
    "disagreement",
    "disagreement_error_estimate",
    "discrepancy",
    "discrepancy_curve",
    "flip_probability",
    "negative_flip_rate",
    "pairwise_disagreement",
    "positive_flip_rate",
    "prediction_range",
    "probabilistic_ambiguity",
    "probabilistic_discrepancy",
    "rashomon_capacity",
    "regression_ambiguity",
    "regression_discrepancy",
    "retrainings_needed",
    "self_consistency",
    "viable_prediction_range",
]
