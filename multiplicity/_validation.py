"""Input checks shared by the public functions.

Every ``check_*`` helper converts user input once (lists, pandas objects, any hashable
labels) into the contiguous arrays the kernels expect, and raises a ``ValueError`` or
``TypeError`` that names the argument when the input cannot be used.  None of them
writes to the caller's data: when a conversion is needed, it works on a copy.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import _errors
from ._config import get_config
from ._kernels_common import _scan_probabilities

__all__ = [
    "Labels",
    "align_to",
    "check_delta",
    "check_labels_1d",
    "check_matrix_shape",
    "check_positive_delta",
    "check_prediction_baseline",
    "check_predictions",
    "check_probabilities",
    "check_probability_baseline",
    "check_real_baseline",
    "check_real_predictions",
    "check_threshold",
    "label_codes",
]

# Integer dtypes the counting kernels read in place (code = value - offset).
_RAW_INT_DTYPES = frozenset(np.dtype(t) for t in ("i1", "i2", "i4", "i8", "u1", "u2", "u4"))
# Widest value range read in place; wider ranges are re-encoded to dense codes.
_MAX_RAW_SPAN = 1 << 16


class Labels(NamedTuple):
    """Predictions ready for the kernels.

    ``values`` is a C-contiguous 2-D array. When the user's labels were not numbers,
    ``values`` holds dense integer codes and ``categories`` the labels they stand for;
    otherwise ``categories`` is ``None`` and ``values`` is numeric (bool read as uint8).
    """

    values: np.ndarray
    categories: pd.Index | None


def _as_array(x: object) -> np.ndarray:
    if isinstance(x, pd.DataFrame | pd.Series):
        return x.to_numpy()
    return np.asarray(x)


def _smallest_int_dtype(n_codes: int) -> np.dtype:
    for dt in (np.int8, np.int16, np.int32):
        if n_codes < np.iinfo(dt).max:
            return np.dtype(dt)
    return np.dtype(np.int64)


def _factorize(values: np.ndarray, name: str) -> tuple[np.ndarray, pd.Index]:
    """Dense codes for any hashable labels; raises on missing values."""
    flat = values.ravel()
    if flat.dtype.kind in "US":
        flat = flat.astype(object)
    try:
        codes, uniques = pd.factorize(flat, use_na_sentinel=True)
    except TypeError as exc:  # unhashable labels (lists, dicts)
        raise TypeError(f"{name} must hold hashable labels: {exc}") from exc
    if codes.size and codes.min() < 0:
        raise ValueError(_errors.MISSING_LABELS.format(name=name))
    codes = codes.astype(_smallest_int_dtype(len(uniques)), copy=False)
    return codes.reshape(values.shape), pd.Index(uniques)


def check_matrix_shape(shape: tuple[int, ...], name: str, min_models: int = 1) -> None:
    """An ``(n_models, n_samples)`` shape: two dimensions, not empty, enough models (for
    in-memory arrays and, from their metadata, dask arrays)."""
    if len(shape) != 2:
        raise ValueError(_errors.NOT_2D.format(name=name, shape=shape))
    if 0 in shape:
        raise ValueError(_errors.EMPTY.format(name=name, shape=shape))
    if shape[0] < min_models:
        raise ValueError(_errors.TOO_FEW_MODELS.format(name=name, need=min_models,
                                                       got=shape[0]))


def check_predictions(predictions: object, *, name: str = "predictions",
                      min_models: int = 1) -> Labels:
    """Validate an ``(n_models, n_samples)`` matrix of class labels.

    Integer and bool matrices are used in place (no copy when already C-contiguous);
    float matrices are checked for NaN and used in place; any other labels are encoded
    to dense integer codes.
    """
    P = _as_array(predictions)
    check_matrix_shape(P.shape, name, min_models)
    kind = P.dtype.kind
    if kind == "b":
        return Labels(np.ascontiguousarray(P).view(np.uint8), None)
    if kind in "iu":
        return Labels(np.ascontiguousarray(P), None)
    if kind == "f":
        if np.isnan(P).any():
            raise ValueError(_errors.MISSING_LABELS.format(name=name))
        return Labels(np.ascontiguousarray(P), None)
    codes, cats = _factorize(P, name)
    return Labels(np.ascontiguousarray(codes), cats)


def label_codes(labels: Labels) -> tuple[np.ndarray, int, int]:
    """Dense class codes for the counting kernels: ``(values, offset, n_levels)``.

    The kernels read class ``values[i, j] - offset`` in ``[0, n_levels)``. Narrow integer
    matrices are returned as they are (no copy); other inputs are encoded once.
    """
    P = labels.values
    if labels.categories is not None:
        return P, 0, max(len(labels.categories), 1)
    if P.dtype in _RAW_INT_DTYPES:
        lo, hi = int(P.min()), int(P.max())
        if hi - lo < _MAX_RAW_SPAN:
            return P, lo, hi - lo + 1
    codes, cats = _factorize(P, "predictions")
    return np.ascontiguousarray(codes), 0, len(cats)


def _check_row_index(index: object, n_models: int) -> int:
    i = int(index)  # type: ignore[call-overload]
    if not -n_models <= i < n_models:
        raise ValueError(_errors.BASELINE_INDEX.format(index=i, n_models=n_models))
    return i % n_models


def _is_row_index(baseline: object) -> bool:
    return isinstance(baseline, numbers.Integral) and not isinstance(baseline, bool | np.bool_)


def _is_scalar_non_index(baseline: object) -> bool:
    return baseline is None or isinstance(
        baseline, str | bytes | float | bool | np.bool_ | np.floating | np.str_)


def check_prediction_baseline(labels: Labels, baseline: object,
                              name: str = "predictions") -> tuple[np.ndarray, np.ndarray]:
    """Resolve ``baseline`` against checked predictions.

    Returns ``(P, b)`` where ``P`` is the prediction matrix (re-encoded only in rare
    cases, see below) and ``b`` an ``(n_samples,)`` array comparable element-wise with the
    rows of ``P``: of ``P``'s dtype for integer labels, float64 for float labels, codes
    for encoded labels (``-1`` for a baseline label no model ever predicts).
    """
    P = labels.values
    n_models, n_samples = P.shape
    if _is_row_index(baseline):
        return P, P[_check_row_index(baseline, n_models)]
    if _is_scalar_non_index(baseline):
        raise TypeError(_errors.BASELINE_TYPE.format(name=name, type=type(baseline).__name__))
    b = _as_array(baseline)
    if b.shape != (n_samples,):
        raise ValueError(_errors.BASELINE_SHAPE.format(
            expected=(n_samples,), name=name, shape=b.shape))

    if labels.categories is not None:
        if b.dtype.kind in "US":
            b = b.astype(object)
        if pd.isna(b).any():
            raise ValueError(_errors.MISSING_LABELS.format(name="baseline"))
        codes = labels.categories.get_indexer(b)
        return P, codes.astype(P.dtype, copy=False)

    # Numeric predictions.
    if b.dtype.kind == "b":
        b = b.astype(np.uint8)
    elif b.dtype.kind not in "iuf":
        try:
            b = pd.to_numeric(pd.Series(b.astype(object))).to_numpy()
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"baseline holds non-numeric labels (dtype {b.dtype}) but {name} holds numbers"
            ) from exc
    if b.dtype.kind == "f" and np.isnan(b).any():
        raise ValueError(_errors.MISSING_LABELS.format(name="baseline"))
    if P.dtype.kind == "f":
        return P, b.astype(np.float64)
    # Integer predictions: bring the baseline to P's dtype so the kernels compare
    # same-width integers.
    if b.dtype.kind == "f":
        if not np.all(np.floor(b) == b):
            raise ValueError(
                f"baseline holds non-integer values but {name} holds integer labels"
            )
    info = np.iinfo(P.dtype)
    if b.size == 0 or (b.min() >= info.min and b.max() <= info.max):
        return P, b.astype(P.dtype)
    # Baseline labels outside P's dtype can never be predicted: give them a value no
    # model predicts, so they count as flips without widening P.
    pmin, pmax = int(P.min()), int(P.max())
    b_obj = b.astype(object)
    inside = np.array([info.min <= v <= info.max for v in b_obj], dtype=bool)
    if pmin > info.min:
        sentinel = pmin - 1
    elif pmax < info.max:
        sentinel = pmax + 1
    else:
        # P uses its dtype's whole range: encode P and b jointly, exactly (Python ints),
        # at the cost of one copy of P. Rare: only with 64-bit labels at both extremes.
        codes, _ = pd.factorize(np.concatenate([P.ravel().astype(object), b.astype(object)]))
        codes = codes.astype(np.int64)
        return (np.ascontiguousarray(codes[: P.size].reshape(P.shape)), codes[P.size:])
    out = np.where(inside, b_obj, sentinel)
    return P, out.astype(P.dtype)


def check_labels_1d(x: object, name: str) -> np.ndarray:
    """A 1-D vector of labels without missing values (any hashable type)."""
    a = _as_array(x)
    if a.ndim != 1:
        raise ValueError(_errors.NOT_1D.format(name=name, shape=a.shape))
    if a.size == 0:
        raise ValueError(_errors.EMPTY.format(name=name, shape=a.shape))
    if a.dtype.kind in "US":
        a = a.astype(object)
    if a.dtype.kind in "fO" and pd.isna(a).any():
        raise ValueError(_errors.MISSING_LABELS.format(name=name))
    return a


def _proba_tolerance(dtype: np.dtype) -> float:
    return 1e-4 if dtype == np.float32 else 1e-6


def check_probabilities(probabilities: object, *, name: str = "probabilities",
                        min_models: int = 1) -> np.ndarray:
    """Validate ``(n_models, n_samples)`` or ``(n_models, n_samples, n_classes)`` probabilities.

    float32 and float64 are used in place (no copy when C-contiguous); other numeric
    dtypes are converted to float64. Raises on NaN/inf, negative values, values above 1,
    and class distributions whose sum is off 1 by more than 1e-6 (1e-4 for float32);
    ``set_config(assume_finite=True)`` skips that scan (one pass over the data), for
    callers whose probabilities come straight from ``predict_proba``.
    """
    Q = _as_array(probabilities)
    if Q.dtype.kind in "biu":
        Q = Q.astype(np.float64)
    elif Q.dtype.kind in "USV" or (
            Q.dtype.kind == "O" and any(isinstance(v, str | bytes) for v in Q.ravel()[:1000])):
        raise TypeError(_errors.NOT_NUMERIC.format(name=name, dtype=Q.dtype))
    elif Q.dtype.kind != "f":
        try:
            Q = Q.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(_errors.NOT_NUMERIC.format(name=name, dtype=Q.dtype)) from exc
    elif Q.dtype not in (np.float32, np.float64):
        Q = Q.astype(np.float64)
    if Q.ndim not in (2, 3):
        raise ValueError(_errors.NOT_PROBA_DIM.format(name=name, shape=Q.shape))
    if Q.size == 0:
        raise ValueError(_errors.EMPTY.format(name=name, shape=Q.shape))
    if Q.shape[0] < min_models:
        raise ValueError(
            _errors.TOO_FEW_MODELS.format(name=name, need=min_models, got=Q.shape[0])
        )
    Q = np.ascontiguousarray(Q)
    if not get_config()["assume_finite"]:
        _raise_on_bad_probabilities(Q, name)
    return Q


def _raise_on_bad_probabilities(Q: np.ndarray, name: str) -> None:
    Q3 = Q if Q.ndim == 3 else Q.reshape((*Q.shape, 1))
    tol = _proba_tolerance(Q.dtype)
    nonfinite, vmin, vmax, dev, where = _scan_probabilities(Q3, Q.ndim == 3)
    if nonfinite:
        raise ValueError(_errors.NAN_PROBA.format(name=name))
    if vmin < 0:
        raise ValueError(_errors.NEGATIVE_PROBA.format(name=name, value=float(vmin)))
    if vmax > 1 + tol:
        raise ValueError(_errors.ABOVE_ONE_PROBA.format(name=name, value=float(vmax)))
    if Q.ndim == 3 and dev > tol:
        model, sample = divmod(int(where), Q.shape[1])
        total = float(Q[model, sample].sum(dtype=np.float64))
        raise ValueError(_errors.ROWS_NOT_SUM_TO_ONE.format(
            name=name, value=total, model=model, sample=sample, tol=tol))


def check_probability_baseline(Q: np.ndarray, baseline: object,
                               name: str = "probabilities") -> np.ndarray:
    """Baseline probabilities of the shape of one model's slice of ``Q``, as float64."""
    if _is_row_index(baseline):
        return Q[_check_row_index(baseline, Q.shape[0])].astype(np.float64)
    if _is_scalar_non_index(baseline):
        raise TypeError(_errors.BASELINE_TYPE.format(name=name, type=type(baseline).__name__))
    b = _as_array(baseline)
    if b.shape != Q.shape[1:]:
        raise ValueError(_errors.BASELINE_SHAPE.format(
            expected=Q.shape[1:], name=name, shape=b.shape))
    b = check_probabilities(np.expand_dims(b, 0), name="baseline")
    return b[0].astype(np.float64)


# A probability gap within this much of ``delta`` counts as reaching it, so that decimal
# inputs behave as written (|0.6 - 0.5| is 0.0999... in binary floating point).
DELTA_SLACK = 1e-12


def check_delta(delta: object) -> float:
    """``delta`` must be a real number in ``(0, 1]``."""
    if not isinstance(delta, numbers.Real) or isinstance(delta, bool):
        raise TypeError(_errors.DELTA_RANGE.format(delta))
    d = float(delta)
    if not 0.0 < d <= 1.0:
        raise ValueError(_errors.DELTA_RANGE.format(delta))
    return d


# Regression: a gap within ``DELTA_RTOL * max(delta, |baseline value|)`` of ``delta`` counts
# as reaching it. The rounding error of ``|p - b|`` grows with the magnitude of ``p`` and
# ``b`` (about 2.2e-16 of it per operand), not with ``delta``, so an absolute slack would be
# too small for targets in the thousands and too large for targets in the millionths. The
# relative slack is the same in every unit (scaling the data and ``delta`` by a power of 2
# gives the same result) and never exceeds ``DELTA_SLACK`` on probability-scale data.
DELTA_RTOL = 1e-12


def check_positive_delta(delta: object) -> float:
    """``delta`` must be a finite real number > 0 (any scale: the units of the predictions)."""
    if not isinstance(delta, numbers.Real) or isinstance(delta, bool):
        raise TypeError(_errors.DELTA_POSITIVE.format(delta))
    d = float(delta)
    if not (d > 0.0 and math.isfinite(d)):
        raise ValueError(_errors.DELTA_POSITIVE.format(delta))
    return d


def check_threshold(threshold: object) -> float:
    """``threshold`` must be a finite real number."""
    if not isinstance(threshold, numbers.Real) or isinstance(threshold, bool):
        raise TypeError(_errors.THRESHOLD_FINITE.format(threshold))
    t = float(threshold)
    if not math.isfinite(t):
        raise ValueError(_errors.THRESHOLD_FINITE.format(threshold))
    return t


def check_real_predictions(predictions: object, *, name: str = "predictions") -> np.ndarray:
    """Validate an ``(n_models, n_samples)`` matrix of real-valued predictions.

    float32 and float64 are used in place (no copy when C-contiguous); integer, bool and
    other real dtypes are converted to float64 (one copy). Raises on non-real values (text,
    complex numbers), on a shape other than 2-D, on an empty matrix and on NaN/inf (one
    pass over a float matrix, which cannot hold them otherwise).
    """
    P = _as_array(predictions)
    converted = P.dtype.kind in "biu"
    if P.dtype.kind in "cUSVMm":
        raise TypeError(_errors.NOT_REAL.format(name=name, dtype=P.dtype))
    if P.dtype not in (np.float32, np.float64):
        try:
            P = P.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(_errors.NOT_REAL.format(name=name, dtype=P.dtype)) from exc
    if P.ndim != 2:
        raise ValueError(_errors.NOT_2D.format(name=name, shape=P.shape))
    if P.size == 0:
        raise ValueError(_errors.EMPTY.format(name=name, shape=P.shape))
    P = np.ascontiguousarray(P)
    if not converted and _scan_probabilities(P.reshape((*P.shape, 1)), False)[0]:
        raise ValueError(_errors.NAN_PROBA.format(name=name))
    return P


def check_real_baseline(P: np.ndarray, baseline: object,
                        name: str = "predictions") -> np.ndarray:
    """The reference model's ``(n_samples,)`` real predictions, as float64.

    ``baseline`` is a row index of the checked matrix ``P`` or an array of one value per
    sample (checked as :func:`check_real_predictions` checks ``P``).
    """
    if _is_row_index(baseline):
        return P[_check_row_index(baseline, P.shape[0])].astype(np.float64)
    if _is_scalar_non_index(baseline):
        raise TypeError(_errors.BASELINE_TYPE.format(name=name, type=type(baseline).__name__))
    b = _as_array(baseline)
    if b.shape != P.shape[1:]:
        raise ValueError(_errors.BASELINE_SHAPE.format(
            expected=P.shape[1:], name=name, shape=b.shape))
    b = check_real_predictions(b.reshape((1, -1)), name="baseline")
    return b[0].astype(np.float64)


def _labels_text(labels: pd.Index, limit: int = 5) -> str:
    shown = ", ".join(repr(v.item() if isinstance(v, np.generic) else v)
                      for v in labels[:limit])
    return f"[{shown}{', ...' if len(labels) > limit else ''}] ({len(labels)})"


def align_to(reference: object, other: object, *, name: str,
             reference_name: str = "X") -> object:
    """``other`` in the row order of ``reference`` when both are pandas objects.

    pandas inputs meet on their index, as in pandas itself: when ``reference`` and
    ``other`` are both DataFrames or Series, ``other`` is returned with its rows in the
    order of ``reference``'s index (a no-op when the indexes are equal). Different row
    labels, or repeated labels that make the match ambiguous, raise a ``ValueError`` that
    says which labels differ. Any other input (a NumPy array, a list) is returned
    unchanged and matched by position.
    """
    pandas_types = (pd.DataFrame, pd.Series)
    if not (isinstance(reference, pandas_types) and isinstance(other, pandas_types)):
        return other
    ref_index, index = reference.index, other.index
    if ref_index.equals(index):
        return other
    for which, idx in ((reference_name, ref_index), (name, index)):
        if idx.has_duplicates:
            label = idx[idx.duplicated()][0]
            raise ValueError(_errors.INDEX_DUPLICATES.format(
                which=which, label=label.item() if isinstance(label, np.generic) else label,
                name=name, ref=reference_name))
    missing = ref_index.difference(index, sort=False)
    extra = index.difference(ref_index, sort=False)
    if len(missing) or len(extra):
        parts = []
        if len(missing):
            parts.append(f"labels of {reference_name} missing from {name}: "
                         f"{_labels_text(missing)}")
        if len(extra):
            parts.append(f"labels of {name} not in {reference_name}: {_labels_text(extra)}")
        raise ValueError(_errors.INDEX_MISMATCH.format(name=name, ref=reference_name,
                                                       detail="; ".join(parts)))
    return other.loc[ref_index]


