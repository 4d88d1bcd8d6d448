"""Permutation importance of every member of a Rashomon set (model class reliance)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.base import ClassifierMixin

from ._common import Passes, check_data, check_n_repeats, check_set, permutations
from ._linear import linear_stack

__all__ = ["ImportanceRanges", "feature_importance_range"]

SCORING_TYPE = ("scoring must be None, the name of a scikit-learn scorer or a callable "
                "scorer(estimator, X, y), got {0!r}")


class ImportanceRanges(pd.DataFrame):
    """The table returned by :func:`feature_importance_range`: a DataFrame with the
    members' values attached.

    One row per feature (index ``feature``), columns ``baseline, min, max, mean, std,
    min_model, max_model``. Besides the DataFrame API it carries:

    Attributes
    ----------
    importances : ndarray of shape (n_models, n_features, n_repeats)
        Every member's importance for every permutation (baseline score minus permuted
        score), the raw values behind the table.
    members : DataFrame of shape (n_models, n_features)
        Each member's mean importance over the repeats (rows: model position in the set,
        columns: features); what the ``min``/``max``/``mean``/``std`` columns summarise.
    baseline_index : int
        Row of ``members`` that is the baseline model h0.
    feature_names : list of str
        Feature order of ``importances`` (the table's original row order).
    """

    _metadata: ClassVar[list[str]] = ["importances", "baseline_index", "feature_names"]

    @property
    def _constructor(self) -> Callable[..., ImportanceRanges]:
        return ImportanceRanges

    @property
    def members(self) -> pd.DataFrame:
        """Mean importance (over repeats) of every member, ``(n_models, n_features)``."""
        imp = getattr(self, "importances", None)
        if imp is None:
            raise AttributeError("this table has lost its member values (it was built by "
                                 "an operation that does not keep them)")
        return pd.DataFrame(imp.mean(axis=2),
                            columns=pd.Index(self.feature_names, name="feature"),
                            index=pd.RangeIndex(imp.shape[0], name="model"))


def _uses_accuracy(model: Any) -> bool:
    """``model.score`` is scikit-learn's classifier accuracy (so predictions suffice)."""
    return isinstance(model, ClassifierMixin) and type(model).score is ClassifierMixin.score


def member_scorers(rashomon_set: Any, scoring: Any) -> list[Callable] | None:
    """None when accuracy from ``predict`` is the score of every member, else one
    scikit-learn scorer per member (``check_scoring``, as ``permutation_importance``)."""
    if scoring is None and all(_uses_accuracy(m) for m in rashomon_set):
        return None
    if not (scoring is None or isinstance(scoring, str) or callable(scoring)):
        raise TypeError(SCORING_TYPE.format(scoring))
    from sklearn.metrics import check_scoring

    try:
        return [check_scoring(m, scoring=scoring) for m in rashomon_set]
    except ValueError as exc:
        raise ValueError(f"scoring: {exc}") from exc


def score_members(rashomon_set: Any, X: Any, y: NDArray, y_codes: NDArray,
                  scorers: list[Callable] | None) -> NDArray[np.float64]:
    """Score of every member on ``(X, y)``: ``(n_models,)``."""
    if scorers is None:
        codes = rashomon_set.predict_codes(X)
        return (codes == y_codes[None, :]).mean(axis=1)
    return np.array([float(s(m, X, y)) for s, m in zip(scorers, rashomon_set, strict=True)])


def class_codes(classes: NDArray, y: NDArray) -> NDArray[np.intp]:
    """Position of every label of ``y`` in ``classes`` (-1 where it is not a class)."""
    return pd.Index(classes).get_indexer(y)


def feature_importance_range(rashomon_set: Any, X: Any, y: ArrayLike, n_repeats: int = 5,
                             scoring: str | Callable | None = None,
                             random_state: Any = None) -> ImportanceRanges:
    """Range of permutation importance of every feature over the models of a Rashomon set.

    For every member ``h`` and feature ``j`` the permutation importance is
    ``score(h, X, y) - score(h, X with column j permuted, y)``, averaged over
    ``n_repeats`` permutations, exactly as :func:`sklearn.inspection.permutation_importance`
    computes it; the table reports its minimum and maximum over the set (the model class
    reliance range of Fisher, Rudin & Dominici 2019), the mean and spread, and the value of
    the baseline model h0.

    Every member sees the same permutations (common random numbers), so differences
    between members are due to the models, not to the draw. The permutations are the ones
    ``permutation_importance(model, X, y, n_repeats=n_repeats, random_state=random_state)``
    draws, so each member's row equals that function's ``importances_mean`` when
    ``random_state`` is an int or a ``RandomState`` in the same state.

    Parameters
    ----------
    rashomon_set : RashomonSet
        The models (any fitted scikit-learn estimators that ``scoring`` can score).
    X : array-like or DataFrame of shape (n_samples, n_features)
        Data to permute (a DataFrame is passed to the models as a DataFrame).
    y : array-like of shape (n_samples,)
        True labels.
    n_repeats : int, default=5
        Permutations per feature (>= 1).
    scoring : str, callable or None, default=None
        None uses each member's ``score`` (accuracy for scikit-learn classifiers, then
        computed from one ``predict`` call per member and permuted copy); a scorer name
        such as ``"roc_auc"`` or ``"neg_log_loss"``, or a callable
        ``scorer(estimator, X, y)``, as in scikit-learn.
    random_state : int, RandomState instance or None, default=None
        Seeds the permutations (as in scikit-learn; None draws from NumPy's global state).

    Returns
    -------
    ImportanceRanges
        A :class:`pandas.DataFrame` indexed by feature name (DataFrame columns, else
        ``x0, x1, ...``) with columns ``baseline`` (h0's importance), ``min``, ``max``,
        ``mean``, ``std`` (population standard deviation over the members),
        ``min_model`` and ``max_model`` (position in the set of a member attaining the
        min/max). The members' values are ``result.members`` (``(n_models, n_features)``
        mean importances) and ``result.importances`` (``(n_models, n_features,
        n_repeats)``).

    Raises
    ------
    TypeError
        ``rashomon_set`` is not a RashomonSet; ``scoring`` of the wrong type; a member
        without ``score`` when ``scoring`` is None.
    ValueError
        ``n_repeats < 1``; X and y of different lengths; an unknown scorer name.

    Notes
    -----
    Work: one copy of X is made; for each feature and repeat, its column is replaced by
    the permuted one and every member predicts (or is scored on) that copy once, in chunks
    of rows (:meth:`RashomonSet.predict_codes`); the column is then restored. Memory is
    one copy of X plus one chunk of predictions, whatever ``n_repeats`` and the number
    of members. The caller's X and y are never modified.

    Fast path: when ``scoring`` is None and every member is a binary scikit-learn linear
    classifier (``LogisticRegression``, ``LinearSVC``, ``SGDClassifier``, ...), the
    decisions of all members on a permuted copy are the decisions on X (one matrix
    product with the stacked coefficients, kept while ``n_models * n_samples`` is at most
    2**26) plus the change of the permuted column, in one Numba kernel per pass; a pass
    with a decision within 1e-9 (relative) of 0 is redone with the full product, where
    such decisions are recomputed by the member itself, so the labels are those of the
    members' ``predict``.

    References
    ----------
    A. Fisher, C. Rudin, F. Dominici (2019). All models are wrong, but many are useful:
    learning a variable's importance by studying an entire class of prediction models
    simultaneously. JMLR 20(177).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from multiplicity.rashomon import RashomonSet
    >>> X, y = make_classification(n_samples=300, n_features=4, n_informative=2,
    ...                            n_redundant=0, random_state=0)
    >>> pool = [LogisticRegression(C=c).fit(X, y) for c in (0.01, 0.1, 1.0)]
    >>> rs = RashomonSet.from_models(pool, X, y, epsilon=0.05)
    >>> table = feature_importance_range(rs, X, y, random_state=0)
    >>> list(table.columns)
    ['baseline', 'min', 'max', 'mean', 'std', 'min_model', 'max_model']
    >>> table.members.shape == (len(rs), 4)
    True
    """
    rs = check_set(rashomon_set)
    n_repeats = check_n_repeats(n_repeats)
    X, y_arr, names = check_data(X, y)
    scorers = member_scorers(rs, scoring)
    y_codes = class_codes(rs.classes_, y_arr)
    n, p = X.shape

    fast = linear_stack(rs, X, proba=False) if scorers is None else None
    passes = Passes(X, fast, y_codes, "accuracy",
                    lambda data: score_members(rs, data, y_arr, y_codes, scorers))
    base = passes()
    orders = permutations(n, n_repeats, random_state)
    imp = np.empty((len(rs), p, n_repeats))
    for j in range(p):
        for r in range(n_repeats):
            imp[:, j, r] = base - passes((j,), orders[r])
        passes.restore((j,))
    return _table(imp, names, rs.baseline_index_)


def _table(imp: NDArray[np.float64], names: list[str], baseline: int) -> ImportanceRanges:
    per_model = imp.mean(axis=2)  # (n_models, n_features), as importances_mean
    out = ImportanceRanges({
        "baseline": per_model[baseline],
        "min": per_model.min(axis=0),
        "max": per_model.max(axis=0),
        "mean": per_model.mean(axis=0),
        "std": per_model.std(axis=0),
        "min_model": per_model.argmin(axis=0),
        "max_model": per_model.argmax(axis=0),
    }, index=pd.Index(names, name="feature"))
    imp.setflags(write=False)
    out.importances = imp
    out.baseline_index = int(baseline)
    out.feature_names = list(names)
    return out
