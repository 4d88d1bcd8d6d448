"""Rashomon capacity (Hsu & Calmon 2022) by Blahut-Arimoto, one channel per sample."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _errors
from .._dask import is_dask_array
from .._parallel import numba_threads
from .._validation import check_probabilities
from . import _dask, _kernels

__all__ = ["rashomon_capacity"]

# Samples per parallel task: a capacity costs thousands of flops, so small tasks balance
# the threads without measurable scheduling overhead.
_CAPACITY_BLOCK = 16


def rashomon_capacity(probabilities: ArrayLike, *, bits: bool = False, tol: float = 1e-9,
                      max_iter: int = 10_000, n_jobs: int | None = None
                      ) -> NDArray[np.float64]:
    """Rashomon capacity of every sample: how many classes the models' outputs span.

    For sample ``x`` the models' class distributions form a channel from "which model"
    to "which class"; its capacity ``C(x) = max_p I(model; class)`` (in bits) is 0 when
    all models agree and ``log2 k`` when ``k`` models are each certain of a different
    class. The Rashomon capacity is ``RC(x) = 2 ** C(x)``, in ``[1, min(n_models,
    n_classes)]``: the effective number of classes the Rashomon set spreads ``x`` over.

    Parameters
    ----------
    probabilities : array-like of shape (n_models, n_samples, n_classes) or (n_models, n_samples)
        Class probabilities of every model (rows sum to 1), or positive-class
        probabilities of a binary task. float32 and float64 are read in place.
        A ``dask.array.Array`` is computed block by block on the cluster.
        Each sample needs all models at once, so the model axis is rechunked to one
        chunk.
    bits : bool, default=False
        Return the capacity ``C`` in bits instead of ``RC = 2 ** C``.
    tol : float, default=1e-9
        Stop when the Blahut-Arimoto upper and lower bounds on ``C`` are within ``tol``
        bits; the value returned is the lower bound, so ``C - tol <= result <= C``.
    max_iter : int, default=10_000
        Iteration cap per sample; a ``ConvergenceWarning`` names how many samples hit it.
    n_jobs : int, default=None
        Numba threads for this call (``-1``: all cores; ``None``: Numba's current setting).

    Returns
    -------
    ndarray of shape (n_samples,)
        ``RC`` in ``[1, min(n_models, n_classes)]``, or ``C`` in bits with ``bits=True``.

    See Also
    --------
    viable_prediction_range, disagreement

    Notes
    -----
    Hsu & Calmon (2022), "Rashomon Capacity: A Metric for Predictive Multiplicity in
    Classification", NeurIPS. Each sample runs Blahut-Arimoto (Blahut 1972; Arimoto
    1972) from the uniform distribution over models, in parallel over samples. Extra
    memory per thread: one ``(n_models, n_classes)`` float64 channel.

    Examples
    --------
    >>> Q = [[[1.0, 0.0], [0.5, 0.5]],
    ...      [[0.0, 1.0], [0.5, 0.5]]]
    >>> rashomon_capacity(Q)
    array([2., 1.])
    >>> rashomon_capacity(Q, bits=True)
    array([1., 0.])
    """
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not (
            math.isfinite(tol) and tol > 0):
        raise ValueError(_errors.TOL_POSITIVE.format(tol))
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 1:
        raise ValueError(_errors.MAX_ITER_POSITIVE.format(max_iter))
    if is_dask_array(probabilities):
        nats, converged, shape = _dask.capacity_nats(
            probabilities, float(tol) * math.log(2.0), int(max_iter), _CAPACITY_BLOCK, n_jobs)
    else:
        Q = check_probabilities(probabilities)
        shape = Q.shape
        Q3 = Q.reshape((*Q.shape, 1)) if Q.ndim == 2 else Q
        with numba_threads(n_jobs):
            nats, _, converged = _kernels._rashomon_capacity(
                Q3, Q.ndim == 2, float(tol) * math.log(2.0), int(max_iter), _CAPACITY_BLOCK)
    n_bad = int(np.count_nonzero(~converged))
    if n_bad:
        from sklearn.exceptions import ConvergenceWarning  # sklearn loads only when needed

        warnings.warn(
            f"rashomon_capacity: {n_bad} of {converged.size} samples did not reach "
            f"tol={tol:g} bits within max_iter={max_iter}; their values are lower bounds",
            ConvergenceWarning, stacklevel=2)
    if bits:
        return nats / math.log(2.0)
    k = 2 if len(shape) == 2 else shape[2]
    return np.clip(np.exp(nats), 1.0, float(min(shape[0], k)))
