"""multiplicity.explain against scikit-learn's permutation_importance and NumPy oracles."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from multiplicity.explain import ImportanceRanges, feature_importance_range
from multiplicity.explain._common import N_REPEATS, NOT_A_SET
from multiplicity.rashomon import RashomonSet


# ------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=200, n_features=5, n_informative=3, n_redundant=0,
                               random_state=0)
    return X, y


def _pool(X, y, n=6, seed=0):
    rng = np.random.default_rng(seed)
    models = []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        models.append(LogisticRegression(C=float(rng.uniform(0.05, 5))).fit(X[idx], y[idx]))
    return models


@pytest.fixture(scope="module")
def rset(data):
    X, y = data
    return RashomonSet.from_models(_pool(X, y), X, y, epsilon=1.0)


@pytest.fixture(scope="module")
def frame_set(data):
    X, y = data
    df = pd.DataFrame(X, columns=["age", "income", "score", "tenure", "noise"])
    labels = np.array(["no", "yes"])[y]
    rng = np.random.default_rng(1)
    boots = [rng.integers(0, len(y), len(y)) for _ in range(4)]
    models = [DecisionTreeClassifier(max_depth=3, random_state=s).fit(df.iloc[b], labels[b])
              for s, b in enumerate(boots)]
    return RashomonSet.from_models(models, df, labels, epsilon=1.0), df, labels


class _Ignores(ClassifierMixin, BaseEstimator):
    """Predicts from the features in ``used`` only: sign of a fixed linear score."""

    def __init__(self, weights=None, proba=True):
        self.weights = weights
        self.proba = proba

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.w_ = np.asarray(self.weights, dtype=float)
        return self

    def decision_function(self, X):
        return np.asarray(X, dtype=float) @ self.w_

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def predict_proba(self, X):
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])


# ------------------------------------------------------- feature_importance_range
@pytest.mark.parametrize("random_state", [0, 7])
@pytest.mark.parametrize("n_repeats", [1, 3])
def test_importance_equals_sklearn_for_every_member(data, rset, random_state, n_repeats):
    X, y = data
    table = feature_importance_range(rset, X, y, n_repeats=n_repeats,
                                     random_state=random_state)
    assert table.importances.shape == (len(rset), X.shape[1], n_repeats)
    for i, model in enumerate(rset):
        oracle = permutation_importance(model, X, y, n_repeats=n_repeats,
                                        random_state=random_state)
        npt.assert_allclose(table.importances[i], oracle.importances, rtol=0, atol=1e-12)
        npt.assert_allclose(table.members.iloc[i], oracle.importances_mean, rtol=0,
                            atol=1e-12)


def test_importance_equals_sklearn_with_frames_labels_and_scorer(frame_set):
    rs, df, labels = frame_set
    for scoring in (None, "neg_log_loss", "balanced_accuracy"):
        table = feature_importance_range(rs, df, pd.Series(labels), n_repeats=2,
                                         scoring=scoring,
                                         random_state=np.random.RandomState(5))
        assert list(table.index) == list(df.columns)
        for i, model in enumerate(rs):
            oracle = permutation_importance(model, df, labels, n_repeats=2, scoring=scoring,
                                            random_state=np.random.RandomState(5))
            npt.assert_allclose(table.importances[i], oracle.importances, rtol=0, atol=1e-12)


def test_importance_callable_scorer_and_method(data, rset):
    X, y = data

    def neg_brier(est, X_, y_):
        return -float(np.mean((est.predict_proba(X_)[:, 1] - y_) ** 2))

    table = rset.feature_importance_range(X, y, n_repeats=2, scoring=neg_brier,
                                          random_state=3)
    for i, model in enumerate(rset):
        oracle = permutation_importance(model, X, y, n_repeats=2, scoring=neg_brier,
                                        random_state=3)
        npt.assert_allclose(table.importances[i], oracle.importances, rtol=0, atol=1e-12)
    direct = feature_importance_range(rset, X, y, n_repeats=2, scoring=neg_brier,
                                      random_state=3)
    pd.testing.assert_frame_equal(table, direct)


def test_importance_table_summarises_members(data, rset):
    X, y = data
    table = feature_importance_range(rset, X, y, n_repeats=2, random_state=1)
    assert isinstance(table, ImportanceRanges) and isinstance(table, pd.DataFrame)
    members = table.members.to_numpy()
    npt.assert_array_equal(table["min"], members.min(axis=0))
    npt.assert_array_equal(table["max"], members.max(axis=0))
    npt.assert_allclose(table["mean"], members.mean(axis=0))
    npt.assert_allclose(table["std"], members.std(axis=0))
    npt.assert_array_equal(table["baseline"], members[rset.baseline_index_])
    npt.assert_array_equal(members[table["min_model"], np.arange(members.shape[1])],
                           table["min"])
    npt.assert_array_equal(members[table["max_model"], np.arange(members.shape[1])],
                           table["max"])
    # members keep the original feature order whatever the table is sorted by
    resorted = table.sort_values("max")
    pd.testing.assert_frame_equal(resorted.members, table.members)
    assert resorted.baseline_index == rset.baseline_index_


def test_importance_does_not_modify_inputs(frame_set, data, rset):
    rs, df, labels = frame_set
    before = df.copy()
    feature_importance_range(rs, df, labels, n_repeats=2, random_state=0)
    pd.testing.assert_frame_equal(df, before)
    X, y = data
    X0, y0 = X.copy(), y.copy()
    feature_importance_range(rset, X, y, n_repeats=2, random_state=0)
    npt.assert_array_equal(X, X0)
    npt.assert_array_equal(y, y0)


@given(seed=st.integers(0, 2**16), data=st.data())
def test_permuting_members_permutes_rows(seed, data):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=40) > 0).astype(int)
    y[:2] = [0, 1]
    W = rng.normal(size=(4, 3))
    models = [_Ignores(weights=w).fit(X, y) for w in W]
    order = data.draw(st.permutations(range(4)))
    a = feature_importance_range(RashomonSet(models, np.zeros(4), epsilon=0.0), X, y,
                                 n_repeats=2, random_state=seed)
    b = feature_importance_range(RashomonSet([models[i] for i in order], np.zeros(4),
                                             epsilon=0.0), X, y, n_repeats=2,
                                 random_state=seed)
    npt.assert_array_equal(b.importances, a.importances[list(order)])
    npt.assert_array_equal(b["min"], a["min"])
    npt.assert_array_equal(b["max"], a["max"])


@given(seed=st.integers(0, 2**16), ignored=st.integers(0, 3))
def test_ignored_feature_has_zero_importance(seed, ignored):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 4))
    y = rng.integers(0, 2, 30)
    y[:2] = [0, 1]
    W = rng.normal(size=(3, 4))
    W[:, ignored] = 0.0
    models = [_Ignores(weights=w).fit(X, y) for w in W]
    table = feature_importance_range(RashomonSet(models, np.zeros(3), epsilon=0.0), X, y,
                                     n_repeats=3, random_state=seed)
    assert np.all(table.importances[:, ignored] == 0.0)
    assert table.loc[f"x{ignored}", "max"] == 0.0 == table.loc[f"x{ignored}", "min"]


# --------------------------------------------------------------------- bad input
def test_importance_bad_input(data, rset):
    X, y = data
    for bad in (0, -1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="n_repeats"):
            feature_importance_range(rset, X, y, n_repeats=bad)
    with pytest.raises(ValueError) as err:
        feature_importance_range(rset, X, y, n_repeats=0)
    assert N_REPEATS.format(0) in str(err.value)
    with pytest.raises(ValueError, match="same number of samples"):
        feature_importance_range(rset, X, y[:-1])
    with pytest.raises(ValueError, match="y must be 1-D"):
        feature_importance_range(rset, X, y[:, None])
    with pytest.raises(ValueError, match="X must be 2-D"):
        feature_importance_range(rset, X[:, 0], y)
    with pytest.raises(TypeError, match="rashomon_set must be a RashomonSet"):
        feature_importance_range(list(rset), X, y)
    with pytest.raises(TypeError) as err:
        feature_importance_range(list(rset), X, y)
    assert NOT_A_SET.format("list") in str(err.value)
    with pytest.raises(TypeError, match="scoring"):
        feature_importance_range(rset, X, y, scoring=["accuracy", "roc_auc"])
    with pytest.raises(ValueError, match="scoring"):
        feature_importance_range(rset, X, y, scoring="no_such_scorer")


class _NoScore(BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_importance_member_without_score(data):
    X, y = data
    rs = RashomonSet([_NoScore().fit(X, y)], [0.5], epsilon=0.0)
    with pytest.raises(TypeError, match="score"):
        feature_importance_range(rs, X, y)
