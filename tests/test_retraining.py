"""RetrainingExplorer: its set, its measures against by-hand NumPy, sklearn conventions."""

from __future__ import annotations

import itertools
import pickle
import sys
import warnings

import numba
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import scipy.sparse as sp
from joblib import parallel_config
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    BaggingClassifier,
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_info, threadpool_limits

from multiplicity import metrics
from multiplicity.datasets import load_compas
from multiplicity.rashomon import DropoutExplorer, RashomonSet
from multiplicity.rashomon._retraining import (
    SEED_IGNORED,
    RetrainingExplorer,
    _same_output,
    all_identical,
    random_state_keys,
    seed_ignored,
)

PERTURBATIONS = ["seed", "bootstrap", "subsample", "params"]


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=200, n_features=6, flip_y=0.1, random_state=0)


@pytest.fixture(scope="module")
def compas():
    bunch = load_compas()
    return bunch.data, bunch.target


# 200 candidates as in the issue; with NUMBA_DISABLE_JIT=1 (the coverage pass) every measure
# runs as plain Python over (n_models, 6907) arrays, so that pass uses 40 candidates.
N_COMPAS_MODELS = 40 if numba.config.DISABLE_JIT else 200


@pytest.fixture(scope="module")
def compas_explorer(compas):
    X, y = compas
    return RetrainingExplorer(LogisticRegression(max_iter=1000), perturbation="bootstrap",
                              n_models=N_COMPAS_MODELS, epsilon=0.01,
                              random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def compas_profile(compas, compas_explorer):
    X, y = compas
    return compas_explorer.profile(X, y, delta=0.1)


def _zero_one(models, X, y):
    return np.array([np.mean(m.predict(X) != np.asarray(y)) for m in models])


def _binary_capacity_bits(a, b, grid=20001):
    """Capacity (bits) of the channel whose inputs give P(class 1) in [a, b]: the optimum
    mixes the two extreme models, so maximise the mutual information over the mix weight."""
    lam = np.linspace(0.0, 1.0, grid)[None, :]

    def h2(p):
        p = np.clip(p, 1e-300, 1.0)
        q = np.clip(1.0 - p, 1e-300, 1.0)
        return -(p * np.log2(p) + q * np.log2(q))

    a, b = a[:, None], b[:, None]
    info = h2(lam * b + (1 - lam) * a) - lam * h2(b) - (1 - lam) * h2(a)
    return info.max(axis=1)


# ------------------------------------------------------------- COMPAS, by hand
def test_compas_set_is_the_candidates_within_epsilon(compas, compas_explorer):
    X, y = compas
    ex = compas_explorer
    losses = _zero_one(ex.candidate_models_, X, y)
    npt.assert_array_equal(ex.candidate_losses_, losses)
    assert ex.baseline_index_ == int(np.argmin(losses))
    inside = [m for m, loss in zip(ex.candidate_models_, losses, strict=True)
              if loss <= losses.min() + 0.01]
    assert list(ex.rashomon_set_) == inside
    assert ex.rashomon_set_.baseline_ is ex.baseline_estimator_
    assert 1 < len(inside) <= N_COMPAS_MODELS


def test_compas_profile_matches_metrics_and_numpy(compas, compas_explorer, compas_profile):
    X, y = compas
    rs = compas_explorer.rashomon_set_
    prof = compas_profile
    b = rs.baseline_index_
    P = np.stack([m.predict(X) for m in rs])                     # (m, n) labels
    Q = np.stack([m.predict_proba(X) for m in rs])               # (m, n, 2)
    q = Q[:, :, 1]
    flips = P != P[b]
    pflips = np.abs(q - q[b]) >= 0.1

    assert prof.n_models == len(rs) and prof.n_samples == len(y)
    npt.assert_allclose(prof.ambiguity, flips.any(axis=0).mean(), rtol=0, atol=1e-15)
    npt.assert_allclose(prof.ambiguity, metrics.ambiguity(P, b), rtol=0, atol=1e-15)
    npt.assert_allclose(prof.discrepancy, flips.mean(axis=1).max(), rtol=0, atol=1e-15)
    npt.assert_allclose(prof.discrepancy, metrics.discrepancy(P, b), rtol=0, atol=1e-15)
    npt.assert_array_equal(prof.ambiguous, flips.any(axis=0))
    npt.assert_allclose(prof.probabilistic_ambiguity, pflips.any(axis=0).mean(), atol=1e-15)
    npt.assert_allclose(prof.probabilistic_ambiguity,
                        metrics.probabilistic_ambiguity(q, b, delta=0.1), atol=1e-15)
    npt.assert_allclose(prof.probabilistic_discrepancy, pflips.mean(axis=1).max(), atol=1e-15)
    npt.assert_allclose(prof.probabilistic_discrepancy,
                        metrics.probabilistic_discrepancy(q, b, delta=0.1), atol=1e-15)
    # viable prediction range of the positive class
    npt.assert_allclose(prof.vpr, np.stack([q.min(axis=0), q.max(axis=0)], axis=1))
    npt.assert_allclose(prof.vpr, metrics.viable_prediction_range(q))
    npt.assert_allclose(prof.mean_vpr_width, np.mean(q.max(axis=0) - q.min(axis=0)))
    # Rashomon capacity: the Blahut-Arimoto metric, and the two-extreme-model optimum
    npt.assert_allclose(prof.rashomon_capacity, metrics.rashomon_capacity(Q), atol=1e-6)
    npt.assert_allclose(prof.mean_rashomon_capacity, metrics.rashomon_capacity(Q).mean(),
                        atol=1e-6)
    lo_hi, inverse = np.unique(np.stack([q.min(0), q.max(0)], axis=1), axis=0,
                               return_inverse=True)  # COMPAS has few distinct rows
    rc_by_hand = 2.0 ** _binary_capacity_bits(lo_hi[:, 0], lo_hi[:, 1])[inverse.ravel()]
    npt.assert_allclose(prof.rashomon_capacity, rc_by_hand, atol=1e-6)
    assert np.all((prof.rashomon_capacity >= 1.0) & (prof.rashomon_capacity <= 2.0))
    # self-consistency and accuracies
    npt.assert_allclose(prof.self_consistency, metrics.self_consistency(P))
    acc = (P == np.asarray(y)).mean(axis=1)
    assert prof.baseline_accuracy == pytest.approx(acc[b], abs=1e-15)
    assert (prof.min_accuracy, prof.max_accuracy) == pytest.approx((acc.min(), acc.max()))
    # the explorer only delegates
    npt.assert_array_equal(compas_explorer.predict(X), P[b])
    npt.assert_allclose(compas_explorer.predict_proba(X), Q[b])


def test_compas_by_group_runs_on_explorer_profile(compas, compas_explorer, compas_profile):
    X, _ = compas
    sex = load_compas().sensitive_features["sex"]
    table = compas_profile.by_group(sex)
    P = compas_explorer.rashomon_set_.predict(X)
    b = compas_explorer.rashomon_set_.baseline_index_
    female = (sex == "Female").to_numpy()
    npt.assert_allclose(table.loc["Female", "ambiguity"],
                        (P[:, female] != P[b, female]).any(axis=0).mean())


# ------------------------------------------------------------------ epsilon
@pytest.mark.parametrize("perturbation", ["seed", "bootstrap", "subsample"])
@pytest.mark.parametrize("epsilon_mode", ["absolute", "relative"])
def test_set_grows_with_epsilon(data, perturbation, epsilon_mode):
    X, y = data
    # max_features < n_features: the seed picks the features a split may use, so seeds
    # alone give different trees
    ex = RetrainingExplorer(DecisionTreeClassifier(max_depth=4, max_features=3), n_models=30,
                            perturbation=perturbation, random_state=1).fit(X, y)
    eps = np.linspace(0.0, 0.3 if epsilon_mode == "absolute" else 3.0, 31)
    sizes = [len(ex.rashomon_set_for(e, epsilon_mode)) for e in eps]
    assert sizes == sorted(sizes)
    assert sizes[-1] == 30
    members = [set(map(id, ex.rashomon_set_for(e, epsilon_mode))) for e in eps]
    assert all(a <= b for a, b in itertools.pairwise(members))  # nested


@pytest.mark.parametrize("epsilon", [0.0, 0.005, 0.02, 0.1, 1.0])
@pytest.mark.parametrize("epsilon_mode", ["absolute", "relative"])
@pytest.mark.parametrize("loss", ["zero_one", "log_loss", "brier"])
def test_rashomon_set_for_matches_from_models(data, epsilon, epsilon_mode, loss):
    X, y = data
    ex = RetrainingExplorer(LogisticRegression(), n_models=12, perturbation="bootstrap",
                            loss=loss, random_state=3).fit(X, y)
    got = ex.rashomon_set_for(epsilon, epsilon_mode)
    want = RashomonSet.from_models(ex.candidate_models_, X, y, loss=loss, epsilon=epsilon,
                                   epsilon_mode=epsilon_mode)
    assert list(got) == list(want)
    npt.assert_array_equal(got.losses_, want.losses_)
    assert got.baseline_index_ == want.baseline_index_
    assert (got.epsilon, got.epsilon_mode, got.threshold_) == (
        want.epsilon, want.epsilon_mode, want.threshold_)


def test_rashomon_set_at_fit_epsilon_equals_rashomon_set_for(data):
    X, y = data
    ex = RetrainingExplorer(DecisionTreeClassifier(), n_models=10, perturbation="bootstrap",
                            epsilon=0.03, epsilon_mode="relative", random_state=0).fit(X, y)
    assert list(ex.rashomon_set_for(0.03)) == list(ex.rashomon_set_)
    assert ex.rashomon_set_for(0.03).epsilon_mode == "relative"


def test_epsilon_zero_keeps_exactly_the_minimisers(data):
    X, y = data
    ex = RetrainingExplorer(DecisionTreeClassifier(max_depth=3), n_models=40,
                            perturbation="bootstrap", epsilon=0.0, random_state=0).fit(X, y)
    losses = ex.candidate_losses_
    minimisers = [m for m, loss in zip(ex.candidate_models_, losses, strict=True)
                  if loss == losses.min()]
    assert list(ex.rashomon_set_) == minimisers
    assert np.all(ex.rashomon_set_.losses_ == losses.min())
    assert ex.rashomon_set_.baseline_ is ex.candidate_models_[int(np.argmin(losses))]


def test_validation_data_defines_the_set(data):
    X, y = data
    X_tr, y_tr, X_val, y_val = X[:120], y[:120], X[120:], y[120:]
    ex = RetrainingExplorer(DecisionTreeClassifier(max_depth=3), n_models=15,
                            perturbation="bootstrap", rashomon_data=(X_val, y_val),
                            epsilon=0.02, random_state=0).fit(X_tr, y_tr)
    npt.assert_array_equal(ex.candidate_losses_, _zero_one(ex.candidate_models_, X_val, y_val))
    want = RashomonSet.from_models(ex.candidate_models_, X_val, y_val, epsilon=0.02)
    assert list(ex.rashomon_set_) == list(want)


def test_log_loss_candidates_match_sklearn(data):
    X, y = data
    ex = RetrainingExplorer(LogisticRegression(), n_models=5, perturbation="subsample",
                            loss="log_loss", random_state=0).fit(X, y)
    npt.assert_allclose(ex.candidate_losses_,
                        [log_loss(y, m.predict_proba(X)) for m in ex.candidate_models_])


def test_callable_loss(data):
    X, y = data
    ex = RetrainingExplorer(LogisticRegression(), n_models=4, perturbation="bootstrap",
                            loss=lambda t, q: float(np.mean(q[:, 1])),
                            loss_input="predict_proba", random_state=0).fit(X, y)
    npt.assert_allclose(ex.candidate_losses_,
                        [m.predict_proba(X)[:, 1].mean() for m in ex.candidate_models_])


# ------------------------------------------------------- seeds and parallelism
def test_identical_results_for_n_jobs_1_and_2(data):
    X, y = data
    kw = {"n_models": 8, "perturbation": "bootstrap", "random_state": 7}
    one = RetrainingExplorer(LogisticRegression(), n_jobs=1, **kw).fit(X, y)
    two = RetrainingExplorer(LogisticRegression(), n_jobs=2, **kw).fit(X, y)
    npt.assert_array_equal(one.candidate_losses_, two.candidate_losses_)
    assert one.candidate_params_ == two.candidate_params_
    for a, b in zip(one.candidate_models_, two.candidate_models_, strict=True):
        npt.assert_array_equal(a.coef_, b.coef_)
    npt.assert_array_equal(one.rashomon_set_.predict_proba(X), two.rashomon_set_.predict_proba(X))
    assert one.profile(X, y).ambiguity == two.profile(X, y).ambiguity


def test_random_state_int_randomstate_and_none(data):
    X, y = data
    kw = {"n_models": 4, "perturbation": "bootstrap"}

    def fit(rs):
        return RetrainingExplorer(DecisionTreeClassifier(), random_state=rs, **kw).fit(X, y)

    a, b = fit(5), fit(5)
    npt.assert_array_equal(a.candidate_losses_, b.candidate_losses_)
    assert a.candidate_params_ == b.candidate_params_ and a.seed_ == 5
    assert fit(6).candidate_params_ != a.candidate_params_
    r1, r2 = fit(np.random.RandomState(0)), fit(np.random.RandomState(0))
    assert r1.seed_ == r2.seed_ and r1.candidate_params_ == r2.candidate_params_
    n1, n2 = fit(None), fit(None)
    assert n1.seed_ != n2.seed_  # fresh entropy (a clash has probability 2**-32)
    again = fit(n1.seed_)  # a run with None is repeatable through seed_
    assert again.candidate_params_ == n1.candidate_params_
    npt.assert_array_equal(again.candidate_losses_, n1.candidate_losses_)


def test_candidate_seeds_are_distinct_and_deep(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=3))
    assert random_state_keys(pipe) == ["randomforestclassifier__random_state"]
    ex = RetrainingExplorer(pipe, n_models=6, random_state=0).fit(X, y)
    seeds = [p["randomforestclassifier__random_state"] for p in ex.candidate_params_]
    assert len(set(seeds)) == 6
    for model, p in zip(ex.candidate_models_, ex.candidate_params_, strict=True):
        assert model.get_params()["randomforestclassifier__random_state"] == p[
            "randomforestclassifier__random_state"]
    assert pipe.get_params()["randomforestclassifier__random_state"] is None  # untouched
    # refitting from candidate_params_ reproduces a candidate ("seed" uses all rows)
    refit = clone(pipe).set_params(**ex.candidate_params_[2]).fit(X, y)
    npt.assert_array_equal(refit.predict_proba(X), ex.candidate_models_[2].predict_proba(X))


def test_resampling_sizes(data):
    X, y = data
    boot = RetrainingExplorer(DecisionTreeClassifier(), n_models=5, perturbation="bootstrap",
                              random_state=0).fit(X, y)
    seed = RetrainingExplorer(DecisionTreeClassifier(max_features=3), n_models=5,
                              perturbation="seed", random_state=0).fit(X, y)
    assert np.all(seed.candidate_losses_ == 0)  # full trees on all (distinct) rows
    assert np.all(boot.candidate_losses_ > 0)  # out-of-bag rows were never seen
    assert all(m.tree_.n_node_samples[0] == len(y) for m in boot.candidate_models_)
    sub = RetrainingExplorer(DecisionTreeClassifier(), n_models=5, perturbation="subsample",
                             subsample=0.3, random_state=0).fit(X, y)
    assert all(m.tree_.n_node_samples[0] == 60 for m in sub.candidate_models_)
    full = RetrainingExplorer(DecisionTreeClassifier(max_features=3), n_models=3,
                              perturbation="subsample", subsample=1.0, random_state=0).fit(X, y)
    npt.assert_array_equal(full.candidate_losses_, seed.candidate_losses_[:3])


def test_params_perturbation_samples_the_distributions(data):
    X, y = data
    ex = RetrainingExplorer(LogisticRegression(), n_models=10, perturbation="params",
                            param_distributions={"C": loguniform(1e-3, 1e2)},
                            random_state=0).fit(X, y)
    Cs = [p["C"] for p in ex.candidate_params_]
    assert len(set(Cs)) == 10 and all(1e-3 <= c <= 1e2 for c in Cs)
    assert [m.C for m in ex.candidate_models_] == Cs
    # a sampled estimator object is cloned per candidate, and its own seed is set
    grid = {"estimator": [DecisionTreeClassifier(max_depth=2), DecisionTreeClassifier()]}

    ex = RetrainingExplorer(BaggingClassifier(n_estimators=2), n_models=4,
                            perturbation="params",
                            param_distributions=grid,
                            random_state=0).fit(X, y)
    inner = [m.estimator for m in ex.candidate_models_]
    assert len({id(e) for e in inner}) == 4
    assert all(e not in grid["estimator"] for e in inner)
    assert all(e.random_state is None and not hasattr(e, "tree_") for e in grid["estimator"])
    assert all("random_state" in p and "estimator__random_state" in p
               for p in ex.candidate_params_)


# --------------------------------------------------- every estimator, every perturbation
ESTIMATORS = {
    "logistic": (LogisticRegression(), {"C": loguniform(1e-2, 1e2)}),
    "tree": (DecisionTreeClassifier(), {"max_depth": [2, 3, 4, None]}),
    "forest": (RandomForestClassifier(n_estimators=5), {"max_features": [1, 2, 3]}),
    "mlp": (MLPClassifier(hidden_layer_sizes=(5,), max_iter=20),
            {"alpha": loguniform(1e-5, 1e-1)}),
    "pipeline": (make_pipeline(StandardScaler(), LogisticRegression()),
                 {"logisticregression__C": loguniform(1e-2, 1e2)}),
}


# lbfgs never reads the seed (a full tree uses it to break ties, and its candidates fit
# every training row alike but differ between the rows: no warning)
SEED_GIVES_COPIES = {"logistic", "pipeline"}


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("perturbation", PERTURBATIONS)
def test_every_perturbation_with_common_classifiers(data, name, perturbation):
    X, y = data
    est, dists = ESTIMATORS[name]
    ex = RetrainingExplorer(est, n_models=4, perturbation=perturbation,
                            param_distributions=dists, epsilon=0.05, random_state=0)
    with warnings.catch_warnings():
        if name == "mlp":  # 20 iterations on purpose: keep the test fast
            warnings.simplefilter("ignore", ConvergenceWarning)
        if perturbation == "seed" and name in SEED_GIVES_COPIES:
            with pytest.warns(UserWarning, match="same model"):
                ex.fit(X, y)
        else:
            ex.fit(X, y)
    assert len(ex.candidate_models_) == 4 and ex.candidate_losses_.shape == (4,)
    npt.assert_array_equal(ex.candidate_losses_, _zero_one(ex.candidate_models_, X, y))
    assert 1 <= len(ex.rashomon_set_) <= 4
    npt.assert_array_equal(ex.classes_, [0, 1])
    assert ex.n_features_in_ == X.shape[1]
    assert ex.predict(X).shape == (len(y),)
    assert ex.profile(X, y).n_models == len(ex.rashomon_set_)
    if perturbation == "params":
        assert all(set(dists) <= set(p) for p in ex.candidate_params_)


def test_multiclass_string_labels(data):
    X, _ = make_classification(n_samples=150, n_features=6, n_informative=4, n_classes=3,
                               random_state=2)
    y = np.array(["cat", "dog", "emu"])[np.arange(150) % 3]
    ex = RetrainingExplorer(DecisionTreeClassifier(max_depth=3), n_models=5,
                            perturbation="bootstrap", epsilon=1.0, random_state=0).fit(X, y)
    npt.assert_array_equal(ex.classes_, ["cat", "dog", "emu"])
    assert set(ex.predict(X)) <= {"cat", "dog", "emu"}
    assert ex.rashomon_set_.predict_proba(X).shape == (5, 150, 3)


def test_rare_class_resamples_are_redrawn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.zeros(60, dtype=int)
    y[:2] = 1  # a bootstrap sample misses both positives with probability ~ 13%
    ex = RetrainingExplorer(DecisionTreeClassifier(), n_models=30, perturbation="bootstrap",
                            random_state=0).fit(X, y)
    assert all(list(m.classes_) == [0, 1] for m in ex.candidate_models_)
    X = rng.normal(size=(5000, 2))
    y = np.zeros(5000, dtype=int)
    y[0] = 1
    with pytest.raises(ValueError, match="miss a class"):
        RetrainingExplorer(DecisionTreeClassifier(), n_models=1, perturbation="subsample",
                           subsample=2 / 5000, random_state=0).fit(X, y)


# --------------------------------------------------------------- input types
def test_dataframe_keeps_feature_names_and_resamples_by_position(data):
    X, y = data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])],
                      index=np.arange(len(y))[::-1] * 10)  # a non-default index
    ys = pd.Series(y, index=df.index)
    ex = RetrainingExplorer(LogisticRegression(), n_models=4, perturbation="bootstrap",
                            random_state=0).fit(df, ys)
    arr = RetrainingExplorer(LogisticRegression(), n_models=4, perturbation="bootstrap",
                             random_state=0).fit(X, y)
    npt.assert_array_equal(ex.feature_names_in_, df.columns)
    for a, b in zip(ex.candidate_models_, arr.candidate_models_, strict=True):
        npt.assert_array_equal(a.feature_names_in_, df.columns)
        npt.assert_allclose(a.coef_, b.coef_)
    npt.assert_array_equal(ex.candidate_losses_, arr.candidate_losses_)
    ex.predict(df)  # no feature-name warning (warnings are errors)
    ex.profile(df, ys)


@pytest.mark.parametrize("fmt", ["csr", "coo"])
def test_sparse_input(data, fmt):
    _, y = data
    Xs = sp.random(len(y), 20, density=0.3, format=fmt, random_state=0) + 0.0
    Xs = Xs.asformat(fmt)
    ex = RetrainingExplorer(LogisticRegression(), n_models=3, perturbation="bootstrap",
                            random_state=0).fit(Xs, y)
    assert ex.predict(Xs.tocsr()).shape == (len(y),)


def test_text_pipeline_takes_a_list_of_strings():
    docs = ["good movie", "bad movie", "great film", "awful film", "good plot",
            "bad acting", "great cast", "awful plot"] * 5
    y = [1, 0, 1, 0, 1, 0, 1, 0] * 5
    pipe = make_pipeline(CountVectorizer(), LogisticRegression())
    ex = RetrainingExplorer(pipe, n_models=3, perturbation="bootstrap",
                            random_state=0).fit(docs, y)
    assert list(ex.predict(["good film", "awful movie"])) == [1, 0]
    assert not hasattr(ex, "n_features_in_")


def test_knn_needs_a_resampling_perturbation(data):
    X, y = data
    with pytest.raises(ValueError, match="has none, so every retrained model"):
        RetrainingExplorer(KNeighborsClassifier(), n_models=2).fit(X, y)
    ex = RetrainingExplorer(KNeighborsClassifier(), n_models=3, perturbation="bootstrap",
                            random_state=0).fit(X, y)
    assert ex.candidate_params_ == [{}, {}, {}]


def test_progress_bar(data, capsys):
    X, y = data
    kw = {"n_models": 6, "perturbation": "bootstrap", "random_state": 0}
    quiet = RetrainingExplorer(LogisticRegression(), **kw).fit(X, y)
    assert capsys.readouterr().err == ""
    for n_jobs in (1, 2):
        loud = RetrainingExplorer(LogisticRegression(), progress=True, n_jobs=n_jobs,
                                  **kw).fit(X, y)
        assert "6/6" in capsys.readouterr().err
        npt.assert_array_equal(loud.candidate_losses_, quiet.candidate_losses_)


def test_progress_bar_with_a_backend_without_generators(data, capsys, monkeypatch):
    # joblib's multiprocessing backend refuses return_as="generator*" with a ValueError
    # when Parallel is built; the explorer then collects a list and the bar jumps at the end.
    import multiplicity.rashomon._retraining as mod

    real = mod.Parallel

    def no_generators(*args, **kwargs):
        if kwargs.get("return_as", "list") != "list":
            raise ValueError("Backend does not support return_as=generator_unordered")
        return real(*args, **kwargs)

    monkeypatch.setattr(mod, "Parallel", no_generators)
    X, y = data
    kw = {"n_models": 3, "perturbation": "bootstrap", "random_state": 0}
    loud = RetrainingExplorer(LogisticRegression(), progress=True, **kw).fit(X, y)
    assert "3/3" in capsys.readouterr().err
    quiet = RetrainingExplorer(LogisticRegression(), **kw).fit(X, y)
    npt.assert_array_equal(loud.candidate_losses_, quiet.candidate_losses_)


def test_objects_that_only_implement_array(data):
    X, y = data

    class OnlyArray:
        def __init__(self, a):
            self._a = a

        def __array__(self, dtype=None, copy=None):
            return self._a

    ex = RetrainingExplorer(LogisticRegression(), n_models=2, perturbation="bootstrap",
                            random_state=0).fit(OnlyArray(X), y)
    assert ex.n_features_in_ == X.shape[1]


# ----------------------------------------------------------- sklearn conventions
def test_clone_params_and_not_fitted(data):
    X, y = data
    ex = RetrainingExplorer(LogisticRegression(), n_models=3, perturbation="bootstrap",
                            epsilon=0.05, random_state=0)
    assert clone(ex).get_params()["n_models"] == 3
    assert ex.get_params()["estimator__C"] == 1.0
    ex.set_params(estimator__C=0.5, n_models=2)
    assert ex.estimator.C == 0.5 and ex.n_models == 2
    for call in (lambda: ex.predict(X), lambda: ex.predict_proba(X),
                 lambda: ex.rashomon_set_for(0.1), lambda: ex.profile(X)):
        with pytest.raises(NotFittedError):
            call()
    ex.fit(X, y)
    assert not hasattr(clone(ex), "rashomon_set_")
    assert ex.score(X, y) == pytest.approx(1 - ex.candidate_losses_[ex.baseline_index_])
    assert not hasattr(RetrainingExplorer(LinearSVC()), "predict_proba")


def test_fitted_explorer_pickles(data):
    X, y = data
    ex = RetrainingExplorer(LogisticRegression(), n_models=3, perturbation="bootstrap",
                            random_state=0).fit(X, y)
    back = pickle.loads(pickle.dumps(ex))
    npt.assert_array_equal(back.rashomon_set_.predict(X), ex.rashomon_set_.predict(X))


class _ClassesBySeed(ClassifierMixin, BaseEstimator):
    """A broken classifier whose classes_ depend on its seed (odd seeds add a class)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        extra = [] if self.random_state % 2 == 0 else [np.max(y) + 1]
        self.classes_ = np.concatenate([np.unique(y), extra]).astype(np.asarray(y).dtype)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_bad_input(data):
    X, y = data
    lr = LogisticRegression()
    with pytest.raises(ValueError, match="epsilon"):
        RetrainingExplorer(lr, epsilon=-0.1).fit(X, y)
    with pytest.raises(ValueError, match="epsilon"):
        RetrainingExplorer(lr, epsilon=float("inf")).fit(X, y)
    with pytest.raises(ValueError, match="n_models"):
        RetrainingExplorer(lr, n_models=0).fit(X, y)
    with pytest.raises(ValueError, match="perturbation"):
        RetrainingExplorer(lr, perturbation="jitter").fit(X, y)
    with pytest.raises(ValueError, match="subsample"):
        RetrainingExplorer(lr, perturbation="subsample", subsample=0.0).fit(X, y)
    with pytest.raises(ValueError, match=r"subsample=0\.001 keeps 1 rows"):
        RetrainingExplorer(lr, perturbation="subsample", subsample=0.001).fit(X, y)
    with pytest.raises(ValueError, match="needs param_distributions"):
        RetrainingExplorer(lr, perturbation="params").fit(X, y)
    with pytest.raises(ValueError, match="loss"):
        RetrainingExplorer(lr, loss="hinge").fit(X, y)
    with pytest.raises(TypeError, match="predict_proba"):
        RetrainingExplorer(LinearSVC(), loss="log_loss", perturbation="bootstrap").fit(X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        RetrainingExplorer(lr).fit(X, y[:-1])
    with pytest.raises(ValueError, match="only one class"):
        RetrainingExplorer(lr).fit(X, np.zeros_like(y))
    with pytest.raises(ValueError, match="Unknown label type"):
        RetrainingExplorer(lr).fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="pair"):
        RetrainingExplorer(lr, rashomon_data=(X,)).fit(X, y)
    with pytest.raises(ValueError, match="rashomon_data: X_val and y_val"):
        RetrainingExplorer(lr, rashomon_data=(X, y[:-3])).fit(X, y)
    with pytest.raises(ValueError, match="at least one sample"):
        RetrainingExplorer(lr, rashomon_data=(X[:0], y[:0])).fit(X, y)
    with pytest.raises(ValueError, match="candidate 1 has classes_"):
        RetrainingExplorer(_ClassesBySeed(), n_models=4, random_state=0).fit(X, y)
    ex = RetrainingExplorer(lr, n_models=2, perturbation="bootstrap", random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="epsilon must be >= 0"):
        ex.rashomon_set_for(-1.0)
    with pytest.raises(ValueError, match="epsilon_mode"):
        ex.rashomon_set_for(0.1, "percent")
    # An empty set cannot happen: the baseline h0 (the minimum loss) is always a member.
    assert ex.baseline_estimator_ in list(ex.rashomon_set_for(0.0))


# Estimator checks: the applicable common checks (fit/predict contracts, cloning,
# pickling, input validation delegated to the inner estimator, n_features_in_, ...).
# Checks that need a feature the explorer lacks (sample_weight, decision_function,
# partial_fit, multi-output) are not generated for it by scikit-learn; the array-API
# check skips itself unless SCIPY_ARRAY_API is set.
@parametrize_with_checks([
    RetrainingExplorer(RandomForestClassifier(n_estimators=3), n_models=3, random_state=0),
    RetrainingExplorer(LogisticRegression(), n_models=3, perturbation="bootstrap",
                       random_state=0),
    # the checks' labels follow one feature; a split on a random feature makes the
    # candidates differ (identical ones would warn)
    RetrainingExplorer(DecisionTreeClassifier(max_depth=3, max_features=1), n_models=3,
                       perturbation="bootstrap", random_state=0),
    RetrainingExplorer(make_pipeline(StandardScaler(), LogisticRegression()), n_models=3,
                       perturbation="params",
                       param_distributions={"logisticregression__C": [0.1, 1.0, 10.0]},
                       random_state=0),
    RetrainingExplorer(DecisionTreeClassifier(max_depth=3), n_models=3,
                       perturbation="subsample", random_state=0),
])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# ------------------------------------------------- candidates that are copies of one model
def _user_warnings(record):
    return [str(w.message) for w in record if w.category is UserWarning]


def _fit_recording(explorer, X, y):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with threadpool_limits(limits=1):  # OpenMP on a busy machine: keep the fits quick
            explorer.fit(X, y)
    return _user_warnings(record)


def test_seed_on_a_solver_that_ignores_it_warns_before_fitting(data):
    X, y = data
    for est, setting in [(LogisticRegression(), "LogisticRegression(solver='lbfgs')"),
                         (make_pipeline(StandardScaler(), LogisticRegression()),
                          "LogisticRegression(solver='lbfgs')"),
                         (SVC(), "SVC without probability=True")]:
        ex = RetrainingExplorer(est, n_models=5, random_state=0)
        got = _fit_recording(ex, X, y)
        assert got == [SEED_IGNORED.format(setting=setting, n=5)]  # once, not twice
        assert "perturbation='bootstrap' or 'subsample'" in got[0]
        # the warning is right: the candidates are copies and the set shows nothing
        P = ex.rashomon_set_.predict(X)
        assert len(ex.rashomon_set_) == 5 and (P == P[0]).all()
        assert ex.profile(X, y).ambiguity == 0.0
    assert seed_ignored(LogisticRegression(solver="saga")) is None
    assert seed_ignored(SVC(probability=True)) is None
    # a pipeline with another seeded step may differ: no warning before fitting
    assert seed_ignored(make_pipeline(RandomForestClassifier(), LogisticRegression())) is None


def test_identical_candidates_warn_after_fitting(data):
    X, y = data
    hgb = HistGradientBoostingClassifier(max_iter=10, early_stopping=False)
    ex = RetrainingExplorer(hgb, n_models=4, random_state=0)
    got = _fit_recording(ex, X, y)
    assert len(got) == 1 and got[0].startswith("all 4 candidates are the same model")
    assert "HistGradientBoostingClassifier learns the same model whatever its seed" in got[0]
    assert "perturbation='bootstrap' or 'subsample'" in got[0]
    Q = ex.rashomon_set_.predict_proba(X)
    assert (Q == Q[0]).all()  # by-hand check: the candidates are copies
    # subsample=1.0 gives every candidate all rows: the same copies, said so
    full = RetrainingExplorer(hgb, n_models=3, perturbation="subsample", subsample=1.0,
                              random_state=0)
    got = _fit_recording(full, X, y)
    assert len(got) == 1 and "subsample=1.0 gives every candidate all the rows" in got[0]


@pytest.mark.parametrize("case", ["forest-seed", "extra-trees-seed", "hgb-bootstrap",
                                  "logistic-bootstrap", "logistic-saga-seed"])
def test_candidates_that_differ_do_not_warn(data, case):
    X, y = data
    est = {"forest": RandomForestClassifier(n_estimators=5),
           # full trees on all rows reproduce every training label: the candidates agree
           # on the training rows and differ between them
           "extra-trees": ExtraTreesClassifier(n_estimators=3),
           "hgb": HistGradientBoostingClassifier(max_iter=10, early_stopping=False),
           "logistic": LogisticRegression(),
           "logistic-saga": LogisticRegression(solver="saga", max_iter=5, tol=1e-12)}
    name, perturbation = case.rsplit("-", 1)
    ex = RetrainingExplorer(est[name], n_models=4, perturbation=perturbation, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert _fit_recording(ex, X, y) == []
    if name == "extra-trees":
        npt.assert_array_equal(ex.candidate_losses_, 0.0)
        Q = ex.rashomon_set_.predict_proba(X)
        assert (Q == Q[0]).all()


def test_all_identical_compares_probabilities_then_decisions():
    X = np.arange(12.0).reshape(6, 2)
    y = np.array([0, 0, 0, 1, 1, 1])
    a, b = (DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y) for _ in range(2))
    assert all_identical([a, b], np.zeros(2), X)
    assert not all_identical([a, b], np.array([0.0, 0.1]), X)  # losses differ: no predict
    assert not all_identical([a], np.zeros(1), X)
    c = LinearSVC().fit(X, y)  # decision values, no probabilities
    assert all_identical([c, clone(c).fit(X, y)], np.zeros(2), X)
    assert not all_identical([c, LinearSVC(C=0.5).fit(X, y)], np.zeros(2), X)
    df = pd.DataFrame(X, columns=["u", "v"])
    e, f = (DecisionTreeClassifier(max_depth=1, random_state=0).fit(df, y) for _ in range(2))
    assert all_identical([e, f], np.zeros(2), df)
    # labels only: a model without scores, and one whose predict_proba cannot answer
    g, h = _LabelsOnly(cut=5.0).fit(X, y), _LabelsOnly(cut=5.0).fit(X, y)
    assert all_identical([g, h], np.zeros(2), X)
    assert not all_identical([g, _LabelsOnly(cut=7.0).fit(X, y)], np.zeros(2), X)
    assert all_identical([_NoProba().fit(X, y), _NoProba().fit(X, y)], np.zeros(2), X)
    assert not _same_output(np.zeros(2), np.zeros(3))


class _LabelsOnly(ClassifierMixin, BaseEstimator):
    def __init__(self, cut=0.0):
        self.cut = cut

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return self.classes_[(np.asarray(X)[:, 0] > self.cut).astype(int)]


class _NoProba(_LabelsOnly):
    def predict_proba(self, X):
        raise NotImplementedError("no probabilities for this setting")


# ----------------------------------------------------------------- threads of each fit
class _RecordsThreads(ClassifierMixin, BaseEstimator):
    """Records the BLAS and OpenMP thread limits its fit runs under; its seed moves a cut."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        info = threadpool_info()
        self.threads_ = {api: max(i["num_threads"] for i in info if i["user_api"] == api)
                         for api in ("blas", "openmp")}
        self.classes_ = np.unique(y)
        self.cut_ = np.random.default_rng(self.random_state).normal()
        return self

    def predict(self, X):
        return self.classes_[(np.asarray(X)[:, 0] > self.cut_).astype(int)]


def _limits():
    return sorted((i["filepath"], i["num_threads"]) for i in threadpool_info())


def _max_threads():
    info = threadpool_info()
    return {api: max(i["num_threads"] for i in info if i["user_api"] == api)
            for api in ("blas", "openmp")}


@pytest.mark.parametrize("run", ["threading", "threading-context", "loky"])
def test_fits_side_by_side_run_one_thread_each(data, run):
    X, y = data
    before = _limits()
    # a fit on its own keeps the process's threads
    alone = RetrainingExplorer(_RecordsThreads(), n_models=2, n_jobs=1,
                               random_state=0).fit(X, y)
    assert all(m.threads_ == _max_threads() for m in alone.candidate_models_)
    config, n_jobs = {
        "threading": ({"backend": "threading"}, 4),
        "threading-context": ({"backend": "threading", "n_jobs": 2}, None),
        # joblib would give each of the two loky workers two threads
        "loky": ({"backend": "loky", "inner_max_num_threads": 2}, 2)}[run]
    # loky workers cannot import this file: its estimator travels by value. joblib pickles
    # with its own copy of cloudpickle (joblib.externals), which older joblib releases use
    # instead of the installed one: register with both.
    picklers = [pytest.importorskip("cloudpickle")]
    try:
        from joblib.externals import cloudpickle as vendored
    except ImportError:  # recent joblib uses the installed cloudpickle
        pass
    else:
        picklers.append(vendored)
    module = sys.modules[__name__]
    for cloudpickle in picklers:
        cloudpickle.register_pickle_by_value(module)
    try:
        with parallel_config(**config):
            ex = RetrainingExplorer(_RecordsThreads(), n_models=12, n_jobs=n_jobs,
                                    random_state=0).fit(X, y)
    finally:
        for cloudpickle in picklers:
            cloudpickle.unregister_pickle_by_value(module)
    assert [m.threads_ for m in ex.candidate_models_] == [{"blas": 1, "openmp": 1}] * 12
    assert _limits() == before  # the caller's limits are back


def test_one_thread_per_fit_changes_no_result(data):
    X, y = data
    kw = {"n_models": 4, "perturbation": "bootstrap", "random_state": 0}
    hgb = HistGradientBoostingClassifier(max_iter=10)
    with parallel_config(backend="threading"):
        limited = RetrainingExplorer(hgb, n_jobs=2, **kw).fit(X, y)
    assert limited.candidate_models_[0].n_iter_ == 10
    free = RetrainingExplorer(hgb, n_jobs=1, **kw).fit(X, y)  # OpenMP threads of the process
    npt.assert_array_equal(limited.candidate_losses_, free.candidate_losses_)
    npt.assert_array_equal(limited.rashomon_set_.predict_proba(X),
                           free.rashomon_set_.predict_proba(X))


# ------------------------------------------------------ pandas X and y meet on the index
def _labelled(data):
    X, y = data
    index = pd.Index([f"p{i}" for i in range(len(y))])
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])], index=index)
    return df, pd.Series(y, index=index)


def test_explorer_aligns_pandas_y_on_the_index_of_X(data):
    df, ys = _labelled(data)
    shuffled = ys.sample(frac=1.0, random_state=0)
    kw = {"n_models": 5, "perturbation": "bootstrap", "epsilon": 0.02, "random_state": 0}
    aligned = RetrainingExplorer(LogisticRegression(), **kw).fit(df, ys)
    moved = RetrainingExplorer(LogisticRegression(), **kw).fit(df, shuffled)
    npt.assert_array_equal(moved.candidate_losses_, aligned.candidate_losses_)
    npt.assert_array_equal(moved.rashomon_set_.predict_proba(df),
                           aligned.rashomon_set_.predict_proba(df))
    npt.assert_array_equal(aligned.candidate_losses_,
                           _zero_one(aligned.candidate_models_, df, ys.to_numpy()))
    assert moved.profile(df, shuffled).baseline_accuracy == \
        aligned.profile(df, ys).baseline_accuracy
    # by position the shuffled labels are noise: the models would be near chance
    assert RetrainingExplorer(LogisticRegression(), **kw).fit(
        df, shuffled.to_numpy()).candidate_losses_.min() > 0.3
    # the validation pair is aligned the same way
    val = dict(kw, rashomon_data=(df.iloc[:100], shuffled.loc[df.index[:100]].iloc[::-1]))
    on_val = RetrainingExplorer(LogisticRegression(), **val).fit(df, ys)
    npt.assert_array_equal(on_val.candidate_losses_,
                           _zero_one(on_val.candidate_models_, df.iloc[:100], ys.iloc[:100]))
    other = pd.Series(ys.to_numpy(), index=[f"q{i}" for i in range(len(ys))])
    calls = [lambda: RetrainingExplorer(LogisticRegression(), **kw).fit(df, other),
             lambda: aligned.profile(df, other)]
    for call in calls:
        with pytest.raises(ValueError, match="the index of y does not match the index of X"):
            call()
    with pytest.raises(ValueError, match="the index of y_val does not match the index of X_val"):
        RetrainingExplorer(LogisticRegression(), **dict(
            kw, rashomon_data=(df.iloc[:100], other.iloc[:100]))).fit(df, ys)


def test_dropout_explorer_aligns_pandas_y_on_the_index_of_X(data):
    df, ys = _labelled(data)
    shuffled = ys.sample(frac=1.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(df, ys)
    kw = {"n_models": 50, "p": 0.2, "epsilon": 0.02, "random_state": 0}
    aligned = DropoutExplorer(mlp, **kw).fit(df, ys)
    moved = DropoutExplorer(mlp, **kw).fit(df, shuffled)
    npt.assert_array_equal(moved.candidate_losses_, aligned.candidate_losses_)
    npt.assert_allclose(aligned.candidate_losses_,
                        _zero_one(aligned.candidate_models_, df, ys.to_numpy()))
    assert moved.profile(df, shuffled).baseline_accuracy == \
        aligned.profile(df, ys).baseline_accuracy == 1 - aligned.candidate_losses_[0]
    val = dict(kw, rashomon_data=(df.iloc[:100], shuffled.loc[df.index[:100]].iloc[::-1]))
    on_val = DropoutExplorer(mlp, **val).fit(df, ys)
    npt.assert_allclose(on_val.candidate_losses_,
                        _zero_one(on_val.candidate_models_, df.iloc[:100],
                                  ys.iloc[:100].to_numpy()))
    other = pd.Series(ys.to_numpy(), index=[f"q{i}" for i in range(len(ys))])
    with pytest.raises(ValueError, match="the index of y does not match the index of X"):
        DropoutExplorer(mlp, **kw).fit(df, other)
    with pytest.raises(ValueError, match="the index of y does not match the index of X"):
        aligned.profile(df, other)
    with pytest.raises(ValueError, match="the index of y_val does not match the index of X_val"):
        DropoutExplorer(mlp, **dict(kw, rashomon_data=(df.iloc[:100], other.iloc[:100]))
                        ).fit(df, ys)
