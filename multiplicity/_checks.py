"""Checks of scalar arguments, seeds and (X, y) shapes, shared by every subpackage.

Light on purpose: NumPy only (scikit-learn loads on first use), so that modules on the
fast import paths (the agreement coefficients on a NumPy table) can use them. The checks
of prediction and probability arrays, which need pandas and the kernels, are in
``_validation``. Messages are the templates of ``_errors``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import _errors
from ._lazy import lazy_module

__all__ = [
    "check_X_y",
    "check_alpha",
    "check_chunk_size",
    "check_classification_target",
    "check_epsilon",
    "check_int",
    "check_numeric_X",
    "check_on_undefined",
    "check_real_in",
    "check_regression_target",
    "check_y_for_X",
    "n_samples_of",
    "py_scalar",
    "resolve_seed",
]

# scikit-learn loads on first use.
_sk_validation = lazy_module("sklearn.utils.validation")
_sk_multiclass = lazy_module("sklearn.utils.multiclass")


# ------------------------------------------------------------------ scalar arguments
def py_scalar(x: object) -> object:
    """A NumPy scalar as the Python value (for readable messages)."""
    return x.item() if isinstance(x, np.generic) else x


def check_on_undefined(on_undefined: object) -> None:
    """``on_undefined`` is ``"raise"`` or ``"nan"``."""
    if not isinstance(on_undefined, str) or on_undefined not in ("raise", "nan"):
        raise ValueError(_errors.ON_UNDEFINED.format(got=on_undefined))


def check_int(value: object, name: str, low: int) -> int:
    """``value`` is an integer (not a bool) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(_errors.INT_AT_LEAST.format(name=name, low=low, value=value))
    return int(value)


def check_chunk_size(chunk_size: object, default: int) -> int:
    """``chunk_size`` is None (then ``default``) or an integer >= 1 (not a bool)."""
    if chunk_size is None:
        return default
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, numbers.Integral) \
            or chunk_size < 1:
        raise ValueError(_errors.CHUNK_SIZE.format(chunk_size))
    return int(chunk_size)


def check_alpha(alpha: object) -> float:
    """``alpha`` is a real number in (0, 1)."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(_errors.ALPHA_TYPE.format(type(alpha).__name__))
    value = float(alpha)
    if not 0.0 < value < 1.0:
        raise ValueError(_errors.ALPHA_RANGE.format(value))
    return value


def check_epsilon(epsilon: object, epsilon_mode: object) -> float:
    """``epsilon`` must be a finite real >= 0 and ``epsilon_mode`` absolute or relative."""
    if epsilon_mode not in ("absolute", "relative"):
        raise ValueError(_errors.EPSILON_MODE.format(epsilon_mode))
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise TypeError(_errors.EPSILON_TYPE.format(epsilon))
    eps = float(epsilon)
    if not (eps >= 0 and np.isfinite(eps)):
        raise ValueError(_errors.EPSILON_NEGATIVE.format(epsilon))
    return eps


def resolve_seed(random_state: object) -> int:
    """One int seed from ``random_state`` (drawn afresh for None), so runs can be repeated.

    An int is used as it is (it must be >= 0); a ``RandomState`` or ``Generator`` gives
    one draw from [0, 2**32 - 1).
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(_errors.SEED_NEGATIVE.format(random_state))
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**32 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**32 - 1))
    raise TypeError(_errors.SEED_TYPE.format(type(random_state).__name__))


# ------------------------------------------------------------------ features and targets
def n_samples_of(X: object) -> int:
    """Number of rows of an array-like, DataFrame or sparse matrix."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) >= 1:
        return int(shape[0])
    if hasattr(X, "__len__"):
        return len(X)  # type: ignore[arg-type]
    return int(np.asarray(X).shape[0])  # objects that only define __array__


def _as_1d_target(y: object) -> np.ndarray:
    return np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)  # type: ignore[union-attr]


def check_X_y(X: object, y: object) -> np.ndarray | None:
    """Shapes of X and y agree; y (if given) is 1-D. X has at least one row."""
    n = n_samples_of(X)
    if n == 0:
        raise ValueError(_errors.NO_SAMPLES)
    if y is None:
        return None
    y_arr = _as_1d_target(y)
    if y_arr.ndim != 1:
        raise ValueError(_errors.NOT_1D.format(name="y", shape=y_arr.shape))
    if len(y_arr) != n:
        raise ValueError(_errors.X_Y_LENGTH.format(n, len(y_arr)))
    return y_arr


def check_y_for_X(X: object, y: object, x_name: str = "X", y_name: str = "y") -> np.ndarray:
    """``y`` is 1-D with one entry per row of ``X``, and ``X`` is not empty."""
    y_arr = _as_1d_target(y)
    if y_arr.ndim != 1:
        raise ValueError(_errors.NOT_1D.format(name=y_name, shape=y_arr.shape))
    n = n_samples_of(X)
    if y_arr.shape[0] != n:
        raise ValueError(_errors.LENGTH_MISMATCH.format(a=x_name, b=y_name, na=n,
                                                        nb=y_arr.shape[0]))
    if n == 0:
        raise ValueError(_errors.EMPTY.format(name=x_name, shape=getattr(X, "shape", (0,))))
    return y_arr


def check_classification_target(y: object, name: str = "y") -> np.ndarray:
    """1-D labels of a classification task (a column vector warns, as in scikit-learn)."""
    y_arr = _sk_validation.column_or_1d(_as_1d_target(y), warn=True)
    if y_arr.dtype.kind in "fc":
        _sk_validation.assert_all_finite(y_arr, input_name=name)
    _sk_multiclass.check_classification_targets(y_arr)
    return y_arr


def check_regression_target(y: object, name: str = "y") -> np.ndarray:
    """1-D finite numbers of a regression task, as float64 (a copy when converted)."""
    y_arr = _sk_validation.column_or_1d(_as_1d_target(y), warn=True)
    if y_arr.dtype.kind not in "biuf":
        try:
            y_arr = y_arr.astype(np.float64)
        except (TypeError, ValueError):
            shown = py_scalar(y_arr[0]) if y_arr.size else "an empty array"
            raise ValueError(_errors.REGRESSION_TARGET.format(
                name=name, got=f"{y_arr.dtype} values such as {shown!r}")) from None
    y_arr = np.asarray(y_arr, dtype=np.float64)
    bad = ~np.isfinite(y_arr)
    if bad.any():
        raise ValueError(_errors.REGRESSION_TARGET_FINITE.format(
            name=name, count=int(bad.sum()), first=int(np.flatnonzero(bad)[0])))
    return y_arr


def check_numeric_X(X: object, *, dense_for: str | None = None) -> None:
    """Raise a clear error for a feature matrix that holds strings, categories or objects.

    A DataFrame names its non-numeric columns. A sparse matrix passes (scikit-learn's
    checks speak for it) unless ``dense_for`` names an estimator that needs dense input.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(X, "columns"):
        # numeric and bool dtypes, NumPy's and pandas' nullable ones, have these kinds
        bad = [str(col) for col, dt in zip(X.columns, dtypes, strict=True)
               if getattr(dt, "kind", "O") not in "biuf"]
        if bad:
            raise ValueError(_errors.NOT_NUMERIC.format(name="X", dtype="non-numeric")
                             + f" in column(s) {bad}")
        return
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        if dense_for is not None:
            raise TypeError(_errors.DENSE_NEEDED.format(dense_for))
        return
    arr = np.asarray(X)
    if arr.dtype.kind == "c":
        raise ValueError(_errors.NOT_NUMERIC.format(name="X", dtype=arr.dtype)
                         + "; Complex data not supported")
    if arr.dtype.kind not in "biuf":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                arr.astype(np.float64)
        except (TypeError, ValueError, Warning) as e:
            kind = TypeError if isinstance(e, TypeError) else ValueError
            raise kind(_errors.NOT_NUMERIC.format(name="X", dtype=arr.dtype)
                       + f" ({e})") from None


def check_real_in(value: object, template: str, low: float, high: float,
                  closed_low: bool = False) -> float:
    """``value`` as a float in ``(low, high)`` (``[low, high)`` when ``closed_low``); a
    bool or non-number is a TypeError, a value outside (or NaN) a ValueError, both with
    ``template.format(value)``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(template.format(value))
    v = float(value)
    inside = (low <= v if closed_low else low < v) and v < high
    if not inside:  # also catches NaN
        raise ValueError(template.format(value))
    return v
