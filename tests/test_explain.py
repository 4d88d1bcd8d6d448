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

from multiplicity.explain import (
    ImportanceRanges,
    feature_importance_range,
    feature_interaction_cloud,
    mask_rashomon_set,
)
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


def _assert_importance_equals_sklearn(rs, X, y, n_repeats, random_state):
    """Every member's importances equal scikit-learn's ``permutation_importance``."""
    table = feature_importance_range(rs, X, y, n_repeats=n_repeats, random_state=random_state)
    for i, m in enumerate(rs):
        oracle = permutation_importance(m, X, y, n_repeats=n_repeats, random_state=random_state)
        npt.assert_allclose(table.importances[i], oracle.importances, rtol=0, atol=1e-12)


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


def _set_ignoring(seed, ignored):
    """Random data (30 x 4, both classes) and a set of three ``_Ignores`` members whose
    weight on feature ``ignored`` is 0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 4))
    y = rng.integers(0, 2, 30)
    y[:2] = [0, 1]
    W = rng.normal(size=(3, 4))
    W[:, ignored] = 0.0
    rs = RashomonSet([_Ignores(weights=w).fit(X, y) for w in W], np.zeros(3), epsilon=0.0)
    return X, y, rs


@given(seed=st.integers(0, 2**16), ignored=st.integers(0, 3))
def test_ignored_feature_has_zero_importance(seed, ignored):
    X, y, rs = _set_ignoring(seed, ignored)
    table = feature_importance_range(rs, X, y, n_repeats=3, random_state=seed)
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
    with pytest.raises(ValueError, match=r"y must be 1-D .*got shape \(\)"):
        feature_importance_range(rset, X, None)
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


# ------------------------------------------------------ feature_interaction_cloud
def _oracle_cloud(models, X, y, pairs, orders, loss):
    """Slow, obviously correct FIS: loop over models, pairs and permutations."""
    from sklearn.metrics import log_loss

    def L(model, data):
        if loss == "log_loss":
            return log_loss(y, model.predict_proba(data), labels=model.classes_)
        if loss == "brier":
            onehot = (y[:, None] == model.classes_[None, :]).astype(float)
            return float(np.mean(np.sum((model.predict_proba(data) - onehot) ** 2, axis=1)))
        return float(np.mean(model.predict(data) != y))

    def permuted(cols, order):
        data = X.copy()
        for c in cols:
            data[:, c] = X[order, c]
        return data

    rows = []
    for k, model in enumerate(models):
        base = L(model, X)
        for i, j in pairs:
            phi = {}
            for cols in ((i,), (j,), (i, j)):
                phi[cols] = np.mean([L(model, permuted(cols, o)) for o in orders]) - base
            rows.append((k, phi[(i,)], phi[(j,)], phi[(i, j)],
                         phi[(i, j)] - phi[(i,)] - phi[(j,)]))
    return np.array(rows)


@pytest.mark.parametrize("loss", ["log_loss", "zero_one", "brier"])
@pytest.mark.parametrize("kind", ["linear", "tree", "sgd"])
def test_cloud_equals_numpy_oracle(data, rset, loss, kind):
    from sklearn.linear_model import SGDClassifier

    from multiplicity.explain._common import permutations

    X, y = data
    if kind == "tree":
        models = [DecisionTreeClassifier(max_depth=4, random_state=s).fit(X, y)
                  for s in range(3)]
        rs = RashomonSet(models, np.zeros(3), epsilon=0.0)
    elif kind == "sgd":  # linear, with predict_proba, but not LogisticRegression's
        models = [SGDClassifier(loss="log_loss", random_state=s).fit(X, y) for s in range(2)]
        rs = RashomonSet(models, np.zeros(2), epsilon=0.0)
    else:
        rs = rset
    pairs = [(0, 1), (3, 2)]
    cloud = feature_interaction_cloud(rs, X, y, pairs=pairs, n_repeats=2, loss=loss,
                                      random_state=11)
    oracle = _oracle_cloud(list(rs), X, y, pairs, permutations(len(y), 2, 11), loss)
    got = cloud.sort_values(["model"], kind="stable")[
        ["model", "phi_i", "phi_j", "phi_ij", "fis"]].to_numpy(dtype=float)
    npt.assert_allclose(got, oracle, rtol=0, atol=1e-10)
    assert list(cloud.columns[:5]) == ["model", "baseline", "feature_i", "feature_j", "pair"]
    assert cloud["baseline"].sum() == len(pairs)
    assert cloud.attrs["loss"] == loss


def test_cloud_default_pairs_frames_and_method(frame_set):
    rs, df, labels = frame_set
    cloud = rs.feature_interaction_cloud(df, labels, n_repeats=2, random_state=0)
    assert len(cloud) == len(rs) * 10
    assert set(zip(cloud.feature_i, cloud.feature_j, strict=True)) == {
        (a, b) for k, a in enumerate(df.columns) for b in df.columns[k + 1:]}
    assert cloud.attrs["loss"] == "log_loss"
    # a member's phi_i is the same in every pair that contains feature i
    for f in df.columns:
        vals = pd.concat([cloud.loc[cloud.feature_i == f, ["model", "phi_i"]].set_axis(
            ["model", "phi"], axis=1), cloud.loc[cloud.feature_j == f, ["model", "phi_j"]]
            .set_axis(["model", "phi"], axis=1)])
        assert (vals.groupby("model")["phi"].nunique() == 1).all()
    by_name = feature_interaction_cloud(rs, df, labels, pairs=[("score", "age")],
                                        n_repeats=2, random_state=0)
    same = cloud[(cloud.feature_i == "age") & (cloud.feature_j == "score")]
    npt.assert_allclose(by_name["fis"], same["fis"], atol=1e-12)


def test_cloud_callable_loss_does_not_modify_inputs(data, rset):
    X, y = data
    X0 = X.copy()

    def brier(y_true, proba):
        return float(np.mean((proba[:, 1] - y_true) ** 2))

    cloud = feature_interaction_cloud(rset, X, y, pairs=[(0, 2)], n_repeats=2, loss=brier,
                                      loss_input="predict_proba", random_state=1)
    npt.assert_array_equal(X, X0)
    assert cloud.attrs["loss"] == "brier"
    own = [brier(y, m.predict_proba(X)) for m in rset]
    npt.assert_allclose(cloud["loss"], own)


@given(seed=st.integers(0, 2**16), ignored=st.integers(0, 3))
def test_cloud_ignored_feature_has_no_interaction(seed, ignored):
    X, y, rs = _set_ignoring(seed, ignored)
    for loss in ("log_loss", "zero_one"):
        cloud = feature_interaction_cloud(rs, X, y, n_repeats=2, loss=loss,
                                          random_state=seed)
        has = (cloud.feature_i == f"x{ignored}") | (cloud.feature_j == f"x{ignored}")
        phi_ign = np.where(cloud.feature_i == f"x{ignored}", cloud.phi_i, cloud.phi_j)
        assert np.all(phi_ign[has] == 0.0)
        assert np.all(cloud.loc[has, "fis"] == 0.0)


@given(seed=st.integers(0, 2**16))
def test_cloud_additive_model_has_zero_fis_under_linear_loss(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(25, 3))
    y = rng.integers(0, 2, 25)
    y[:2] = [0, 1]
    rs = RashomonSet([_Ignores(weights=w).fit(X, y) for w in rng.normal(size=(2, 3))],
                     np.zeros(2), epsilon=0.0)

    def margin_loss(y_true, proba):  # linear in the additive score f = logit(p)
        f = np.log(proba[:, 1]) - np.log(proba[:, 0])
        return float(np.mean(-(2 * y_true - 1) * f))

    cloud = feature_interaction_cloud(rs, X, y, n_repeats=2, loss=margin_loss,
                                      loss_input="predict_proba", random_state=seed)
    scale = max(1.0, float(np.abs(cloud[["phi_i", "phi_j"]]).to_numpy().max()))
    npt.assert_allclose(cloud["fis"], 0.0, atol=1e-9 * scale)


@given(seed=st.integers(0, 2**16), data=st.data())
def test_cloud_permuting_members_permutes_rows(seed, data):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    y[:2] = [0, 1]
    models = [_Ignores(weights=w).fit(X, y) for w in rng.normal(size=(4, 3))]
    order = list(data.draw(st.permutations(range(4))))
    a = feature_interaction_cloud(RashomonSet(models, np.zeros(4), epsilon=0.0), X, y,
                                  n_repeats=2, random_state=seed)
    b = feature_interaction_cloud(RashomonSet([models[i] for i in order], np.zeros(4),
                                              epsilon=0.0), X, y, n_repeats=2,
                                  random_state=seed)
    cols = ["phi_i", "phi_j", "phi_ij", "fis", "loss"]
    for pair in a["pair"].unique():
        va = a.loc[a.pair == pair, cols].to_numpy()
        vb = b.loc[b.pair == pair, cols].to_numpy()
        npt.assert_array_equal(vb, va[order])


def test_cloud_bad_input(data, rset):
    from sklearn.svm import LinearSVC

    from multiplicity.explain._interaction import UNKNOWN_FEATURE

    X, y = data
    with pytest.raises(ValueError, match="unknown feature 'nope'"):
        feature_interaction_cloud(rset, X, y, pairs=[("x0", "nope")])
    with pytest.raises(ValueError) as err:
        feature_interaction_cloud(rset, X, y, pairs=[(0, 9)])
    assert UNKNOWN_FEATURE.format(9, "positions 0..4") in str(err.value)
    with pytest.raises(ValueError, match="two different features"):
        feature_interaction_cloud(rset, X, y, pairs=[(1, "x1")])
    with pytest.raises(ValueError, match="pairs must hold"):
        feature_interaction_cloud(rset, X, y, pairs=[(0, 1, 2)])
    with pytest.raises(TypeError, match="pairs must be a sequence"):
        feature_interaction_cloud(rset, X, y, pairs="x0")
    with pytest.raises(ValueError, match="n_repeats"):
        feature_interaction_cloud(rset, X, y, n_repeats=0)
    with pytest.raises(ValueError, match="same number of samples"):
        feature_interaction_cloud(rset, X[:-3], y)
    with pytest.raises(ValueError, match="loss must be one of"):
        feature_interaction_cloud(rset, X, y, loss="hinge")
    with pytest.raises(ValueError, match="loss_input"):
        feature_interaction_cloud(rset, X, y, loss_input="proba")
    svc = RashomonSet([LinearSVC().fit(X, y)], [0.1], epsilon=0.0)
    with pytest.raises(TypeError, match=r"needs predict_proba.*LinearSVC"):
        feature_interaction_cloud(svc, X, y, loss="log_loss")
    with pytest.raises(TypeError, match="needs predict_proba"):
        feature_interaction_cloud(svc, X, y, loss=lambda a, b: 0.0,
                                  loss_input="predict_proba")
    assert feature_interaction_cloud(svc, X, y, pairs=[(0, 1)]).attrs["loss"] == "zero_one"
    with pytest.raises(ValueError, match="not classes of the models"):
        feature_interaction_cloud(rset, X, y + 5, pairs=[(0, 1)])
    with pytest.raises(ValueError, match="at least two features"):
        feature_interaction_cloud(rset, X[:, :1], y)
    with pytest.raises(TypeError, match="epsilon"):
        feature_interaction_cloud(rset[0], X, y)
    with pytest.raises(ValueError, match="epsilon is only used"):
        feature_interaction_cloud(rset, X, y, epsilon=0.1)


# ------------------------------------------------------------------------ masking
def test_mask_set_stays_within_epsilon(data):
    from multiplicity.explain import MaskedClassifier

    X, y = data
    model = LogisticRegression().fit(X, y)
    for loss in ("log_loss", "zero_one"):
        rs = mask_rashomon_set(model, X, y, epsilon=0.02, n_models=8, loss=loss,
                               random_state=0)
        assert len(rs) == 9 and rs.baseline_index_ == 0
        assert np.all(rs[0].mask_ == 1.0)
        assert all(isinstance(m, MaskedClassifier) for m in rs)
        own = np.array([float(np.mean(m.predict(X) != y)) if loss == "zero_one" else
                        __import__("sklearn.metrics").metrics.log_loss(y, m.predict_proba(X))
                        for m in rs])
        npt.assert_allclose(rs.losses_, own, atol=1e-12)
        assert np.all(rs.losses_ <= rs.baseline_loss_ + 0.02 + 1e-9)
        masks = np.array([m.mask_ for m in rs])
        assert np.all((masks >= 0.0) & (masks <= 2.0))
        assert np.ptp(masks, axis=0).max() > 0  # the masks do differ
    m = rs[3]
    npt.assert_allclose(m.predict_proba(X), model.predict_proba(X * m.mask_))
    cloud = feature_interaction_cloud(model, X, y, pairs=[(0, 1)], epsilon=0.02,
                                      n_models=5, random_state=0)
    assert len(cloud) == 6 and cloud["baseline"].iloc[0]
    again = feature_interaction_cloud(model, X, y, pairs=[(0, 1)], epsilon=0.02,
                                      n_models=5, random_state=np.random.RandomState(0))
    assert len(again) == 6 and np.all(again["loss"] <= again["loss"].iloc[0] + 0.02 + 1e-9)
    with pytest.raises(ValueError, match="n_models"):
        mask_rashomon_set(model, X, y, epsilon=0.1, n_models=0)
    with pytest.raises(ValueError, match="max_scale"):
        mask_rashomon_set(model, X, y, epsilon=0.1, max_scale=0)
    with pytest.raises(ValueError, match="epsilon"):
        mask_rashomon_set(model, X, y, epsilon=-1)


# -------------------------------------------------------------------------- plots
@pytest.fixture(scope="module")
def cloud(data, rset):
    X, y = data
    return feature_interaction_cloud(rset, X, y, n_repeats=2, random_state=0)


def test_swarm_plot_shows_the_table(cloud):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from multiplicity.explain import plot_swarm

    ax = plot_swarm(cloud)
    by_label = {c.get_label(): c.get_offsets() for c in ax.collections}
    assert set(cloud["pair"]) <= set(by_label)
    for pair, sub in cloud.groupby("pair"):
        npt.assert_allclose(by_label[pair][:, 0], sub["fis"])
    base = cloud[cloud["baseline"]]
    assert sorted(by_label["baseline h0"][:, 0]) == sorted(base["fis"])
    spread = cloud.groupby("pair")["fis"].agg(lambda s: s.max() - s.min())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == spread.idxmax()  # widest pair on top
    _, ax2 = plt.subplots()
    assert plot_swarm(cloud, ax=ax2, max_pairs=3) is ax2
    assert len(ax2.get_yticks()) == 3
    plt.close("all")


def test_halo_plot_shows_the_table(cloud):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from multiplicity.explain import plot_halo

    sub = cloud[cloud["pair"] == "x1 x x3"]
    for pair in ("x1 x x3", ("x3", "x1")):
        ax = plot_halo(cloud, pair)
        pts = ax.collections[0].get_offsets()
        npt.assert_allclose(pts[:, 0], sub["phi_i"] + sub["phi_j"])
        npt.assert_allclose(pts[:, 1], sub["phi_ij"])
        npt.assert_allclose(ax.collections[0].get_array(), sub["fis"])
    with pytest.raises(ValueError, match="not in the cloud"):
        plot_halo(cloud, ("x1", "x9"))
    with pytest.raises(TypeError, match="pair must be"):
        plot_halo(cloud, 3)
    with pytest.raises(ValueError, match="lacks the columns"):
        plot_halo(cloud.drop(columns="fis"), "x1 x x3")
    with pytest.raises(TypeError, match="cloud must be"):
        plot_halo(cloud.to_numpy(), "x1 x x3")
    plt.close("all")


def _halo_points(ax):
    points = ax.collections[0]
    return np.column_stack([points.get_offsets(), points.get_array()])


def test_halo_takes_every_pair_form_of_the_cloud(cloud):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from multiplicity.explain import plot_halo

    sub = cloud[cloud["pair"] == "x0 x x1"]
    expected = np.column_stack([sub["phi_i"] + sub["phi_j"], sub["phi_ij"], sub["fis"]])
    assert cloud.attrs["feature_names"] == ["x0", "x1", "x2", "x3", "x4"]
    for pair in [(0, 1), (1, 0), [0, 1], np.array([0, 1]), (np.int64(0), "x1"),
                 ("x1", "x0"), "x0 x x1", "x1 x x0"]:
        npt.assert_allclose(_halo_points(plot_halo(cloud, pair)), expected,
                            err_msg=repr(pair))
        plt.close("all")
    with pytest.raises(ValueError, match=r"pair \(0, 9\) is not in the cloud"):
        plot_halo(cloud, (0, 9))
    with pytest.raises(ValueError, match="not in the cloud"):
        plot_halo(cloud, "x0 x x9")
    with pytest.raises(ValueError, match="two different features"):
        plot_halo(cloud, (0, "x0"))
    with pytest.raises(TypeError, match="pair must be"):
        plot_halo(cloud, (0, 1, 2))
    # a cloud of some pairs: a pair it lacks is named in the words of the table
    some = feature_interaction_cloud(
        RashomonSet(_pool(*_data_xy(), n=2), [0.0, 0.0], epsilon=0.0), *_data_xy(),
        pairs=[(0, 1)], n_repeats=1, random_state=0)
    with pytest.raises(ValueError, match=r"\(x2 x x3\) is not in the cloud; its pairs are "
                                         r"\['x0 x x1'\]"):
        plot_halo(some, (2, 3))
    # without the recorded order, positions are refused and names still work
    bare = cloud.copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match="gives feature positions"):
        plot_halo(bare, (0, 1))
    npt.assert_allclose(_halo_points(plot_halo(bare, ("x1", "x0"))), expected)
    npt.assert_allclose(_halo_points(plot_halo(bare, "x1 x x0")), expected)
    plt.close("all")


def _data_xy():
    return make_classification(n_samples=200, n_features=5, n_informative=3, n_redundant=0,
                               random_state=0)


def test_positions_are_positions_in_the_cloud_and_the_halo():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from multiplicity.explain import plot_halo

    X, y = _data_xy()
    df = pd.DataFrame(X[:, :3], columns=["2", "0", "a x b"])  # names that mislead
    models = [LogisticRegression(C=c).fit(df, y) for c in (0.1, 1.0)]
    rs = RashomonSet(models, [0.0, 0.0], epsilon=0.0)
    cloud = feature_interaction_cloud(rs, df, y, pairs=[(0, 1), (2, 0)], n_repeats=1,
                                      random_state=0)
    assert list(dict.fromkeys(cloud["pair"])) == ["2 x 0", "a x b x 2"]
    first = cloud[cloud["pair"] == "2 x 0"]["fis"]
    second = cloud[cloud["pair"] == "a x b x 2"]["fis"]
    for pair in [(0, 1), (1, 0), "0 x 2", ("0", "2")]:
        npt.assert_allclose(_halo_points(plot_halo(cloud, pair))[:, 2], first,
                            err_msg=repr(pair))
    for pair in [(2, 0), "2 x a x b", ("2", "a x b")]:
        npt.assert_allclose(_halo_points(plot_halo(cloud, pair))[:, 2], second,
                            err_msg=repr(pair))
    plt.close("all")


def test_cloud_pairs_by_name():
    from multiplicity.explain._interaction import resolve_pair

    X, y = _data_xy()
    rs = RashomonSet(_pool(X, y, n=2), [0.0, 0.0], epsilon=0.0)
    kw = dict(n_repeats=1, random_state=0)
    a = feature_interaction_cloud(rs, X, y, pairs=[(0, 1), (3, 2)], **kw)
    b = feature_interaction_cloud(rs, X, y, pairs=["x0 x x1", "x3 x x2"], **kw)
    pd.testing.assert_frame_equal(a, b)
    names = ["a", "b x c", "a x b", "c", "d"]
    assert resolve_pair("a x b x d", ["a x b", "d", "a"]) == (0, 1)
    assert resolve_pair("d x a x b", ["a x b", "d", "a"]) == (1, 0)
    with pytest.raises(ValueError, match="can be read as"):
        resolve_pair("a x b x c", names)
    with pytest.raises(ValueError, match="unknown pair 'a x z'"):
        resolve_pair("a x z", names)
    with pytest.raises(ValueError, match="unknown pair"):
        feature_interaction_cloud(rs, X, y, pairs=["x0"], **kw)


@pytest.mark.parametrize("frame", [False, True])
def test_linear_fast_path_at_exact_ties(frame):
    # integer features and weights +-1: many decisions are exactly 0 (label: class 0)
    rng = np.random.default_rng(3)
    X = rng.integers(0, 3, size=(60, 3)).astype(float)
    y = rng.integers(0, 2, 60)
    if frame:
        X = pd.DataFrame(X, columns=["a", "b", "c"])
    models = []
    for w in ([1.0, -1.0, 0.0], [0.0, 1.0, -1.0], [1.0, 1.0, -2.0]):
        m = LogisticRegression().fit(X, y)
        m.coef_ = np.array([w])
        m.intercept_ = np.array([0.0])
        models.append(m)
    rs = RashomonSet(models, np.zeros(3), epsilon=0.0)
    _assert_importance_equals_sklearn(rs, X, y, n_repeats=3, random_state=2)
    cloud = feature_interaction_cloud(rs, X, y, loss="zero_one", n_repeats=2, random_state=2)
    Xa = np.asarray(X)
    oracle = _oracle_cloud(models if not frame else [_Frame(m, X.columns) for m in models],
                           Xa, y, [(0, 1), (0, 2), (1, 2)],
                           __import__("multiplicity.explain._common", fromlist=["x"])
                           .permutations(60, 2, 2), "zero_one")
    npt.assert_allclose(cloud[["model", "phi_i", "phi_j", "phi_ij", "fis"]]
                        .sort_values("model", kind="stable").to_numpy(dtype=float),
                        oracle, rtol=0, atol=1e-12)


class _Frame:
    """Feeds arrays to a model fitted on a DataFrame (for the oracle)."""

    def __init__(self, model, columns):
        self.model, self.columns = model, columns
        self.classes_ = model.classes_

    def predict(self, X):
        return self.model.predict(pd.DataFrame(X, columns=self.columns))


def test_importance_multiclass_labels_equal_sklearn():
    X, y = make_classification(n_samples=150, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=3, random_state=4)
    labels = np.array(["a", "b", "c"])[y]
    models = [LogisticRegression(C=c).fit(X, labels) for c in (0.1, 1.0)]
    rs = RashomonSet(models, np.zeros(2), epsilon=0.0)
    _assert_importance_equals_sklearn(rs, X, labels, n_repeats=2, random_state=8)
    # a label the models never predict counts as an error for every member
    wrong = labels.copy()
    wrong[:10] = "zzz"
    _assert_importance_equals_sklearn(rs, X, wrong, n_repeats=2, random_state=8)


def test_importance_binary_linear_with_unknown_label(data, rset):
    X, y = data
    y2 = y.copy()
    y2[:15] = 7  # never predicted: an error for every member, permuted or not
    _assert_importance_equals_sklearn(rset, X, y2, n_repeats=2, random_state=4)


@pytest.mark.parametrize("loss", ["log_loss", "brier", "zero_one"])
def test_linear_path_without_cached_decisions(data, rset, loss, monkeypatch):
    """Sets too large to keep the decision matrix use the chunked NumPy product."""
    from multiplicity.explain import _linear
    from multiplicity.explain._common import permutations

    X, y = data
    monkeypatch.setattr(_linear, "_CACHE_VALUES", 0)
    monkeypatch.setattr(_linear, "_CHUNK_VALUES", 300)  # several row chunks
    cloud = feature_interaction_cloud(rset, X, y, pairs=[(0, 3)], n_repeats=2, loss=loss,
                                      random_state=5)
    oracle = _oracle_cloud(list(rset), X, y, [(0, 3)], permutations(len(y), 2, 5), loss)
    npt.assert_allclose(cloud[["model", "phi_i", "phi_j", "phi_ij", "fis"]].to_numpy(float),
                        oracle, rtol=0, atol=1e-10)
    _assert_importance_equals_sklearn(rset, X, y, n_repeats=2, random_state=5)


def test_bad_X(data, rset):
    from scipy import sparse

    X, y = data
    with pytest.raises(TypeError, match="sparse"):
        feature_importance_range(rset, sparse.csr_matrix(X), y)
    dup = pd.DataFrame(X, columns=["a", "a", "b", "c", "d"])
    with pytest.raises(ValueError, match="duplicate column names"):
        feature_interaction_cloud(rset, dup, y)
    with pytest.raises(ValueError, match="at least one sample"):
        feature_importance_range(rset, X[:0], y[:0])
