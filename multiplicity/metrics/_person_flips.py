"""Per-person flip counts against a baseline, shared by the accumulation curves and the
flip probabilities."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from .. import _errors
from .._kernels_common import sample_flip_counts
from .._validation import check_prediction_baseline, check_predictions

__all__ = ["person_flip_counts", "resolve_baseline"]


def resolve_baseline(predictions: ArrayLike, baseline: ArrayLike | int
                     ) -> tuple[np.ndarray, np.ndarray, int | None]:
    """``(P, b, row)``: checked labels, the baseline's labels, and the baseline's row (None
    for a baseline given as labels). A baseline row is not one of the models compared
    with it, so at least one other row must be left."""
    P, b = check_prediction_baseline(check_predictions(predictions), baseline)
    m = P.shape[0]
    row = None
    if isinstance(baseline, numbers.Integral) and not isinstance(baseline, bool | np.bool_):
        row = int(baseline) % m
        if m == 1:
            raise ValueError(_errors.NO_OTHER_MODELS.format(index=int(baseline), n_models=m))
    return P, b, row


def person_flip_counts(predictions: ArrayLike, baseline: ArrayLike | int
                       ) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, int | None]:
    """``(counts, n_models, P, b, row)``: per person the number of models (the baseline row
    excluded) whose label differs from the baseline's, in one pass over ``P``."""
    P, b, row = resolve_baseline(predictions, baseline)
    return sample_flip_counts(P, b), P.shape[0] - (row is not None), P, b, row
