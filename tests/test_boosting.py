"""BoostingExplorer (RashomonGB): kernels against NumPy, scikit-learn's gradient boosting,
profiles against the members one by one, and the input checks."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor

from multiplicity._errors import IDENTICAL_PATHS, LOG_LOSS_CONTINUOUS, PATH_NOT_FITTABLE
from multiplicity.rashomon import BoostingExplorer, RashomonSet
from multiplicity.rashomon import _boosting_kernels as _k
from multiplicity.rashomon._boosting import _draw_paths, _lower_medians, _numpy_loss
from multiplicity.rashomon._losses import model_loss

CLIP = float(np.finfo(np.float64).eps)


def classification(n_classes: int = 2, n: int = 150, seed: int = 0):
    return make_classification(n_samples=n, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=n_classes, flip_y=0.1, random_state=seed)


def regression(n: int = 150, seed: int = 0):
    return make_regression(n_samples=n, n_features=5, noise=20.0, random_state=seed)


@pytest.fixture(params=["hist", "exact"])
def tree_method(request) -> str:
    """Both weak learners: histogram trees (the default) and scikit-learn's exact trees."""
    return request.param


def explorer(**kw) -> BoostingExplorer:
    params = {"n_estimators": 8, "n_candidates": 3, "n_models": 60, "max_depth": 2,
              "random_state": 0}
    params.update(kw)
    return BoostingExplorer(**params)


# ------------------------------------------------------------------ kernel oracles
def _random_table(rng, T=4, C=3, K=1, c=300):
    V = rng.normal(size=(T, C, K, c))
    init = rng.normal(size=K)
    choices = rng.integers(0, C, size=(7, T)).astype(np.int64)
    return V, init, choices


def _oracle_raw(V, init, lr, choices):
    T = V.shape[0]
    out = np.empty((choices.shape[0], V.shape[2], V.shape[3]))
    for i, choice in enumerate(choices):
        acc = np.repeat(init[:, None], V.shape[3], axis=1).astype(np.float64)
        for t in range(T):
            acc = acc + lr * V[t, choice[t]]
        out[i] = acc
    return out


def _oracle_proba(raw):
    if raw.shape[1] == 1:
        p1 = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        return np.stack([1 - p1, p1], axis=2)
    e = np.exp(raw - raw.max(axis=1, keepdims=True))
    return np.transpose(e / e.sum(axis=1, keepdims=True), (0, 2, 1))


def test_tree_values_kernel_matches_tree_predict():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(700, 4)).astype(np.float32)
    trees = [DecisionTreeRegressor(max_depth=d, random_state=d).fit(X, rng.normal(size=700))
             for d in (1, 3, None)]
    from multiplicity.rashomon._boosting import _TreeStore
    store = _TreeStore.from_trees(trees, np.zeros(1), 0.1, 3, 1, 1, None)
    ids = np.array([2, 0, 1], dtype=np.int64)
    out = np.empty((3, len(X)))
    _k._tree_values(X, ids, store.feature, store.threshold, store.left, store.right,
                    store.value, store.node_off, out)
    for row, j in enumerate(ids):
        npt.assert_array_equal(out[row], trees[j].predict(X))


@pytest.mark.parametrize("K", [1, 3])
def test_path_raw_proba_codes_kernels_match_numpy(K):
    rng = np.random.default_rng(K)
    V, init, choices = _random_table(rng, K=K)
    raw = _oracle_raw(V, init, 0.3, choices)
    out = np.empty_like(raw)
    _k._path_raw(V, init, 0.3, choices, out)
    npt.assert_allclose(out, raw, rtol=1e-12, atol=1e-12)
    n_classes = 2 if K == 1 else K
    Q = np.empty((len(choices), V.shape[3], n_classes))
    _k._path_proba(V, init, 0.3, choices, Q)
    npt.assert_allclose(Q, _oracle_proba(raw), rtol=1e-12, atol=1e-14)
    codes = np.empty((len(choices), V.shape[3]), dtype=np.int8)
    _k._path_codes(V, init, 0.3, choices, codes)
    expected = (raw[:, 0] >= 0).astype(int) if K == 1 else raw.argmax(axis=1)
    npt.assert_array_equal(codes, expected)


@pytest.mark.parametrize(("K", "loss"), [(1, _k.LOSS_LOG), (3, _k.LOSS_LOG),
                                         (1, _k.LOSS_SQUARED), (1, _k.LOSS_ABSOLUTE)])
def test_path_loss_kernel_matches_numpy(K, loss):
    rng = np.random.default_rng(10 + K + loss)
    V, init, choices = _random_table(rng, K=K, c=600)
    raw = _oracle_raw(V, init, 0.5, choices)
    if loss == _k.LOSS_LOG:
        y = rng.integers(0, 2 if K == 1 else K, size=V.shape[3]).astype(np.float64)
        P = _oracle_proba(raw)
        pt = np.clip(P[:, np.arange(len(y)), y.astype(int)], CLIP, 1 - CLIP)
        expected = -np.log(pt).mean(axis=1)
    else:
        y = rng.normal(size=V.shape[3])
        d = raw[:, 0] - y
        expected = (d ** 2 if loss == _k.LOSS_SQUARED else np.abs(d)).mean(axis=1)
    partial = _k._path_loss_partials(V, init, 0.5, choices, y, loss, CLIP)
    assert partial.shape == (len(choices), -(-V.shape[3] // _k.BLOCK))
    npt.assert_allclose(partial.sum(axis=1) / V.shape[3], expected, rtol=1e-12)


@pytest.mark.parametrize(("K", "loss"), [(1, "log_loss"), (3, "log_loss"),
                                         (1, "squared_error"), (1, "absolute_error")])
def test_stage_loss_kernel_matches_numpy(K, loss):
    rng = np.random.default_rng(20 + K)
    n, C = 700, 4
    raw = rng.normal(size=(n, K)) * 3
    values = rng.normal(size=(C, K, n)) * 5
    if loss == "log_loss":
        y = rng.integers(0, 2 if K == 1 else K, size=n).astype(np.float64)
    else:
        y = rng.normal(size=n)
    codes = {"log_loss": _k.LOSS_LOG, "squared_error": _k.LOSS_SQUARED,
             "absolute_error": _k.LOSS_ABSOLUTE}
    partial = _k._stage_loss_partials(raw, values, 0.3, y, codes[loss], CLIP)
    expected = [_numpy_loss(loss, raw + 0.3 * values[c].T, y) for c in range(C)]
    npt.assert_allclose(partial.sum(axis=1) / n, expected, rtol=1e-12)


def test_lower_medians_match_scikit_learn_percentile():
    from sklearn.utils.stats import _weighted_percentile
    rng = np.random.default_rng(3)
    leaf = rng.integers(0, 5, size=200)
    r = rng.normal(size=200)
    leaves, med = _lower_medians(leaf, r, 5)
    for node, value in zip(leaves, med, strict=True):
        sel = r[leaf == node]
        assert value == _weighted_percentile(sel, np.ones_like(sel), 50)


# ------------------------------------------------------------ scikit-learn's boosting
@pytest.mark.parametrize("n_classes", [2, 3])
def test_single_candidate_is_gradient_boosting_classifier(n_classes, tree_method):
    # 150 rows: every feature has fewer than 255 distinct values, so binning is lossless
    X, y = classification(n_classes)
    with pytest.warns(UserWarning, match="n_candidates=1"):
        ex = BoostingExplorer(n_estimators=15, n_candidates=1, subsample=1.0,
                              random_state=0, tree_method=tree_method).fit(X, y)
    gb = GradientBoostingClassifier(n_estimators=15, learning_rate=0.1, max_depth=3,
                                    subsample=1.0, random_state=0).fit(X, y)
    npt.assert_allclose(ex.predict_proba(X), gb.predict_proba(X), rtol=0, atol=1e-12)
    npt.assert_allclose(ex.baseline_estimator_.decision_function(X), gb.decision_function(X),
                        rtol=0, atol=1e-10)
    npt.assert_array_equal(ex.predict(X), gb.predict(X))
    assert len(ex.rashomon_set_) == 1


@pytest.mark.parametrize(("loss", "T"), [("squared_error", 15), ("absolute_error", 5)])
def test_single_candidate_is_gradient_boosting_regressor(loss, T, tree_method):
    # absolute error: sign residuals tie many splits, broken by the trees' seeds, so the
    # comparison stops before the first tie
    X, y = regression()
    with pytest.warns(UserWarning, match="identical predictions"):
        ex = BoostingExplorer(n_estimators=T, n_candidates=1, subsample=1.0, loss=loss,
                              random_state=0, tree_method=tree_method).fit(X, y)
    gb = GradientBoostingRegressor(n_estimators=T, loss=loss, learning_rate=0.1, max_depth=3,
                                   subsample=1.0, random_state=0).fit(X, y)
    npt.assert_allclose(ex.predict(X), gb.predict(X), rtol=1e-12, atol=1e-9)


# ------------------------------------------------------------------ the Rashomon set
def _profiles_equal(a, b):
    pd.testing.assert_series_equal(a.summary(), b.summary())
    npt.assert_array_equal(a.predictions, b.predictions)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_profile_equals_members_profile_classification(n_classes, tree_method):
    X, y = classification(n_classes)
    ex = explorer(tree_method=tree_method, epsilon=0.1).fit(X, y)
    assert len(ex.rashomon_set_) > 5
    X_test, y_test = classification(n_classes, n=80, seed=1)
    fast = ex.profile(X_test, y_test, chunk_size=30)
    slow = ex.rashomon_set_.profile(X_test, y_test, chunk_size=30)
    _profiles_equal(fast, slow)
    npt.assert_array_equal(fast.vpr, slow.vpr)
    npt.assert_array_equal(fast.rashomon_capacity, slow.rashomon_capacity)
    assert fast.ambiguity > 0


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error"])
def test_profile_equals_members_profile_regression(loss, tree_method):
    X, y = regression()
    ex = explorer(tree_method=tree_method, loss=loss, epsilon=0.1,
                  epsilon_mode="relative").fit(X, y)
    assert len(ex.rashomon_set_) > 5
    fast = ex.profile(X, y, delta=5.0, threshold=0.0)
    slow = ex.rashomon_set_.profile(X, y, delta=5.0, threshold=0.0)
    _profiles_equal(fast, slow)
    npt.assert_array_equal(fast.prediction_range, slow.prediction_range)
    assert fast.loss == loss


@pytest.mark.parametrize(("task", "loss"), [(2, "log_loss"), (3, "log_loss"),
                                            (0, "squared_error"), (0, "absolute_error")])
def test_losses_are_model_loss_and_from_models_agrees(task, loss, tree_method):
    X, y = regression() if task == 0 else classification(task)
    ex = explorer(tree_method=tree_method, loss=loss, epsilon=0.05,
                  epsilon_mode="relative").fit(X, y)
    losses = [model_loss(m, X, y, loss) for m in ex.candidate_models_]
    npt.assert_allclose(ex.candidate_losses_, losses, rtol=1e-12)
    rs = RashomonSet.from_models(ex.candidate_models_, X, y, loss=loss, epsilon=0.05,
                                 epsilon_mode="relative", baseline=0)
    assert [id(m) for m in rs] == [id(m) for m in ex.rashomon_set_]
    assert ex.rashomon_set_.baseline_index_ == 0
    assert ex.rashomon_set_.baseline_ is ex.baseline_estimator_


def test_greedy_path_is_member_zero_and_paths_are_distinct(tree_method):
    X, y = classification(2)
    ex = explorer(tree_method=tree_method, stage_epsilon=float("inf")).fit(X, y)
    npt.assert_array_equal(ex.choices_[0], ex.best_candidates_)
    npt.assert_array_equal(ex.best_candidates_, ex.stage_losses_.argmin(axis=1))
    assert len(np.unique(ex.choices_, axis=0)) == len(ex.choices_) == 60
    # all paths: fewer than 5000
    small = explorer(tree_method=tree_method, epsilon=0.03, n_models=5000).fit(X, y)
    assert len(small.choices_) == np.prod([len(k) for k in small.kept_candidates_]) < 5000
    assert len(np.unique(small.choices_, axis=0)) == len(small.choices_)
    # the greedy ensemble's training loss is its last stage loss
    assert ex.candidate_losses_[0] == pytest.approx(
        ex.stage_losses_[-1, ex.best_candidates_[-1]], rel=1e-12)


def test_draw_paths_enumerates_small_spaces():
    kept = [np.array([0, 2]), np.array([1]), np.array([0, 1, 2])]
    best = np.array([2, 1, 0])
    paths = _draw_paths(kept, best, 10, np.random.default_rng(0))
    assert paths.shape == (6, 3)
    npt.assert_array_equal(paths[0], best)
    assert len(np.unique(paths, axis=0)) == 6
    sampled = _draw_paths(kept, best, 4, np.random.default_rng(0))
    assert sampled.shape == (4, 3) and len(np.unique(sampled, axis=0)) == 4


def test_stage_epsilon_keeps_candidates_within_tolerance(tree_method):
    X, y = classification(2)
    ex = explorer(tree_method=tree_method, stage_epsilon=0.002, n_candidates=5).fit(X, y)
    for t, keep in enumerate(ex.kept_candidates_):
        best = ex.stage_losses_[t].min()
        npt.assert_array_equal(keep, np.flatnonzero(ex.stage_losses_[t] <= best + 0.002))
    for t in range(ex.n_estimators):
        assert np.isin(ex.choices_[:, t], ex.kept_candidates_[t]).all()


@pytest.mark.parametrize("mode", ["absolute", "relative"])
def test_default_stage_tolerance_is_epsilon_over_stages(mode, tree_method):
    X, y = classification(2)
    ex = explorer(tree_method=tree_method, epsilon=0.02, epsilon_mode=mode,
                  n_candidates=6).fit(X, y)
    for t, keep in enumerate(ex.kept_candidates_):
        best = ex.stage_losses_[t].min()
        tol = 0.02 / 8 * (best if mode == "relative" else 1.0)
        npt.assert_array_equal(keep, np.flatnonzero(ex.stage_losses_[t] <= best + tol))
    assert 1 < np.mean([len(k) for k in ex.kept_candidates_]) < 6


def test_rashomon_set_for_is_monotone(tree_method):
    X, y = classification(2)
    ex = explorer(tree_method=tree_method, epsilon=0.0, stage_epsilon=float("inf")).fit(X, y)
    assert all(len(k) == 3 for k in ex.kept_candidates_)
    sizes = [len(ex.rashomon_set_for(eps)) for eps in (0.0, 0.01, 0.03, 0.1, 1.0)]
    assert sizes == sorted(sizes)
    assert sizes[-1] == len(ex.candidate_models_)


def test_seeds_reproducible_and_independent_of_n_jobs(tree_method):
    X, y = classification(3)
    a = explorer(tree_method=tree_method, random_state=7).fit(X, y)
    b = explorer(tree_method=tree_method, random_state=7, n_jobs=2).fit(X, y)
    npt.assert_array_equal(a.choices_, b.choices_)
    npt.assert_array_equal(a.candidate_losses_, b.candidate_losses_)
    npt.assert_array_equal(a.rashomon_set_.predict(X), b.rashomon_set_.predict(X))
    c = explorer(tree_method=tree_method, random_state=8).fit(X, y)
    assert not np.array_equal(a.stage_losses_, c.stage_losses_)


def test_string_labels_and_pandas_after_split(tree_method):
    X, y = classification(3, n=200)
    names = np.array(["cat", "dog", "emu"])[y]
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    X_tr, X_te, y_tr, y_te = train_test_split(df, pd.Series(names), random_state=0)
    ex = explorer(tree_method=tree_method, epsilon=0.1,
                  rashomon_data=(X_te, y_te)).fit(X_tr, y_tr)
    assert list(ex.classes_) == ["cat", "dog", "emu"]
    npt.assert_array_equal(ex.feature_names_in_, df.columns)
    assert set(ex.predict(X_te)) <= {"cat", "dog", "emu"}
    losses = [model_loss(m, X_te, y_te.to_numpy(), "log_loss") for m in ex.candidate_models_]
    npt.assert_allclose(ex.candidate_losses_, losses, rtol=1e-12)
    fast = ex.profile(X_te, y_te)
    _profiles_equal(fast, ex.rashomon_set_.profile(X_te, y_te))
    assert fast.to_frame().index.equals(X_te.index)
    # a shuffled y is matched to X on the index
    shuffled = explorer(tree_method=tree_method).fit(X_tr,
                                                     y_tr.sample(frac=1.0, random_state=1))
    npt.assert_array_equal(shuffled.choices_,
                           explorer(tree_method=tree_method).fit(X_tr, y_tr).choices_)


def test_members_are_fitted_estimators(tree_method):
    X, y = classification(2)
    ex = explorer(tree_method=tree_method, epsilon=0.1).fit(X, y)
    member = ex.rashomon_set_[1]
    assert member.predict_proba(X).shape == (len(X), 2)
    npt.assert_allclose(member.predict_proba(X).sum(axis=1), 1.0)
    npt.assert_array_equal(member.predict(X), ex.classes_[(member.decision_function(X) >= 0)
                                                          .astype(int)])
    assert member.score(X, y) > 0.5
    with pytest.raises(ValueError, match="cannot be fitted on its own"):
        clone(member).fit(X, y)
    assert PATH_NOT_FITTABLE.startswith("a boosting path")
    again = pickle.loads(pickle.dumps(ex))
    npt.assert_array_equal(again.rashomon_set_.predict(X), ex.rashomon_set_.predict(X))
    reg = explorer(tree_method=tree_method, loss="squared_error",
                   epsilon_mode="relative").fit(*regression())
    assert not hasattr(reg, "predict_proba")
    assert not hasattr(reg.baseline_estimator_, "predict_proba")
    assert reg.score(*regression()) > 0.3


def test_progress_bar(capsys):
    X, y = classification(2, n=60)
    explorer(progress=True, n_estimators=3).fit(X, y)
    assert "boosting stages" in capsys.readouterr().err


# ---------------------------------------------------------------------------- checks
@pytest.mark.parametrize(("params", "match"), [
    ({"n_estimators": 0}, "'n_estimators' parameter"),
    ({"learning_rate": 0.0}, "'learning_rate' parameter"),
    ({"subsample": 0.0}, "'subsample' parameter"),
    ({"subsample": 1.5}, "'subsample' parameter"),
    ({"n_candidates": 0}, "'n_candidates' parameter"),
    ({"loss": "hinge"}, "'loss' parameter"),
    ({"stage_epsilon": -1.0}, "'stage_epsilon' parameter"),
    ({"max_depth": 0}, "'max_depth' parameter"),
    ({"n_models": 0}, "'n_models' parameter"),
    ({"epsilon": -0.1}, "'epsilon' parameter"),
    ({"tree_method": "approx"}, "'tree_method' parameter"),
    ({"max_bins": 1}, "'max_bins' parameter"),
    ({"max_bins": 256}, "'max_bins' parameter"),
])
def test_bad_parameters(params, match):
    X, y = classification(2, n=40)
    with pytest.raises(ValueError, match=match):
        BoostingExplorer(**params).fit(X, y)


def test_bad_inputs():
    X, y = regression(n=40)
    with pytest.raises(ValueError, match="use loss='squared_error'"):
        BoostingExplorer().fit(X, y)
    assert "loss='squared_error'" in LOG_LOSS_CONTINUOUS
    Xc, yc = classification(2, n=40)
    with pytest.raises(ValueError, match="only one class"):
        BoostingExplorer().fit(Xc, np.zeros(40))
    with pytest.raises(ValueError, match="same number of samples"):
        BoostingExplorer().fit(Xc, yc[:-1])
    with pytest.raises(TypeError, match="dense"):
        BoostingExplorer().fit(sp.csr_matrix(Xc), yc)
    with pytest.raises(ValueError, match="not among the classes"):
        explorer(rashomon_data=(Xc, np.full(40, 5))).fit(Xc, yc)
    with pytest.raises(ValueError, match="must hold numbers"):
        BoostingExplorer(loss="squared_error").fit(Xc, np.array(["a", "b"] * 20))


@pytest.mark.parametrize(("params", "match"), [
    ({"n_candidates": 1}, "n_candidates=1"),
    ({"subsample": 1.0, "max_depth": 2}, "subsample=1.0"),
    ({"stage_epsilon": 0.0, "n_candidates": 2}, "stage_epsilon=0.0"),
    ({"epsilon": 0.0}, "default per-stage tolerance"),
])
def test_identical_paths_warn(params, match, tree_method):
    X, y = classification(2, n=80)
    with pytest.warns(UserWarning, match=match) as record:
        ex = explorer(tree_method=tree_method, **params).fit(X, y)
    assert "identical predictions" in str(record[0].message)
    assert IDENTICAL_PATHS.count("{") == 3
    assert ex.profile(X).ambiguity == 0.0


def test_default_settings_do_not_warn(tree_method):
    X, y = classification(2, n=80)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer(tree_method=tree_method).fit(X, y)


def test_members_work_in_explain_and_ensemble():
    """The paths are fitted estimators: permutation importances over the set and a
    selective vote of the members run on them like on any models."""
    from multiplicity.ensemble import selective_vote
    from multiplicity.explain import feature_importance_range

    X, y = make_classification(n_samples=200, n_features=4, random_state=3)
    ex = BoostingExplorer(n_estimators=8, n_candidates=4, n_models=10, epsilon=0.05,
                          random_state=0).fit(X, y)
    rs = ex.rashomon_set_
    assert len(rs) >= 6  # a unanimous vote of 6 is significant at alpha = 0.05
    imp = feature_importance_range(rs, X, y, n_repeats=3, random_state=0)
    assert imp.members.shape == (len(rs), 4)
    assert np.isfinite(imp.members.to_numpy()).all()
    # the most important feature of the greedy path really matters to it
    top = int(np.argmax(imp.members.iloc[imp.baseline_index].to_numpy()))
    Xp = X.copy()
    Xp[:, top] = np.random.default_rng(0).permutation(Xp[:, top])
    assert rs[imp.baseline_index].score(Xp, y) < rs[imp.baseline_index].score(X, y)
    P = rs.predict(X)
    labels, _ = selective_vote(P, alpha=0.05, abstain_label=-1)
    unanimous = (P == P[0]).all(axis=0)
    npt.assert_array_equal(labels[unanimous], P[0][unanimous])
