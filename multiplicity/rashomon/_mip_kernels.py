"""Numba kernels of :class:`LinearMIPExplorer`: the intercept sweep of a linear direction.

Every array is indexed by distinct feature vector (``n_distinct``), already sorted by the
score of the direction being swept.
"""

from __future__ import annotations

from numba import njit

from .._config import NJIT


@njit(**NJIT)
def _sweep_cuts(scores, n_pos, n_neg, base_pos, cap):
    """All thresholds of one direction: which cuts stay within the error budget.

    Cut ``c`` predicts -1 for the first ``c`` points (in score order) and +1 for the rest;
    only cuts between strictly different scores are allowed (plus ``c = 0`` and ``c = K``).

    Parameters
    ----------
    scores : float64 (K,), ascending
    n_pos, n_neg : int64 (K,)
        Rows labelled +1 and -1 at each point.
    base_pos : bool (K,)
        Whether the baseline predicts +1 at the point.
    cap : int64
        Largest number of errors allowed.

    Returns
    -------
    (c_lo, c_hi, c_best, best_flips, c_err, min_err) : int64
        Smallest and largest feasible cut (``-1`` if none is feasible), the feasible cut
        flipping the most rows and that number of rows, the cut with the fewest errors
        and that number.
    """
    K = scores.shape[0]
    tot_neg = 0
    tot_base_neg = 0
    for k in range(K):
        tot_neg += n_neg[k]
        if not base_pos[k]:
            tot_base_neg += n_pos[k] + n_neg[k]
    cum_pos = 0  # rows labelled +1 among the first c points
    cum_neg = 0
    cum_base_pos = 0  # rows of baseline-positive points among the first c points
    cum_base_neg = 0
    c_lo = -1
    c_hi = -1
    c_best = -1
    best_flips = -1
    c_err = 0
    min_err = -1
    for c in range(K + 1):
        if c > 0:
            k = c - 1
            cum_pos += n_pos[k]
            cum_neg += n_neg[k]
            if base_pos[k]:
                cum_base_pos += n_pos[k] + n_neg[k]
            else:
                cum_base_neg += n_pos[k] + n_neg[k]
        if 0 < c < K and not scores[c - 1] < scores[c]:
            continue
        err = cum_pos + (tot_neg - cum_neg)
        if min_err < 0 or err < min_err:
            min_err = err
            c_err = c
        if err <= cap:
            if c_lo < 0:
                c_lo = c
            c_hi = c
            flips = cum_base_pos + (tot_base_neg - cum_base_neg)
            if flips > best_flips:
                best_flips = flips
                c_best = c
    return c_lo, c_hi, c_best, best_flips, c_err, min_err
