"""RashomonSet.from_search: a Rashomon set from the candidates of a fitted search."""

from __future__ import annotations

import copy
import pickle
import re
import warnings

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression, Perceptron, Ridge
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
    train_test_split,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from multiplicity import _errors
from multiplicity.rashomon import RashomonSet
from multiplicity.rashomon import _search as S


def msg(template: str) -> str:
    """A regex for the longest fixed part of a message template (between its fields)."""
    return re.escape(max(re.split(r"\{[^}]*\}", template), key=len))


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=200, n_features=6, n_informative=4,
                               random_state=0)


@pytest.fixture(scope="module")
def lr_search(data):
    X, y = data
    return GridSearchCV(LogisticRegression(), {"C": [0.001, 0.01, 0.1, 1.0, 10.0]},
                        cv=3).fit(X, y)


def mixed_grid():
    return [{"clf": [LogisticRegression()], "clf__C": [0.01, 1.0]},
            {"clf": [DecisionTreeClassifier(random_state=0)], "clf__max_depth": [2, 4]},
            {"clf": [RandomForestClassifier(n_estimators=10, random_state=0)],
             "clf__max_depth": [3]}]


@pytest.fixture(scope="module")
def mixed_search(data):
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    return GridSearchCV(pipe, mixed_grid(), cv=3).fit(X, y)


def refitted(search, X, y):
    """Each candidate of the search, fitted on (X, y) by hand."""
    return [clone(clone(search.estimator).set_params(**p)).fit(X, y)
            for p in search.cv_results_["params"]]


def assert_same_set(a, b, X):
    assert len(a) == len(b)
    npt.assert_array_equal(a.losses_, b.losses_)
    assert a.baseline_index_ == b.baseline_index_
    assert a.threshold_ == b.threshold_
    assert (a.epsilon, a.epsilon_mode, a.loss, a.task) == (b.epsilon, b.epsilon_mode,
                                                          b.loss, b.task)
    pd.testing.assert_frame_equal(a.pool_, b.pool_)
    npt.assert_array_equal(a.predict(X), b.predict(X))


# ------------------------------------------------------------- the refitted losses
@pytest.mark.parametrize("kwargs", [{}, {"epsilon": 0.02}, {"epsilon": 0.0},
                                    {"epsilon": 0.5, "epsilon_mode": "relative"},
                                    {"loss": "log_loss", "epsilon": 0.05},
                                    {"baseline": 1, "epsilon": 0.03},
                                    {"baseline": -1, "epsilon": 0.03}])
def test_equals_from_models_on_refitted_candidates(data, lr_search, kwargs):
    X, y = data
    got = RashomonSet.from_search(lr_search, X, y, **kwargs)
    want = RashomonSet.from_models(refitted(lr_search, X, y), X, y, **kwargs)
    assert_same_set(got, want, X)


def test_mixed_pipeline_equals_from_models_and_profiles(data, mixed_search):
    X, y = data
    rs = RashomonSet.from_search(mixed_search, X, y, epsilon=0.15)
    want = RashomonSet.from_models(refitted(mixed_search, X, y), X, y, epsilon=0.15)
    assert_same_set(rs, want, X)
    kinds = {type(m[-1]).__name__ for m in rs}
    assert kinds == {"LogisticRegression", "DecisionTreeClassifier",
                     "RandomForestClassifier"}
    # the grid's estimator objects are never fitted in place (each member is a clone)
    for step in mixed_search.cv_results_["params"]:
        assert not hasattr(step["clf"], "classes_")
    assert len({id(m[-1]) for m in rs}) == len(rs)
    # pool_ positions are the rows of cv_results_
    for row in rs.pool_.itertuples():
        if row.kept:
            member = rs[int(row.member)]
            params = mixed_search.cv_results_["params"][row.position]
            assert type(member[-1]) is type(params["clf"])
    prof = rs.profile(X, y)
    assert prof.n_models == len(rs)
    assert 0.0 <= prof.ambiguity <= 1.0
    assert np.isfinite(prof.probabilistic_ambiguity)


def test_baseline_best_is_the_search_choice(data, mixed_search):
    X, y = data
    rs = RashomonSet.from_search(mixed_search, X, y, epsilon=0.1, baseline="best")
    base = int(rs.pool_.loc[rs.pool_["reason"] == "baseline h0", "position"].iloc[0])
    assert base == mixed_search.best_index_
    npt.assert_array_equal(rs.baseline_.predict(X),
                           clone(mixed_search.best_estimator_).fit(X, y).predict(X))


def test_rashomon_data_equals_from_models_on_validation_data():
    X, y = make_classification(n_samples=300, n_features=6, random_state=3)
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, random_state=0)
    search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                          {"max_depth": [1, 2, 3, 5, None]}, cv=3).fit(X_tr, y_tr)
    got = RashomonSet.from_search(search, X_tr, y_tr, epsilon=0.03,
                                  rashomon_data=(X_val, y_val))
    want = RashomonSet.from_models(refitted(search, X_tr, y_tr), X_val, y_val,
                                   epsilon=0.03)
    assert_same_set(got, want, X_val)


def test_mixed_set_with_and_without_predict_proba_profiles(data):
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    grid = [{"clf": [LogisticRegression()]},
            {"clf": [DecisionTreeClassifier(max_depth=3, random_state=0)]},
            {"clf": [Perceptron(random_state=0)]}]
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    rs = RashomonSet.from_search(search, X, y, epsilon=1.0)
    assert [type(m[-1]).__name__ for m in rs] == ["LogisticRegression",
                                                  "DecisionTreeClassifier", "Perceptron"]
    assert not rs.has_predict_proba
    prof = rs.profile(X, y)
    assert 0.0 <= prof.ambiguity <= 1.0
    assert prof.probabilistic_ambiguity is None or np.isnan(prof.probabilistic_ambiguity)
    with pytest.raises(TypeError, match=msg(_errors.SEARCH_NEEDS_PROBA)):
        RashomonSet.from_search(search, X, y, loss="log_loss")


def test_randomized_search_with_a_seed_is_reproducible(data):
    X, y = data

    def run():
        search = RandomizedSearchCV(
            RandomForestClassifier(n_estimators=5, random_state=0),
            {"max_depth": [1, 2, 3, 4, None], "min_samples_leaf": [1, 2, 5, 10]},
            n_iter=6, cv=3, random_state=7).fit(X, y)
        return RashomonSet.from_search(search, X, y, epsilon=0.05, n_jobs=2)

    a, b = run(), run()
    assert_same_set(a, b, X)


def test_regression_search_gives_a_regression_set():
    X, y = make_regression(n_samples=150, n_features=5, noise=10.0, random_state=0)
    pipe = Pipeline([("reg", Ridge())])
    grid = [{"reg": [Ridge()], "reg__alpha": [0.1, 10.0]},
            {"reg": [DecisionTreeRegressor(random_state=0)], "reg__max_depth": [3, 6]}]
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    rs = RashomonSet.from_search(search, X, y, epsilon=2.0, epsilon_mode="relative")
    assert rs.task == "regression" and rs.loss == "squared_error"
    assert rs.classes_ is None
    want = RashomonSet.from_models(refitted(search, X, y), X, y, epsilon=2.0,
                                   epsilon_mode="relative")
    assert_same_set(rs, want, X)
    prof = rs.profile(X, y, delta=5.0)
    assert prof.n_models == len(rs)
    # scores="cv": the default score of regressors is R², the loss 1 - R²
    cv = RashomonSet.from_search(search, X, y, epsilon=0.5, scores="cv")
    npt.assert_allclose(cv.pool_["loss"], 1 - search.cv_results_["mean_test_score"])
    assert cv.loss.scoring == "r2"


# --------------------------------------------------------- the cross-validated scores
def _hand_cv_set(losses, epsilon, epsilon_mode="absolute"):
    b = int(np.nanargmin(losses))
    thr = losses[b] + epsilon if epsilon_mode == "absolute" else losses[b] * (1 + epsilon)
    return b, losses <= thr + 1e-12


@pytest.mark.parametrize("epsilon", [0.0, 0.01, 0.03, 1.0])
def test_cv_scores_against_cv_results(data, mixed_search, epsilon):
    X, y = data
    rs = RashomonSet.from_search(mixed_search, X, y, epsilon=epsilon, scores="cv")
    losses = 1.0 - mixed_search.cv_results_["mean_test_score"]
    b, kept = _hand_cv_set(losses, epsilon)
    npt.assert_allclose(rs.pool_["loss"], losses)
    npt.assert_array_equal(rs.pool_["kept"], kept)
    npt.assert_allclose(rs.losses_, losses[kept])
    assert rs.baseline_loss_ == pytest.approx(losses[b])
    assert int(np.flatnonzero(kept)[rs.baseline_index_]) == b
    # the members are the kept candidates refitted on (X, y)
    fitted = refitted(mixed_search, X, y)
    want = np.stack([fitted[i].predict(X) for i in np.flatnonzero(kept)])
    npt.assert_array_equal(rs.predict(X), want)
    assert isinstance(rs.loss, S.CVScoreLoss)
    assert str(rs.loss) == "1 - mean_test_score (cross-validated, 'accuracy')"
    assert rs.loss.key == "mean_test_score" and rs.loss.one_minus


def test_cv_scores_of_a_neg_scorer_and_a_multi_metric_search(data):
    X, y = data
    grid = {"C": [0.001, 0.01, 1.0]}
    neg = GridSearchCV(LogisticRegression(), grid, scoring="neg_log_loss", cv=3).fit(X, y)
    rs = RashomonSet.from_search(neg, X, y, epsilon=0.05, scores="cv",
                                 epsilon_mode="relative")
    losses = -neg.cv_results_["mean_test_score"]
    _, kept = _hand_cv_set(losses, 0.05, "relative")
    npt.assert_array_equal(rs.pool_["kept"], kept)
    assert str(rs.loss) == "-mean_test_score (cross-validated, 'neg_log_loss')"
    multi = GridSearchCV(LogisticRegression(), grid, cv=3, refit="ll",
                         scoring={"acc": "accuracy", "ll": "neg_log_loss"}).fit(X, y)
    rs = RashomonSet.from_search(multi, X, y, epsilon=0.05, scores="cv")
    npt.assert_allclose(rs.pool_["loss"], -multi.cv_results_["mean_test_ll"])
    assert (rs.loss.key, rs.loss.scoring) == ("mean_test_ll", "neg_log_loss")
    multi.set_params(refit="acc").fit(X, y)
    rs = RashomonSet.from_search(multi, X, y, epsilon=0.05, scores="cv")
    npt.assert_allclose(rs.pool_["loss"], 1 - multi.cv_results_["mean_test_acc"])
    # scores="refit" does not read the scorer: any multi-metric search works
    multi.set_params(refit=False).fit(X, y)
    assert len(RashomonSet.from_search(multi, X, y, epsilon=0.05)) >= 1
    with pytest.raises(ValueError, match=msg(_errors.SEARCH_MULTIMETRIC)):
        RashomonSet.from_search(multi, X, y, scores="cv")


def test_cv_set_pickles(data, lr_search):
    X, y = data
    rs = RashomonSet.from_search(lr_search, X, y, epsilon=0.05, scores="cv")
    back = pickle.loads(pickle.dumps(rs))
    assert back.loss == rs.loss
    assert_same_set(back, rs, X)
    with pytest.raises(TypeError, match=msg(_errors.SEARCH_CV_LOSS_CALL)):
        rs.loss(y, y)


def test_halving_search_uses_the_last_iteration(data):
    X, y = data
    search = HalvingGridSearchCV(RandomForestClassifier(random_state=0),
                                 {"max_depth": [1, 2, 3, 4, 5, None]},
                                 resource="n_estimators", max_resources=20, cv=3,
                                 random_state=0).fit(X, y)
    last = np.flatnonzero(search.cv_results_["iter"] == search.cv_results_["iter"].max())
    rs = RashomonSet.from_search(search, X, y, epsilon=1.0)
    assert len(rs.pool_) == len(last) < len(search.cv_results_["params"])
    params = [search.cv_results_["params"][r] for r in last]
    for member, p in zip(rs, params, strict=True):
        assert member.get_params()["n_estimators"] == p["n_estimators"]
        assert member.get_params()["max_depth"] == p["max_depth"]
    cv = RashomonSet.from_search(search, X, y, epsilon=1.0, scores="cv",
                                 baseline="best")
    npt.assert_allclose(cv.pool_["loss"], 1 - search.cv_results_["mean_test_score"][last])
    base = int(cv.pool_.loc[cv.pool_["reason"] == "baseline h0", "position"].iloc[0])
    assert last[base] == search.best_index_


# ------------------------------------------------------------------ data handling
def test_string_labels_and_dataframes_after_train_test_split():
    X, y = make_classification(n_samples=200, n_features=4, random_state=2)
    X = pd.DataFrame(X, columns=list("abcd"))
    y = pd.Series(np.array(["no", "yes"])[y], name="label")
    X_tr, _, y_tr, _ = train_test_split(X, y, random_state=0)
    search = GridSearchCV(Pipeline([("clf", LogisticRegression())]),
                          [{"clf": [LogisticRegression()], "clf__C": [0.1, 1.0]},
                           {"clf": [DecisionTreeClassifier(max_depth=3, random_state=0)]}],
                          cv=3).fit(X_tr, y_tr)
    rs = RashomonSet.from_search(search, X_tr, y_tr, epsilon=0.1)
    npt.assert_array_equal(rs.classes_, ["no", "yes"])
    assert set(np.unique(rs.predict(X_tr))) <= {"no", "yes"}
    want = RashomonSet.from_models(refitted(search, X_tr, y_tr), X_tr, y_tr, epsilon=0.1)
    assert_same_set(rs, want, X_tr)
    # y in another row order is matched on the index
    shuffled = y_tr.sample(frac=1.0, random_state=1)
    assert_same_set(RashomonSet.from_search(search, X_tr, shuffled, epsilon=0.1), rs, X_tr)
    assert rs.profile(X_tr, shuffled).n_samples == len(X_tr)


# ------------------------------------------------------------------------- errors
def test_not_a_search(data):
    X, y = data
    with pytest.raises(TypeError, match=msg(_errors.SEARCH_TYPE)) as info:
        RashomonSet.from_search(LogisticRegression().fit(X, y), X, y)
    assert "from_models" in str(info.value) and "LogisticRegression" in str(info.value)
    with pytest.raises(TypeError, match=msg(_errors.SEARCH_TYPE)):
        RashomonSet.from_search([LogisticRegression()], X, y)


def test_unfitted_search(data):
    X, y = data
    search = GridSearchCV(LogisticRegression(), {"C": [1.0]})
    with pytest.raises(NotFittedError, match=msg(_errors.SEARCH_NOT_FITTED)):
        RashomonSet.from_search(search, X, y)
    with pytest.raises(ValueError, match=r"Call search_cv\.fit\(X, y\) first"):
        RashomonSet.from_search(search, X, y)


@pytest.mark.parametrize(("kwargs", "error", "pattern"), [
    ({"scores": "oof"}, ValueError, msg(_errors.SEARCH_SCORES)),
    ({"epsilon": -0.1}, ValueError, msg(_errors.EPSILON_NEGATIVE)),
    ({"epsilon_mode": "ratio"}, ValueError, msg(_errors.EPSILON_MODE)),
    ({"loss": "hinge"}, ValueError, "loss must be one of"),
    ({"loss": "squared_error"}, ValueError, "is a loss of regressors"),
    ({"scores": "cv", "loss": "log_loss"}, ValueError, msg(_errors.SEARCH_CV_LOSS)),
    ({"scores": "cv", "rashomon_data": ([[0.0]], [0])}, ValueError, msg(_errors.SEARCH_CV_DATA)),
    ({"baseline": 5}, ValueError, "baseline index 5 is out of range for 5 models"),
    ({"baseline": "first"}, ValueError, msg(_errors.SEARCH_BASELINE)),
    ({"baseline": True}, ValueError, msg(_errors.SEARCH_BASELINE)),
    ({"rashomon_data": "val"}, ValueError, msg(_errors.SEARCH_RASHOMON_DATA)),
    ({"rashomon_data": (np.zeros((3, 6)), [0, 1])}, ValueError,
     msg(_errors.LENGTH_MISMATCH)),
])
def test_invalid_arguments(data, lr_search, kwargs, error, pattern):
    X, y = data
    with pytest.raises(error, match=pattern):
        RashomonSet.from_search(lr_search, X, y, **kwargs)


def test_baseline_best_without_best_index(data):
    X, y = data
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, refit=False, cv=3,
                          scoring=["accuracy", "neg_log_loss"]).fit(X, y)
    with pytest.raises(ValueError, match=msg(_errors.SEARCH_NO_BEST)):
        RashomonSet.from_search(search, X, y, baseline="best")


def test_relative_epsilon_on_negative_cv_losses(data):
    X, y = data
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3,
                          scoring=lambda est, X_, y_: float((est.predict(X_) == y_).mean())
                          ).fit(X, y)
    rs = RashomonSet.from_search(search, X, y, scores="cv", epsilon=0.05)
    assert rs.loss.scoring is None and not rs.loss.one_minus
    npt.assert_allclose(rs.pool_["loss"], -search.cv_results_["mean_test_score"])
    with pytest.raises(ValueError, match=msg(_errors.SEARCH_CV_RELATIVE)):
        RashomonSet.from_search(search, X, y, scores="cv", epsilon=0.05,
                                epsilon_mode="relative")


def test_target_of_the_wrong_task(data, lr_search):
    X, y = data
    with pytest.raises(ValueError, match=msg(_errors.SEARCH_TARGET)):
        RashomonSet.from_search(lr_search, X, y + np.linspace(0, 0.5, len(y)))
    with pytest.raises(ValueError, match=msg(_errors.ONE_CLASS)):
        RashomonSet.from_search(lr_search, X, np.zeros(len(y)))
    Xr, yr = make_regression(n_samples=60, n_features=3, random_state=0)
    ridge = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=3).fit(Xr, yr)
    with pytest.raises(ValueError, match=msg(_errors.REGRESSION_TARGET)):
        RashomonSet.from_search(ridge, Xr, np.array(["a", "b", "c"] * 20))


def test_candidates_that_mix_classifiers_and_regressors(data):
    X, y = data
    pipe = Pipeline([("m", LogisticRegression())])
    search = GridSearchCV(pipe, {"m": [LogisticRegression(), Ridge()]}, cv=3,
                          error_score=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    with pytest.raises(ValueError, match=msg(_errors.SEARCH_TASK_MIX)):
        RashomonSet.from_search(search, X, y)


def test_x_y_mismatch_and_pandas_index(data, lr_search):
    X, y = data
    with pytest.raises(ValueError, match=msg(_errors.X_Y_LENGTH)):
        RashomonSet.from_search(lr_search, X, y[:-1])
    Xd = pd.DataFrame(X)
    yd = pd.Series(y, index=np.arange(len(y)) + 1000)
    with pytest.raises(ValueError, match=msg(_errors.INDEX_MISMATCH)):
        RashomonSet.from_search(lr_search, Xd, yd)


class _FailsOn(ClassifierMixin, BaseEstimator):
    """A classifier whose fit raises for ``bad=True``, or on more than ``max_rows`` rows."""

    def __init__(self, bad=False, max_rows=10_000):
        self.bad = bad
        self.max_rows = max_rows

    def fit(self, X, y):
        if self.bad or len(X) > self.max_rows:
            raise RuntimeError("cannot fit")
        self.classes_ = np.unique(y)
        self.majority_ = self.classes_[np.argmax(np.bincount(np.searchsorted(self.classes_,
                                                                              y)))]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def test_failed_candidates(data):
    X, y = data
    search = GridSearchCV(_FailsOn(), {"bad": [False, True]}, cv=3, error_score=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    for scores in ("refit", "cv"):
        with pytest.warns(UserWarning, match=msg(_errors.SEARCH_FAILED)):
            rs = RashomonSet.from_search(search, X, y, epsilon=1.0, scores=scores)
        assert len(rs) == 1
        assert np.isnan(rs.pool_["loss"][1]) and not rs.pool_["kept"][1]
        with pytest.warns(UserWarning), \
                pytest.raises(ValueError, match=msg(_errors.SEARCH_BASELINE_FAILED)):
            RashomonSet.from_search(search, X, y, baseline=1, scores=scores)
    # scikit-learn's searches raise when every fit fails; a search edited after fit
    all_bad = copy.deepcopy(search)
    all_bad.cv_results_["mean_test_score"][:] = np.nan
    with pytest.raises(ValueError, match=msg(_errors.SEARCH_ALL_FAILED)):
        RashomonSet.from_search(all_bad, X, y)


def test_a_candidate_that_fails_on_the_refit(data):
    X, y = data
    search = GridSearchCV(_FailsOn(max_rows=150), {"bad": [False]}, cv=3,
                          refit=False).fit(X, y)
    with pytest.raises(ValueError, match=msg(_errors.SEARCH_REFIT_FAILED)) as info:
        RashomonSet.from_search(search, X, y)
    assert "RuntimeError: cannot fit" in str(info.value)
