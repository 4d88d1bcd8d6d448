"""Selective voting: predict the plurality class only where it wins a binomial test."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import check_alpha
from .._kernels_common import vote_block
from .._validation import _RAW_INT_DTYPES, _smallest_int_dtype, check_predictions, label_codes
from . import _kernels


def vote_counts(predictions: ArrayLike) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """Validate a vote matrix and count: ``(top_labels_codes, n_a, n_b, agree, classes)``.

    ``classes`` maps the kernel's class codes back to labels.
    """
    labels = check_predictions(predictions, min_models=1)
    values = labels.values
    P = None
    if labels.categories is not None or values.dtype in _RAW_INT_DTYPES:
        P, offset, n_levels = label_codes(labels)
        if labels.categories is not None:
            classes = np.asarray(labels.categories)
        elif P is values:  # narrow integers read in place: code + offset is the label
            classes = (np.arange(n_levels) + offset).astype(P.dtype)
        else:
            P = None
    if P is None:  # float or wide integer labels: codes into the sorted labels
        classes, inverse = np.unique(values.ravel(), return_inverse=True)
        P = np.ascontiguousarray(inverse.reshape(values.shape),
                                 dtype=_smallest_int_dtype(len(classes)))
        offset, n_levels = 0, len(classes)
    top, n_a, n_b, agree = _kernels._top_two_votes(P, offset, n_levels, vote_block(n_levels))
    return top, n_a, n_b, agree, classes


def labels_with_abstention(classes: NDArray, codes: NDArray, answer: NDArray,
                           abstain_label: Any) -> NDArray:
    """``classes[codes]`` where ``answer``, ``abstain_label`` elsewhere.

    The output dtype holds every class and ``abstain_label`` exactly (see
    :func:`abstention_dtype`).
    """
    check_abstain_label(classes, abstain_label)
    out = np.empty(codes.shape[0], dtype=abstention_dtype(classes, abstain_label))
    out[:] = abstain_label
    out[answer] = classes[codes[answer]]
    return out


def check_abstain_label(classes: NDArray, abstain_label: Any) -> Any:
    """``abstain_label`` is a scalar that is none of ``classes``; returns it."""
    if np.ndim(abstain_label) != 0:
        raise TypeError("abstain_label must be a scalar (a number, a string, or None), got "
                        f"{type(abstain_label).__name__}")
    if any(_same_label(c, abstain_label) for c in classes.tolist()):
        raise ValueError(f"abstain_label={abstain_label!r} is one of the class labels "
                         f"{classes.tolist()}; choose a value no model predicts")
    return abstain_label


def abstention_dtype(classes: NDArray, abstain_label: Any) -> np.dtype:
    """A dtype that holds every class and ``abstain_label`` without loss.

    Integer classes with an integer marker give the smallest integer dtype holding both
    (``-1`` among ``uint8`` classes gives ``int16``); float classes with a numeric marker
    a float dtype; strings with a string marker a string dtype wide enough for both
    (never truncated); bytes likewise. Anything else, bool classes included, gives an
    object array, so no class is converted to another type.
    """
    kind = classes.dtype.kind
    marker = np.asarray(abstain_label)
    mkind = marker.dtype.kind
    if kind in "iu" and mkind in "iu":
        dtype = np.result_type(classes.dtype, np.min_scalar_type(abstain_label))
        if dtype.kind in "iu":  # not float64, which uint64 with a negative marker gives
            return dtype
    elif kind == "f" and mkind in "iuf":
        if mkind in "iu":
            return np.result_type(classes.dtype, np.min_scalar_type(abstain_label))
        return np.result_type(classes.dtype, marker.dtype)
    elif (kind, mkind) in (("U", "U"), ("S", "S"), ("b", "b")):
        return np.result_type(classes.dtype, marker.dtype)
    return np.dtype(object)


ABSTAIN_TEXT = "(abstain)"


def default_abstain_label(classes: NDArray) -> Any:
    """The abstention marker chosen for ``abstain_label=None``: never one of ``classes``.

    - integer classes: ``-1`` when every class is ``>= 0``, otherwise one below the
      smallest class (one above the largest when that does not fit an integer dtype);
    - float classes: NaN, of the classes' float dtype;
    - string classes, also in an object array: ``"(abstain)"``, or ``"(abstain 2)"``,
      ``"(abstain 3)"`` ... when that is a class;
    - anything else (bool classes, mixed objects): ``None``, in an object array.
    """
    kind = classes.dtype.kind
    if kind in "iu":
        lo, hi = int(classes.min()), int(classes.max())
        for marker in (-1 if lo >= 0 else lo - 1, hi + 1):
            if abstention_dtype(classes, marker).kind in "iu":
                return marker
    if kind == "f":
        return classes.dtype.type(np.nan)
    values = classes.tolist()
    if kind == "U" or (kind == "O" and values and all(isinstance(v, str) for v in values)):
        taken = set(values)
        marker, i = ABSTAIN_TEXT, 1
        while marker in taken:
            i += 1
            marker = f"(abstain {i})"
        return marker
    return None


def _same_label(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def selective_vote(predictions: ArrayLike, alpha: float = 0.05, abstain_label: Any = -1
                   ) -> tuple[NDArray, NDArray[np.float64]]:
    """Plurality vote that abstains unless the winner beats the runner-up significantly.

    For each sample, let A and B be the two classes with the most votes, with counts
    ``n_A >= n_B``. Under the null hypothesis that a member is as likely to vote A as B,
    ``n_A`` is binomial with ``n_A + n_B`` trials and success probability 1/2. The sample
    gets label A when the exact two-sided p-value of that test is ``<= alpha``, and
    ``abstain_label`` otherwise (Black, Leino & Fredrikson 2022).

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Every member's predicted label for every sample; labels of any hashable type, no
        missing values. int8/int16 matrices are read in place.
    alpha : float in (0, 1), default=0.05
        Significance level of the test. The probability that the ensemble's answer at a
        sample differs from the answer of the limiting ensemble (infinitely many
        members) is at most about ``alpha``.
    abstain_label : scalar, default=-1
        Label returned where the ensemble abstains. Must not be a class label (with
        labels in ``{-1, 1}`` pass another value, e.g. ``0``).

    Returns
    -------
    labels : ndarray of shape (n_samples,)
        Class A or ``abstain_label``, in a dtype that holds both exactly: integers for
        integer labels with an integer ``abstain_label`` (widened when needed, e.g.
        ``int16`` for ``uint8`` labels and ``-1``), floats for float labels with a
        numeric one, and an object array otherwise (string labels included). Bool
        predictions are counted, and returned, as 0 and 1.
    p_values : ndarray of shape (n_samples,)
        The two-sided p-values, equal to ``scipy.stats.binomtest(n_A, n_A + n_B,
        0.5).pvalue`` (to 1e-14 up to 1,000 models).

    Raises
    ------
    ValueError
        ``predictions`` not 2-D or empty, missing labels, ``alpha`` outside (0, 1), or an
        ``abstain_label`` that is a class.
    TypeError
        ``alpha`` not a number, or ``abstain_label`` not a scalar.

    See Also
    --------
    SelectiveEnsembleClassifier : Train the members and vote selectively.
    multiplicity.metrics.self_consistency : Agreement between two random members.

    Notes
    -----
    The p-value is ``min(1, 2 P(X >= n_A))`` for ``X ~ Binomial(n_A + n_B, 1/2)``, the
    sum of the two tails of the symmetric law. Special cases:

    - a tie at the top (``n_A == n_B``) has p-value 1: the ensemble abstains;
    - a single model (``n_A = 1, n_B = 0``) has p-value 1: it always abstains;
    - a unanimous sample has ``n_B = 0`` and p-value ``2**(1 - m)`` for ``m`` models: it
      needs ``m >= 1 + log2(1 / alpha)`` members to be answered at all (6 members at
      ``alpha = 0.05``);
    - with several classes tied for first place, A is the first in sorted label order
      (the p-value is 1 then, so the choice never shows);
    - votes for classes other than A and B do not enter the test.

    Memory: one pass over ``predictions``; apart from the outputs, one small count
    array per thread.

    References
    ----------
    Black, Leino & Fredrikson (2022), "Selective Ensembles for Consistent Predictions",
    ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> votes = np.array([[1] * 10, [1] * 10, [1] * 6 + [0] * 4]).T  # 10 models, 3 samples
    >>> labels, p = selective_vote(votes, alpha=0.05)
    >>> labels
    array([ 1,  1, -1])
    >>> p.round(4)
    array([0.002 , 0.002 , 0.7539])
    """
    alpha = check_alpha(alpha)
    top, n_a, n_b, _, classes = vote_counts(predictions)
    p_values = _kernels._p_values(n_a, n_b)
    labels = labels_with_abstention(classes, top, p_values <= alpha, abstain_label)
    return labels, p_values
