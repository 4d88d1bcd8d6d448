"""Rashomon sets of regressors: losses, explorers, the regression profile and its groups.

References: scikit-learn's ``mean_squared_error``, ``mean_absolute_error`` and ``r2_score``
for the losses and the score, and NumPy expressions written here (one model and one sample
at a time) for every measure of the profile.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.base import is_classifier, is_regressor
from sklearn.datasets import load_diabetes, make_classification
from sklearn.linear_model import LogisticRegression, Ridge, SGDRegressor
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from multiplicity import metrics
from multiplicity.rashomon import LinearLevelSet, RashomonSet, RetrainingExplorer


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return train_test_split(X, y, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def pool(diabetes):
    X_tr, _, y_tr, _ = diabetes
    return [Ridge(alpha=a).fit(X_tr, y_tr) for a in (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)]


@pytest.fixture(scope="module")
def explorer(diabetes):
    X_tr, _, y_tr, _ = diabetes
    sgd = make_pipeline(StandardScaler(), SGDRegressor(max_iter=30, tol=None, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RetrainingExplorer(sgd, n_models=12, epsilon=0.05, epsilon_mode="relative",
                                  random_state=0).fit(X_tr, y_tr)


# ------------------------------------------------------------------ oracles
def oracle_profile(P, b, delta, threshold, y=None, loss="squared_error"):
    """Every scalar of the regression profile, one model and one sample at a time."""
    m, n = P.shape
    moved_any = []
    per_model = [0] * m
    straddle = []
    for j in range(n):
        moved = False
        for i in range(m):
            if abs(P[i, j] - P[b, j]) >= delta:
                moved = True
                per_model[i] += 1
        moved_any.append(moved)
        if threshold is not None:
            decisions = {bool(P[i, j] >= threshold) for i in range(m)}
            straddle.append(len(decisions) > 1)
    lo = [min(P[i, j] for i in range(m)) for j in range(n)]
    hi = [max(P[i, j] for i in range(m)) for j in range(n)]
    width = np.array(hi) - np.array(lo)
    out = {"ambiguity": np.mean(moved_any), "discrepancy": max(per_model) / n,
           "mean_range_width": width.mean(), "max_range_width": width.max(),
           "relative_range_width": width.mean() / np.std(P[b]),
           "decision_ambiguity": np.mean(straddle) if threshold is not None else None}
    if y is not None:
        err = (P - y) ** 2 if loss == "squared_error" else np.abs(P - y)
        losses = err.mean(axis=1)
        out.update(baseline_loss=losses[b], min_loss=losses.min(), max_loss=losses.max())
    return out, np.column_stack([lo, hi])


# ------------------------------------------------------------------ the set
@pytest.mark.parametrize(("loss", "reference"), [(None, mean_squared_error),
                                                 ("squared_error", mean_squared_error),
                                                 ("absolute_error", mean_absolute_error)])
def test_from_models_losses_match_scikit_learn(diabetes, pool, loss, reference):
    X_tr, _, y_tr, _ = diabetes
    rs = RashomonSet.from_models(pool, X_tr, y_tr, loss=loss, epsilon=0.02,
                                 epsilon_mode="relative")
    expected = np.array([reference(y_tr, mdl.predict(X_tr)) for mdl in pool])
    npt.assert_allclose(rs.pool_["loss"], expected, rtol=1e-12)
    assert rs.task == "regression" and rs.classes_ is None
    assert rs.loss == (loss or "squared_error")
    kept = expected <= expected.min() * 1.02 + 1e-9
    npt.assert_array_equal(rs.pool_["kept"], kept)
    assert rs.baseline_index_ == int(np.argmin(expected[kept]))


def test_from_models_absolute_epsilon_and_predict(diabetes, pool):
    X_tr, X_te, y_tr, _ = diabetes
    losses = np.array([mean_squared_error(y_tr, m.predict(X_tr)) for m in pool])
    eps = float(np.sort(losses)[2] - losses.min())  # keeps the three best exactly
    rs = RashomonSet.from_models(pool, X_tr, y_tr, epsilon=eps)
    assert len(rs) == 3
    P = rs.predict(X_te)
    assert P.dtype == np.float64 and P.shape == (3, len(X_te))
    npt.assert_allclose(P, np.stack([m.predict(X_te) for m in rs]), rtol=0, atol=0)
    npt.assert_allclose(rs.predict(X_te, chunk_size=7), P, rtol=1e-13)  # BLAS blocking


def test_regression_set_refuses_class_methods(pool, diabetes):
    X_tr, X_te, y_tr, _ = diabetes
    rs = RashomonSet.from_models(pool, X_tr, y_tr, epsilon=1e6)
    assert not rs.has_predict_proba
    for method in (rs.predict_codes, rs.predict_proba):
        with pytest.raises(TypeError, match="holds regressors"):
            method(X_te)
    with pytest.raises(TypeError, match="holds regressors"):
        next(rs.iter_proba(X_te))


def test_bad_pools_and_targets(diabetes, pool):
    X_tr, _, y_tr, _ = diabetes
    Xc, yc = make_classification(n_samples=len(X_tr), n_features=X_tr.shape[1],
                                 random_state=0)
    clf = LogisticRegression().fit(Xc, yc)
    with pytest.raises(ValueError, match="mix classifiers and regressors"):
        RashomonSet.from_models([pool[0], clf], X_tr, y_tr)
    with pytest.raises(ValueError, match="loss of classifiers"):
        RashomonSet.from_models(pool, X_tr, y_tr, loss="zero_one")
    with pytest.raises(ValueError, match="loss of regressors"):
        RashomonSet.from_models([clf], Xc, yc, loss="squared_error")
    with pytest.raises(ValueError, match="must hold numbers"):
        RashomonSet.from_models(pool, X_tr, np.array(["a"] * len(X_tr)))
    y_nan = y_tr.to_numpy().copy()
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match=r"must be finite.*position 3"):
        RashomonSet.from_models(pool, X_tr, y_nan)


def test_classification_sets_are_unchanged(diabetes):
    X, y = make_classification(n_samples=200, random_state=0)
    models = [LogisticRegression(C=c).fit(X, y) for c in (0.01, 1.0)]
    rs = RashomonSet.from_models(models, X, y, epsilon=0.5)
    assert rs.task == "classification" and rs.loss == "zero_one"
    prof = rs.profile(X)
    assert prof.delta == 0.1
    with pytest.raises(ValueError, match="the models here are classifiers"):
        rs.profile(X, threshold=0.5)


def test_pickle_keeps_the_task(pool, diabetes):
    X_tr, _, y_tr, _ = diabetes
    rs = RashomonSet.from_models(pool, X_tr, y_tr, epsilon=1e6)
    back = pickle.loads(pickle.dumps(rs))
    assert back.task == "regression" and back.loss == "squared_error"
    state = rs.__getstate__()
    del state["task"]  # a set pickled before regressors were supported
    old = RashomonSet.__new__(RashomonSet)
    old.__setstate__(state)
    assert old.task == "classification"


# ------------------------------------------------------------------ explorer
def test_explorer_is_a_regressor(explorer, diabetes):
    X_tr, X_te, y_tr, y_te = diabetes
    assert is_regressor(explorer) and not is_classifier(explorer)
    assert not hasattr(explorer, "classes_")
    assert explorer.rashomon_set_.task == "regression"
    npt.assert_allclose(explorer.score(X_te, y_te),
                        r2_score(y_te, explorer.baseline_estimator_.predict(X_te)))
    npt.assert_allclose(explorer.candidate_losses_,
                        [mean_squared_error(y_tr, m.predict(X_tr))
                         for m in explorer.candidate_models_], rtol=1e-12)


@pytest.mark.parametrize("perturbation", ["bootstrap", "subsample"])
def test_explorer_resamples_regression_targets(diabetes, perturbation):
    X_tr, _, y_tr, _ = diabetes
    ex = RetrainingExplorer(DecisionTreeRegressor(max_depth=3), n_models=5,
                            perturbation=perturbation, loss="absolute_error", epsilon=1e9,
                            random_state=1).fit(X_tr, y_tr)
    npt.assert_allclose(ex.candidate_losses_,
                        [mean_absolute_error(y_tr, m.predict(X_tr))
                         for m in ex.candidate_models_], rtol=1e-12)
    assert len({tuple(m.predict(X_tr[:20])) for m in ex.candidate_models_}) > 1


# ------------------------------------------------------------------ profile
@pytest.mark.parametrize("threshold", [None, 150.0])
def test_profile_matches_the_oracle(explorer, diabetes, threshold):
    _, X_te, _, y_te = diabetes
    rs = explorer.rashomon_set_
    P = rs.predict(X_te)
    spread = np.ptp(P, axis=0)
    delta = float(np.quantile(spread, 0.7))
    prof = explorer.profile(X_te, y_te, delta=delta, threshold=threshold)
    expected, rng = oracle_profile(P, rs.baseline_index_, delta, threshold,
                                   y_te.to_numpy())
    assert 0 < prof.ambiguity < 1
    for name, value in expected.items():
        got = getattr(prof, name)
        if value is None:
            assert got is None
        else:
            npt.assert_allclose(got, value, rtol=1e-12, err_msg=name)
    npt.assert_array_equal(prof.prediction_range, rng)
    b = rs.baseline_index_
    assert prof.ambiguity == metrics.regression_ambiguity(P, b, delta)
    assert prof.discrepancy == metrics.regression_discrepancy(P, b, delta)
    if threshold is not None:
        assert prof.decision_ambiguity == metrics.decision_ambiguity(P, threshold, b)
        assert prof.decision_ambiguity == metrics.decision_ambiguity(P, threshold)
    frame = prof.to_frame()
    assert frame.index.equals(X_te.index)
    npt.assert_array_equal(frame["range_width"], rng[:, 1] - rng[:, 0])
    npt.assert_array_equal(frame["y_true"], y_te.to_numpy())
    assert ("decision_ambiguous" in frame) == (threshold is not None)


def test_profile_delta_edge_counts(diabetes):
    """A gap of exactly delta counts (>=), also after rounding, at any scale."""
    X_tr, X_te, y_tr, _ = diabetes

    class Shifted(Ridge):
        def predict(self, X):
            return super().predict(X) + self.shift

    models = []
    for shift in (0.0, 0.1, 1000.3):
        mdl = Shifted(alpha=1.0).fit(X_tr, y_tr)
        mdl.shift = shift
        models.append(mdl)
    rs = RashomonSet.from_models(models, X_tr, y_tr, epsilon=1e12)
    assert rs.baseline_index_ == 0
    prof = rs.profile(X_te, delta=0.1)
    assert prof.ambiguity == 1.0 and prof.discrepancy == 1.0
    prof = rs.profile(X_te, delta=1000.3)
    assert prof.ambiguity == 1.0
    assert rs.profile(X_te, delta=1000.4).ambiguity == 0.0


def test_profile_needs_delta_and_checks_it(explorer, diabetes):
    _, X_te, _, _ = diabetes
    with pytest.raises(ValueError, match="units of the target"):
        explorer.profile(X_te)
    for bad in (0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="delta must be a finite real number > 0"):
            explorer.profile(X_te, delta=bad)
    with pytest.raises(TypeError, match="delta"):
        explorer.profile(X_te, delta="10")
    with pytest.raises(ValueError, match="threshold must be a finite real number"):
        explorer.profile(X_te, delta=1.0, threshold=np.nan)


def test_by_group_matches_profiles_of_each_group(explorer, diabetes):
    _, X_te, _, y_te = diabetes
    rs = explorer.rashomon_set_
    prof = explorer.profile(X_te, y_te, delta=1.0, threshold=150.0)
    sex = X_te["sex"].map(lambda v: "a" if v > 0 else "b")
    table = prof.by_group(sex.sample(frac=1.0, random_state=0))  # aligned on the index
    for name in ("a", "b"):
        rows = (sex == name).to_numpy()
        sub = RashomonSet.from_models(list(rs), X_te[rows], y_te[rows], epsilon=1e12,
                                      baseline=rs.baseline_index_)
        part = sub.profile(X_te[rows], y_te[rows], delta=1.0, threshold=150.0)
        for col in ("ambiguity", "discrepancy", "decision_ambiguity", "mean_range_width",
                    "max_range_width", "relative_range_width", "baseline_loss", "min_loss",
                    "max_loss"):
            npt.assert_allclose(table.loc[name, col], getattr(part, col), rtol=1e-9,
                                err_msg=f"{name} {col}")
        assert table.loc[name, "n_samples"] == rows.sum()
    assert table.loc["overall", "ambiguity"] == prof.ambiguity
    assert set(table.attrs["worst_group"]) >= {"ambiguity", "max_loss"}


def test_profile_does_not_touch_inputs(explorer, diabetes):
    _, X_te, _, y_te = diabetes
    X_copy, y_copy = X_te.copy(), y_te.copy()
    prof = explorer.profile(X_te, y_te, delta=1.0)
    prof.by_group(X_te["sex"])
    pd.testing.assert_frame_equal(X_te, X_copy)
    pd.testing.assert_series_equal(y_te, y_copy)


def test_plot_draws_three_panels(explorer, diabetes):
    import matplotlib

    matplotlib.use("Agg")
    _, X_te, _, _ = diabetes
    fig = explorer.profile(X_te, delta=1.0, threshold=150.0).plot()
    assert len(fig.axes) == 3
    assert fig.axes[2].get_xlabel() == "share of samples"


# ------------------------------------------------------------------ with the level set
def test_level_set_members_form_a_regression_set(diabetes):
    """Members sampled from LinearLevelSet go through from_models, and every prediction of
    the resulting set lies in the exact prediction range of the level set."""
    X_tr, X_te, y_tr, _ = diabetes
    lls = LinearLevelSet(alpha=0.1, epsilon=50.0).fit(X_tr, y_tr)
    members = lls.sample(25, random_state=0, where="boundary")
    rs = RashomonSet.from_models(members, X_tr, y_tr, epsilon=1e9)
    assert rs.task == "regression" and len(rs) == 25
    P = rs.predict(X_te)
    exact = lls.prediction_range(X_te)
    assert np.all(P >= exact[:, [0]].T - 1e-9) and np.all(P <= exact[:, [1]].T + 1e-9)
    prof = rs.profile(X_te, delta=5.0)
    assert np.all(prof.prediction_range[:, 0] >= exact[:, 0] - 1e-9)
    assert np.all(prof.prediction_range[:, 1] <= exact[:, 1] + 1e-9)


def test_explanations_say_they_need_classifiers(pool, diabetes):
    X_tr, _, y_tr, _ = diabetes
    rs = RashomonSet.from_models(pool, X_tr, y_tr, epsilon=1e6)
    with pytest.raises(TypeError, match="holds regressors"):
        rs.feature_importance_range(X_tr, y_tr)
    with pytest.raises(TypeError, match="holds regressors"):
        rs.feature_interaction_cloud(X_tr, y_tr)
