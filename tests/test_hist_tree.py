"""Histogram trees of BoostingExplorer: the binner against scikit-learn's ``_BinMapper``,
the kernels against NumPy oracles, the trees against ``DecisionTreeRegressor`` and the
explorer against scikit-learn's gradient boosting, on data whose every feature has at
most 255 distinct values (so that binning loses nothing).

Trees are compared on data without ties between equally good splits (continuous targets,
features of distinct gains): there scikit-learn breaks ties by a random feature order and
the histogram trees by the first feature and bin, so both are right and may differ.
"""

from __future__ import annotations

import pickle

import numpy as np
import numpy.testing as npt
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
from sklearn.tree import DecisionTreeRegressor

from multiplicity.rashomon import BoostingExplorer
from multiplicity.rashomon import _boosting_kernels as _k
from multiplicity.rashomon import _hist_tree_kernels as _hk
from multiplicity.rashomon._boosting import _leaf_updates, _TreeStore
from multiplicity.rashomon._hist_tree import (
    _HistTree,
    bin_data,
    bin_thresholds,
    feature_thresholds,
    fit_stage,
)

LOSSES = {"log_loss": _k.LOSS_LOG, "squared_error": _k.LOSS_SQUARED,
          "absolute_error": _k.LOSS_ABSOLUTE}


def lossless(n: int = 300, n_features: int = 5, seed: int = 0) -> np.ndarray:
    """float32 features of at most ~80 distinct values each (multiples of 0.1)."""
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(size=(n, n_features)) * 2, 1).astype(np.float32)


def binned(X, max_bins=255):
    thr, n_bins = bin_thresholds(X, max_bins)
    return bin_data(X, thr, n_bins), thr, n_bins


def grow(X, g, max_depth, rows=None, loss="squared_error", y=None, raw=None, n_classes=0):
    """One histogram tree on ``rows`` of ``X`` (all rows: None)."""
    Xb, thr, n_bins = binned(X)
    n = len(X)
    if rows is None:
        U, n_in = np.empty((1, 0)), n
    else:  # uniform draws that select exactly ``rows``
        U = np.full((1, n), 0.999999)
        U[0, rows] = 0.0
        n_in = len(rows)
    y = g if y is None else y
    raw = np.zeros(n) if raw is None else raw
    trees, values = fit_stage(Xb, thr, n_bins, g[:, None], y[:, None], raw[:, None], U,
                              n_in, LOSSES[loss], max_depth, n_classes)
    return trees[0][0], values[0, 0]


# ---------------------------------------------------------------------------- binning
@pytest.mark.parametrize("max_bins", [255, 64, 7])
def test_thresholds_and_bins_match_scikit_learn_bin_mapper(max_bins):
    rng = np.random.default_rng(0)
    X = np.column_stack([
        rng.normal(size=2000),                     # many distinct values: quantiles
        rng.integers(0, 5, size=2000),             # few distinct values: midpoints
        np.round(rng.exponential(size=2000), 1),   # heavy duplicates among the quantiles
        np.full(2000, 3.0),                        # constant: no threshold
        rng.integers(0, max_bins, size=2000),      # exactly max_bins distinct values
    ]).astype(np.float32)
    ref = _BinMapper(n_bins=max_bins + 1, subsample=None).fit(X.astype(np.float64))
    thr, n_bins = bin_thresholds(X, max_bins)
    for j in range(X.shape[1]):
        npt.assert_array_equal(thr[j, :n_bins[j] - 1], ref.bin_thresholds_[j])
        npt.assert_array_equal(feature_thresholds(X[:, j], max_bins), ref.bin_thresholds_[j])
    npt.assert_array_equal(n_bins, ref.n_bins_non_missing_)
    npt.assert_array_equal(bin_data(X, thr, n_bins), ref.transform(X.astype(np.float64)).T)


def test_bins_are_lossless_below_max_bins():
    X = lossless()
    Xb, thr, n_bins = binned(X)
    for j in range(X.shape[1]):
        distinct = np.unique(X[:, j])
        assert n_bins[j] == len(distinct)
        npt.assert_array_equal(np.unique(Xb[j]), np.arange(len(distinct)))
        # every distinct value in its own bin, and x <= threshold[b] for bins <= b
        npt.assert_array_equal(Xb[j], np.searchsorted(distinct, X[:, j]))
        d64 = distinct.astype(np.float64)
        npt.assert_array_equal(thr[j, :n_bins[j] - 1], (d64[:-1] + d64[1:]) / 2)


# ---------------------------------------------------------------------------- kernels
def test_select_rows_takes_n_in_increasing_rows_uniformly():
    rng = np.random.default_rng(1)
    n, n_in = 50, 20
    hits = np.zeros(n)
    rows = np.empty(n, dtype=np.int64)
    for _ in range(2000):
        _hk._select_rows(rng.random(n), n, n_in, rows)
        chosen = rows[:n_in]
        assert (np.diff(chosen) > 0).all() and 0 <= chosen[0] and chosen[-1] < n
        hits[chosen] += 1
    npt.assert_allclose(hits / 2000, n_in / n, atol=0.05)
    _hk._select_rows(np.empty(0), n, n, rows)
    npt.assert_array_equal(rows, np.arange(n))


def test_histogram_and_best_split_kernels_match_numpy():
    rng = np.random.default_rng(2)
    Xb = rng.integers(0, 9, size=(3, 200)).astype(np.uint8)
    n_bins = np.array([9, 9, 9], dtype=np.int64)
    rows = np.sort(rng.choice(200, size=120, replace=False)).astype(np.int64)
    gs = rng.normal(size=120)
    cnt = np.empty((3, 9), dtype=np.int64)
    sm = np.empty((3, 9))
    _hk._build_histogram(Xb, rows, gs, 10, 110, cnt, sm)
    best, best_split = -np.inf, None
    for f in range(3):
        bins = Xb[f, rows[10:110]]
        npt.assert_array_equal(cnt[f], np.bincount(bins, minlength=9))
        npt.assert_allclose(sm[f], np.bincount(bins, weights=gs[10:110], minlength=9))
        for b in range(8):
            left = bins <= b
            if left.all() or not left.any():
                continue
            sl, sr = gs[10:110][left].sum(), gs[10:110][~left].sum()
            proxy = sl ** 2 / left.sum() + sr ** 2 / (~left).sum()
            if proxy > best + 1e-12:
                best, best_split = proxy, (f, b, int(left.sum()))
    got = _hk._best_split(cnt, sm, n_bins, 100, gs[10:110].sum())
    assert tuple(int(v) for v in got) == best_split


def test_partition_is_stable():
    rng = np.random.default_rng(3)
    xf = rng.integers(0, 5, size=40).astype(np.uint8)
    rows = np.arange(40, dtype=np.int64)
    gs = rng.normal(size=40)
    expected_rows = np.concatenate([np.arange(5), 5 + np.flatnonzero(xf[5:35] <= 2),
                                    5 + np.flatnonzero(xf[5:35] > 2), np.arange(35, 40)])
    expected_g = gs[expected_rows]
    _hk._partition(xf, 2, rows, gs, 5, 35, np.empty(40, dtype=np.int64), np.empty(40))
    npt.assert_array_equal(rows, expected_rows)
    npt.assert_array_equal(gs, expected_g)


# ------------------------------------------------------------- trees against sklearn
@pytest.mark.parametrize("max_depth", [1, 2, 3, 5, None])
@pytest.mark.parametrize("seed", [0, 1])
def test_tree_equals_decision_tree_regressor(max_depth, seed):
    X = lossless(seed=seed)
    rng = np.random.default_rng(seed)
    g = rng.normal(size=len(X)) + X[:, 0] - 0.5 * X[:, 2] ** 2
    rows = np.sort(rng.choice(len(X), size=240, replace=False))
    tree, values = grow(X, g, max_depth, rows=rows)
    ref = DecisionTreeRegressor(max_depth=max_depth, random_state=0).fit(X[rows], g[rows])
    assert tree.node_count == ref.tree_.node_count
    npt.assert_allclose(tree.predict(X[rows]), ref.predict(X[rows]), rtol=0, atol=1e-12)
    npt.assert_array_equal(values, tree.predict(X))  # values of the kernel on all rows


def test_tree_stops_where_scikit_learn_stops():
    # constant targets: a single leaf; a node without two distinct values: a leaf;
    # a zero-gain split is made (scikit-learn splits any node whose impurity is > eps)
    X = np.array([[1.0], [1.0], [2.0], [2.0]], dtype=np.float32)
    for g in (np.ones(4), np.array([1.0, -1.0, 1.0, -1.0])):
        tree, _ = grow(X, g, None)
        ref = DecisionTreeRegressor().fit(X, g)
        assert tree.node_count == ref.tree_.node_count
        npt.assert_array_equal(tree.predict(X), ref.predict(X))
    tree, _ = grow(np.zeros((5, 2), dtype=np.float32), np.arange(5.0), 3)
    assert tree.node_count == 1 and tree.value[0] == 2.0


@pytest.mark.parametrize(("loss", "n_classes"), [("log_loss", 2), ("log_loss", 3),
                                                 ("absolute_error", 0)])
def test_leaf_values_are_the_exact_paths(loss, n_classes):
    X = lossless(seed=4)
    rng = np.random.default_rng(4)
    n = len(X)
    if loss == "log_loss":
        y = (rng.random(n) < 0.4).astype(np.float64)
        raw = rng.normal(size=n)
        g = y - 1 / (1 + np.exp(-raw))
    else:
        y = rng.normal(size=n) + X[:, 1]
        raw = rng.normal(size=n) * 0.1
        g = np.sign(y - raw) + 1e-3 * rng.normal(size=n)  # continuous: no tied splits
    rows = np.sort(rng.choice(n, size=250, replace=False))
    tree, values = grow(X, g, 3, rows=rows, loss=loss, y=y, raw=raw, n_classes=n_classes)
    ref = DecisionTreeRegressor(max_depth=3).fit(X[rows], g[rows])
    _leaf_updates(loss, ref, X[rows], g[rows], y[rows], raw[rows], n_classes)
    npt.assert_allclose(values, ref.predict(X), rtol=1e-12, atol=1e-12)
    npt.assert_array_equal(tree.predict(X), values)


# --------------------------------------------------------------- the trees' storage
def test_store_of_hist_trees_evaluates_like_their_predict():
    X = lossless(seed=5)
    rng = np.random.default_rng(5)
    trees = [grow(X, rng.normal(size=len(X)), d)[0] for d in (1, 3, None)]
    store = _TreeStore.from_trees(trees, np.zeros(1), 0.1, 3, 1, 1, None)
    direct = _TreeStore.from_arrays(
        trees, [t.children_left for t in trees], [t.children_right for t in trees],
        [t.feature for t in trees], [t.threshold for t in trees], [t.value for t in trees],
        init=np.zeros(1), learning_rate=0.1, n_stages=3, n_candidates=1, n_outputs=1,
        classes=None)
    for name in ("feature", "threshold", "left", "right", "value", "node_off"):
        npt.assert_array_equal(getattr(store, name), getattr(direct, name))
    X_new = (rng.normal(size=(400, X.shape[1])) * 2).astype(np.float32)
    ids = np.array([2, 0, 1], dtype=np.int64)
    out = np.empty((3, len(X_new)))
    _k._tree_values(X_new, ids, store.feature, store.threshold, store.left, store.right,
                    store.value, store.node_off, out)
    for row, j in enumerate(ids):
        npt.assert_array_equal(out[row], trees[j].predict(X_new))
    again = pickle.loads(pickle.dumps(trees[1]))
    npt.assert_array_equal(again.predict(X_new), trees[1].predict(X_new))


# ------------------------------------------------------------ the explorer, end to end
@pytest.mark.parametrize("n_classes", [2, 3])
def test_explorer_hist_is_gradient_boosting_classifier(n_classes):
    X, y = make_classification(n_samples=200, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=n_classes, flip_y=0.1, random_state=0)
    X = np.round(X, 1)  # at most 255 distinct values per feature
    with pytest.warns(UserWarning, match="n_candidates=1"):
        ex = BoostingExplorer(n_estimators=20, n_candidates=1, subsample=1.0,
                              tree_method="hist", random_state=0).fit(X, y)
    gb = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    # no ties between equally good splits here: scikit-learn's seed does not matter
    other = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=1).fit(X, y)
    npt.assert_allclose(other.predict_proba(X), gb.predict_proba(X), rtol=0, atol=1e-12)
    npt.assert_allclose(ex.predict_proba(X), gb.predict_proba(X), rtol=0, atol=1e-10)
    assert isinstance(ex.estimators_[0, 0, 0], _HistTree)
    assert ex.estimators_.shape == (20, 1, 1 if n_classes == 2 else n_classes)


def test_explorer_hist_is_gradient_boosting_regressor():
    X, y = make_regression(n_samples=200, n_features=4, noise=10.0, random_state=2)
    X = np.round(X, 1)
    with pytest.warns(UserWarning, match="identical predictions"):
        ex = BoostingExplorer(n_estimators=20, n_candidates=1, subsample=1.0,
                              loss="squared_error", tree_method="hist",
                              random_state=0).fit(X, y)
    gb = GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    npt.assert_allclose(ex.predict(X), gb.predict(X), rtol=1e-12, atol=1e-10)


def test_explorer_hist_with_few_bins_splits_on_bin_thresholds():
    X, y = make_classification(n_samples=400, n_features=4, random_state=3)
    ex = BoostingExplorer(n_estimators=5, n_candidates=3, max_bins=8, n_models=20,
                          random_state=0).fit(X, y)
    thr, n_bins = bin_thresholds(X.astype(np.float32), 8)
    assert (n_bins == 8).all()
    for tree in ex.estimators_.reshape(-1):
        inner = tree.feature >= 0
        assert np.isin(tree.threshold[inner], thr).all()
    again = pickle.loads(pickle.dumps(ex))
    npt.assert_array_equal(again.rashomon_set_.predict(X), ex.rashomon_set_.predict(X))
    npt.assert_array_equal(ex.rashomon_set_[0].predict(X), ex.predict(X))
    # the stages' values (on the bins) are the trees' values on the real X
    assert ex.candidate_losses_[0] == pytest.approx(
        ex.stage_losses_[-1, ex.best_candidates_[-1]], rel=1e-12)


def test_explorer_hist_rejects_missing_values():
    X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        BoostingExplorer(n_estimators=2).fit(X, y)


def test_explorer_hist_candidates_differ_and_exact_still_available():
    X, y = make_classification(n_samples=300, n_features=5, random_state=4)
    hist = BoostingExplorer(n_estimators=6, n_candidates=4, n_models=50, epsilon=0.1,
                            random_state=0).fit(X, y)
    assert hist.get_params()["tree_method"] == "hist"
    assert len(np.unique(hist.stage_losses_[0])) > 1
    exact = BoostingExplorer(n_estimators=6, n_candidates=4, n_models=50, epsilon=0.1,
                             tree_method="exact", random_state=0).fit(X, y)
    assert isinstance(exact.estimators_[0, 0, 0], DecisionTreeRegressor)
    # both fit the same data about equally well
    assert abs(hist.candidate_losses_[0] - exact.candidate_losses_[0]) < 0.05
