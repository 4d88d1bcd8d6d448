"""The audit of a population held in a dask ``X_test``: checks and the cluster profile.

The training data stay in memory (scikit-learn fits there). The test people are predicted
on the cluster, partition by partition (:meth:`RashomonSet.profile` on a dask ``X``); the
per-person results (each member's class code and probabilistic flip flag, a few floats)
come back to the client for the report's sections, but the rows of ``X_test`` never do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._dask import import_dask, is_dask_array, is_dask_collection, is_dask_dataframe

__all__ = ["DASK_FITTED_X", "DASK_REGRESSION", "DASK_TRAINING", "EXACT_ON_CLUSTER",
           "IMPORTANCE_ON_CLUSTER", "LEVEL_SET_ON_CLUSTER", "POPULATION_WITH_TEST",
           "X_TEST_ON_CLUSTER", "check_dask_population", "check_dask_test_data",
           "dask_data_info", "dask_sensitive", "dask_test_profile"]

DASK_TRAINING = (
    "X is a dask collection; the models are trained with scikit-learn on data in memory: "
    "pass the training data in memory as X, y (X.compute(), or a sample of it) and the "
    "population to audit as X_test, y_test, which may be dask collections")
DASK_FITTED_X = (
    "X is a dask collection; a list of models is filtered into a Rashomon set by its "
    "losses on X, y in memory: build the set with RashomonSet.from_models on data in "
    "memory and audit the set (a RashomonSet or fitted explorer audits a dask X as its "
    "population), or pass X, y in memory and the population as X_test, y_test")
DASK_REGRESSION = (
    "a regression audit needs X_test in memory (X_test.compute()); a dask X_test is "
    "audited for classifiers")
X_TEST_ON_CLUSTER = (
    "{name} is a dask collection: the members were sent to the workers once and predicted "
    "each partition there; the per-person results (one byte of class code and one of flip "
    "flag per member and person: {n_models} members) were brought to the client for the "
    "intervals, groups and per-person table, the rows of {name} were not. Left out "
    "because they need the rows of {name} in memory: the feature-importance ranges and "
    "the exact methods on these people (pass {name}.compute(), or a sample of it, to get "
    "them)")
IMPORTANCE_ON_CLUSTER = (
    "the audited rows are a dask collection, and the permutation importances need them "
    "in memory; audit X_test.compute() (or a sample of it) to get them")
LEVEL_SET_ON_CLUSTER = (
    "X_test is a dask collection, and the exact ranges on the test people need its rows "
    "in memory; audit X_test.compute() (or a sample of it) to get them")
EXACT_ON_CLUSTER = (
    "X is a dask collection, and the exact methods solve on the training rows in memory; "
    "pass X.compute() (or a sample of it) to get them")
POPULATION_WITH_TEST = (
    "X is a dask collection: with fitted models it is the population the audit measures "
    "on, so X_test and y_test cannot be given as well; pass the training data in memory "
    "as X, y to audit a dask X_test")


def check_dask_population(X: Any, y: Any, X_test: Any, y_test: Any, task: str) -> None:
    """Checks for a dask ``X`` given with fitted models (the population to audit)."""
    if task == "regression":
        raise TypeError(DASK_REGRESSION.replace("X_test", "X"))
    if X_test is not None or y_test is not None:
        raise ValueError(POPULATION_WITH_TEST)
    if y is None:
        raise ValueError("y is required: the labels of the rows of X")
    if not (is_dask_dataframe(X) or (is_dask_array(X) and X.ndim == 2)):
        raise TypeError("X must be a dask DataFrame or a 2-D dask Array, got "
                        f"{type(X).__name__}")


def check_dask_test_data(X: Any, X_test: Any, y_test: Any, task: str) -> Any:
    """A dask ``X_test`` checked against the in-memory training ``X`` (same kind, same
    features; a DataFrame gets ``X``'s column order)."""
    if task == "regression":
        raise TypeError(DASK_REGRESSION)
    if y_test is None:
        raise ValueError("X_test and y_test go together: pass both (the held-out rows and "
                         "their labels) or neither (then every measure is in-sample)")
    if isinstance(X, pd.DataFrame) != is_dask_dataframe(X_test):
        raise TypeError("X_test must be of the same kind as X (a dask DataFrame for a "
                        "DataFrame X, a dask Array for an array X), got "
                        f"{type(X).__name__} and {type(X_test).__name__}")
    if isinstance(X, pd.DataFrame):
        missing = [c for c in X.columns if c not in X_test.columns]
        if missing:
            raise ValueError(f"X_test lacks columns of X: {missing[:10]}")
        return X_test[list(X.columns)]
    if not is_dask_array(X_test) or X_test.ndim != 2 or X_test.shape[1] != np.shape(X)[1]:
        raise ValueError(f"X_test must have the features of X: shape (n, "
                         f"{np.shape(X)[1]}), got {getattr(X_test, 'shape', None)}")
    return X_test


def dask_sensitive(sensitive_features: Any, X_test: Any) -> tuple[Any, Any, int]:
    """``(sensitive features in memory, rows to match them on, n_rows)`` for a dask
    ``X_test``: one label per person (and the row labels of a dask DataFrame) come to the
    client; named columns are read from ``X_test`` alone."""
    dask = import_dask("dask", "audit on a dask X_test")
    names = sensitive_features
    if isinstance(names, str):
        names = [names]
    named = (isinstance(names, list | tuple) and names
             and all(isinstance(s, str) for s in names))
    if named:
        columns = list(getattr(X_test, "columns", []))
        for s in names:
            if s not in columns:
                raise ValueError(f"sensitive feature {s!r} is not a column of X_test "
                                 f"(columns: {[str(c) for c in columns]})"
                                 if columns else
                                 f"sensitive feature {s!r} names a column, but X_test has "
                                 "no column names; pass the group labels as an array")
    if is_dask_dataframe(X_test):
        rows_d = X_test[list(names)] if named else X_test.index
    else:
        rows_d = None
    sf_d = None if named else sensitive_features
    rows, sf = dask.compute(rows_d, sf_d)  # traverses dicts of dask collections
    if is_dask_dataframe(X_test):
        rows = rows if named else pd.DataFrame(index=rows)
        n = len(rows)
    else:
        if any(np.isnan(c) for c in X_test.chunks[0]):
            raise ValueError("X_test has chunks of unknown size along its rows; call "
                             "X_test.compute_chunk_sizes() first")
        n = int(X_test.shape[0])
        rows = np.empty((n, 0))
    return (sensitive_features if named else sf), rows, n


def dask_test_profile(rset: Any, X_test: Any, y_test: Any, delta: float) -> tuple[Any, Any]:
    """``(profile in memory, its dask counterpart)`` of the test people, computed on the
    cluster; the in-memory one holds the per-person results, not the rows of X_test."""
    dprofile = rset.profile(X_test, y_test, delta=delta)
    return dprofile.compute(), dprofile


def dask_data_info(profile: Any, X_test: Any, y_test: np.ndarray,
                   classes: np.ndarray) -> dict[str, Any]:
    """The report's description of a dask ``X_test`` (no fingerprint: the rows stay on
    the cluster)."""
    cols = getattr(X_test, "columns", None)
    n_features = len(cols) if cols is not None else int(X_test.shape[1])
    names = ([str(c) for c in cols] if cols is not None else
             [f"x{i}" for i in range(n_features)])
    values, counts = np.unique(y_test, return_counts=True)
    return {"n_samples": profile.n_samples, "n_features": n_features,
            "feature_names": names,
            "classes": [c.item() if hasattr(c, "item") else c for c in classes],
            "class_counts": {str(v): int(c) for v, c in zip(values, counts, strict=True)},
            "sha256": None, "dask": True}


def on_cluster(X: Any) -> bool:
    """Whether the measured rows are a dask collection (kept on the cluster)."""
    return is_dask_collection(X)
