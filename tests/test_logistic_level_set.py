"""LogisticLevelSet: exact viable prediction ranges of L2-regularised logistic regression.

The end points are checked against an independent cvxpy + Clarabel (exponential cone)
solve, the baseline against scikit-learn, and the metrics against
multiplicity.metrics applied to the ranges by hand.
"""

from __future__ import annotations

import warnings

import datafiles
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from multiplicity import _errors
from multiplicity.metrics import probabilistic_ambiguity as metric_ambiguity
from multiplicity.rashomon import _level_set_kernels as kernels
from multiplicity.rashomon._level_set import (
    LevelSetSolveError,
    LogisticLevelSet,
    ProbabilisticDiscrepancyBounds,
)


# ------------------------------------------------------------------------------ helpers
def _data(n=60, d=3, seed=1, decimals=1):
    X, y = make_classification(n_samples=n, n_features=d, n_informative=min(d, 3),
                               n_redundant=0, random_state=seed)
    return np.round(X, decimals), y


def _loss(lls, X, y, coef, intercept):
    """The level-set objective L(w, b), written out in NumPy."""
    s = np.where(np.asarray(y) == lls.classes_[1], 1.0, -1.0)
    m = np.asarray(X, dtype=float) @ coef + intercept
    return np.mean(np.logaddexp(0.0, -s * m)) + coef @ coef / (2 * lls.C * len(s))


def _cvxpy_margins(lls, X, y, Xq):
    """Min and max margin over the level set by cvxpy + Clarabel, one problem per row."""
    Xq = np.asarray(Xq, dtype=float)
    return _cvxpy_extremes(lls, X, y, np.column_stack([Xq, np.ones(len(Xq))]))[0]


def _cvxpy_extremes(lls, X, y, D):
    """Min and max of ``D[k, :d] . w + D[k, d] b`` over the level set by cvxpy + Clarabel.

    One problem per row of D (shape (k, d + 1); without an intercept b = 0). Clarabel
    sometimes stops with "optimal_inaccurate" or fails on these thin sets; a few
    equivalent formulations are tried until one is called optimal. Otherwise an
    inaccurate solution is kept when its point verifiably lies in the set (so it bounds
    the end point from the inside only). Returns the values, NaN where no solution was
    kept, and a mask of those Clarabel called optimal.
    """
    import cvxpy as cp

    X = np.asarray(X, dtype=float)
    n, d = X.shape
    Xu, inv = np.unique(X, axis=0, return_inverse=True)
    s = (np.asarray(y) == lls.classes_[1]).astype(float)
    n_pos = np.bincount(inv.ravel(), weights=s)
    n_neg = np.bincount(inv.ravel()) - n_pos
    sign = np.where(s > 0, 1.0, -1.0)
    out = np.full((len(D), 2), np.nan)
    optimal = np.zeros((len(D), 2), dtype=bool)
    for i, c in enumerate(np.asarray(D, dtype=float)):
        for side, sense in enumerate((cp.Minimize, cp.Maximize)):
            for form, kw in (("rows", {}), ("samples", {"equilibrate_enable": False}),
                             ("samples", {})):
                w = cp.Variable(d)
                b = cp.Variable() if lls.fit_intercept else 0.0
                if form == "rows":
                    m = Xu @ w + b
                    total = n_pos @ cp.logistic(-m) + n_neg @ cp.logistic(m)
                else:
                    total = cp.sum(cp.logistic(-cp.multiply(sign, X @ w + b)))
                cons = [total + cp.sum_squares(w) / (2 * lls.C) <= n * lls.threshold_]
                prob = cp.Problem(sense(c[:d] @ w + c[d] * b), cons)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        prob.solve(solver="CLARABEL", **kw)
                except cp.SolverError:
                    continue
                if prob.status not in ("optimal", "optimal_inaccurate"):
                    continue
                bv = float(b.value) if lls.fit_intercept else 0.0
                inside = _loss(lls, X, y, w.value, bv) <= lls.threshold_ + 1e-9
                if prob.status == "optimal":
                    out[i, side], optimal[i, side] = prob.value, True
                    break
                if inside and np.isnan(out[i, side]):
                    out[i, side] = prob.value
    return out, optimal


def _margins(ranges):
    return np.log(ranges) - np.log1p(-ranges)


# ------------------------------------------------------------------------------ baseline
@pytest.mark.parametrize("C", [0.05, 1.0, 20.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_baseline_matches_sklearn(C, fit_intercept):
    X, y = _data(n=80, d=4, seed=3, decimals=3)
    lls = LogisticLevelSet(C=C, fit_intercept=fit_intercept).fit(X, y)
    ref = LogisticRegression(C=C, fit_intercept=fit_intercept, solver="newton-cholesky",
                             tol=1e-12, max_iter=1000).fit(X, y)
    npt.assert_allclose(lls.coef_, ref.coef_, atol=1e-5, rtol=0)
    npt.assert_allclose(lls.intercept_, ref.intercept_, atol=1e-5, rtol=0)
    npt.assert_allclose(lls.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    npt.assert_array_equal(lls.predict(X), ref.predict(X))
    assert lls.baseline_loss_ == pytest.approx(
        _loss(lls, X, y, lls.coef_[0], lls.intercept_[0]), abs=1e-12)
    assert lls.threshold_ == pytest.approx(lls.baseline_loss_ + lls.epsilon)


# ------------------------------------------------------------------------------ vs cvxpy
@pytest.mark.parametrize(("n", "d", "C", "epsilon", "fit_intercept"), [
    (60, 3, 1.0, 0.05, True),
    (200, 5, 10.0, 0.001, True),
    (120, 4, 0.5, 0.01, False),
    (150, 6, 1000.0, 0.05, True),
], ids=["small", "medium", "no-intercept", "nearly-separable"])
def test_end_points_match_cvxpy_clarabel(n, d, C, epsilon, fit_intercept):
    if C == 1000.0:  # a long, thin level set: the margins reach far out
        X, y = make_classification(n_samples=n, n_features=d, n_informative=4, n_redundant=0,
                                   class_sep=5.0, random_state=1)
    else:
        X, y = _data(n=n, d=d, seed=n)
    lls = LogisticLevelSet(C=C, epsilon=epsilon, fit_intercept=fit_intercept).fit(X, y)
    Xq = X[:8]
    ranges, coef, intercept = lls.viable_prediction_range(Xq, return_witnesses=True)
    ref = _cvxpy_margins(lls, X, y, Xq)
    solved = np.isfinite(ref)
    assert solved.mean() >= 0.75, "cvxpy/Clarabel solved too few reference problems"
    npt.assert_allclose(ranges[solved], expit(ref[solved]), atol=1e-6, rtol=0)
    npt.assert_allclose(_margins(ranges)[solved], ref[solved], atol=1e-5, rtol=0)
    # Ours are certified feasible, so they are at least as extreme as any point Clarabel
    # returns inside the set (up to its tolerance).
    m = _margins(ranges)
    assert np.all(m[:, 0][solved[:, 0]] <= ref[:, 0][solved[:, 0]] + 1e-7)
    assert np.all(m[:, 1][solved[:, 1]] >= ref[:, 1][solved[:, 1]] - 1e-7)
    # The witnesses attain the end points and lie in the set.
    for i in range(len(Xq)):
        for side in (0, 1):
            assert _loss(lls, X, y, coef[i, side], intercept[i, side]) <= lls.threshold_ + 1e-12
            npt.assert_allclose(expit(Xq[i] @ coef[i, side] + intercept[i, side]),
                                ranges[i, side], atol=1e-12)


# ------------------------------------------------------------------------------ properties
@settings(max_examples=12)
@given(seed=st.integers(0, 10_000), epsilon=st.sampled_from([0.0, 0.002, 0.02, 0.1]),
       C=st.sampled_from([0.1, 1.0, 10.0]), data=st.data())
def test_range_properties(seed, epsilon, C, data):
    X, y = _data(n=40, d=2, seed=seed)
    lls = LogisticLevelSet(C=C, epsilon=epsilon).fit(X, y)
    Xq = X[:10]
    ranges = lls.viable_prediction_range(Xq)
    p0 = lls.predict_proba(Xq)[:, 1]
    assert np.all(ranges[:, 0] <= p0) and np.all(p0 <= ranges[:, 1])
    assert np.all((ranges >= 0) & (ranges <= 1))
    if epsilon == 0:
        npt.assert_allclose(ranges, np.column_stack([p0, p0]), atol=1e-15)
    # Permuting the rows permutes the results.
    perm = np.asarray(data.draw(st.permutations(range(len(Xq)))))
    npt.assert_allclose(lls.viable_prediction_range(Xq[perm]), ranges[perm], atol=1e-12)
    # Ranges grow with epsilon.
    wider = clone(lls).set_params(epsilon=2 * epsilon + 0.01).fit(X, y)
    r2 = wider.viable_prediction_range(Xq)
    assert np.all(r2[:, 0] <= ranges[:, 0] + 1e-12)
    assert np.all(r2[:, 1] >= ranges[:, 1] - 1e-12)


def test_duplicates_are_solved_once_and_returned_in_caller_order():
    X, y = _data()
    lls = LogisticLevelSet(epsilon=0.02).fit(X, y)
    Xq = X[[3, 1, 3, 0, 1, 3]]
    r, coef, intercept = lls.viable_prediction_range(Xq, return_witnesses=True)
    assert r.shape == (6, 2) and coef.shape == (6, 2, 3) and intercept.shape == (6, 2)
    npt.assert_array_equal(r[0], r[2])
    npt.assert_array_equal(r[0], r[5])
    npt.assert_array_equal(r[1], r[4])
    npt.assert_array_equal(r[[0, 1, 3]], lls.viable_prediction_range(X[[3, 1, 0]]))


def test_zero_row_without_intercept_collapses_to_one_half():
    X, y = _data()
    lls = LogisticLevelSet(epsilon=0.05, fit_intercept=False).fit(X, y)
    r, _, intercept = lls.viable_prediction_range(np.zeros((2, 3)), return_witnesses=True)
    npt.assert_array_equal(r, 0.5)
    npt.assert_array_equal(intercept, 0.0)
    assert lls.intercept_.tolist() == [0.0]


def test_labels_of_any_type_and_swapped_classes_mirror():
    X, y = _data()
    names = np.where(y == 1, "yes", "no")
    a = LogisticLevelSet(epsilon=0.02).fit(X, names)
    assert a.classes_.tolist() == ["no", "yes"]
    assert set(a.predict(X)) <= {"no", "yes"}
    b = LogisticLevelSet(epsilon=0.02).fit(X, np.where(y == 1, "a", "b"))  # "b" positive now
    ra, rb = a.viable_prediction_range(X[:5]), b.viable_prediction_range(X[:5])
    npt.assert_allclose(rb, 1.0 - ra[:, ::-1], atol=1e-9)
    c = LogisticLevelSet(epsilon=0.02).fit(pd.DataFrame(X, columns=list("abc")), pd.Series(y))
    npt.assert_allclose(c.viable_prediction_range(pd.DataFrame(X[:5], columns=list("abc"))),
                        LogisticLevelSet(epsilon=0.02).fit(X, y).viable_prediction_range(X[:5]))


# ------------------------------------------------------------------------------ metrics
@pytest.fixture(scope="module")
def fitted():
    X, y = _data(n=50, d=2, seed=5)
    return X, y, LogisticLevelSet(epsilon=0.02).fit(X, y)


@pytest.mark.parametrize("delta", [0.01, 0.05, 0.1, 0.3])
def test_probabilistic_ambiguity_matches_metric_on_ranges(fitted, delta):
    X, _, lls = fitted
    ranges = lls.viable_prediction_range(X)
    p0 = lls.predict_proba(X)[:, 1]
    by_hand = metric_ambiguity(np.stack([p0, ranges[:, 0], ranges[:, 1]]), baseline=0,
                               delta=delta)
    assert lls.probabilistic_ambiguity(X, delta=delta) == pytest.approx(by_hand, abs=1e-15)


def test_probabilistic_discrepancy_bounds(fitted):
    X, y, lls = fitted
    bounds = lls.probabilistic_discrepancy(X, delta=0.05)
    assert isinstance(bounds, ProbabilisticDiscrepancyBounds)
    assert 0.0 < bounds.lower <= bounds.upper <= 1.0
    assert bounds.upper == pytest.approx(lls.probabilistic_ambiguity(X, delta=0.05))
    # The model behind the lower bound is in the set and moves that share of rows.
    assert _loss(lls, X, y, bounds.coef, bounds.intercept) <= lls.threshold_ + 1e-12
    p = expit(X @ bounds.coef + bounds.intercept)
    moved = np.abs(p - lls.predict_proba(X)[:, 1]) >= 0.05 - 1e-12
    assert moved.mean() == pytest.approx(bounds.lower)
    none = lls.probabilistic_discrepancy(X, delta=1.0)
    assert none.lower == none.upper == 0.0
    npt.assert_allclose(none.coef, lls.coef_[0])


# ------------------------------------------------------------------------------ estimator
def test_estimator_conventions():
    lls = LogisticLevelSet(C=2.0, epsilon=0.03, fit_intercept=False)
    assert lls.get_params() == {"C": 2.0, "epsilon": 0.03, "fit_intercept": False,
                                "max_iter": 100, "n_jobs": None, "tol": 1e-10}
    other = clone(lls).set_params(epsilon=0.1)
    assert other.epsilon == 0.1 and lls.epsilon == 0.03
    assert "LogisticLevelSet" in repr(lls)
    X, y = _data()
    for method in ("predict", "predict_proba", "decision_function",
                   "viable_prediction_range", "probabilistic_ambiguity"):
        with pytest.raises(NotFittedError):
            getattr(lls, method)(X)
    assert lls.fit(X, y) is lls
    assert lls.n_features_in_ == 3 and lls.n_iter_ >= 1 and lls.n_distinct_rows_ <= 60
    assert 0.5 < lls.score(X, y) <= 1.0
    with pytest.raises(ValueError, match="3 features"):
        lls.viable_prediction_range(X[:, :2])
    with pytest.raises(ValueError, match="3 features"):
        lls.predict_proba(X[:, :2])
    lls.set_params(epsilon=0.5)
    with pytest.raises(ValueError, match="changed since fit"):
        lls.viable_prediction_range(X)
    assert lls.fit(X, y).threshold_ == pytest.approx(lls.baseline_loss_ + 0.5)


# scikit-learn's common checks (binary-only: the multiclass checks expect the ValueError).
@parametrize_with_checks([LogisticLevelSet(), LogisticLevelSet(C=0.1, fit_intercept=False)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_n_jobs_gives_identical_results():
    X, y = _data()
    r1 = LogisticLevelSet(epsilon=0.02, n_jobs=1).fit(X, y).viable_prediction_range(X[:6])
    r2 = LogisticLevelSet(epsilon=0.02, n_jobs=2).fit(X, y).viable_prediction_range(X[:6])
    npt.assert_array_equal(r1, r2)


# ------------------------------------------------------------------------------ bad input
def test_non_numeric_features():
    X, y = _data(n=10)
    with pytest.raises(ValueError, match="X must hold numbers"):
        LogisticLevelSet().fit(np.array([["a", "b"]] * 10), y)
    frame = pd.DataFrame({"a": X[:, 0], "b": ["u", "v"] * 5})
    with pytest.raises(ValueError, match=r"X must hold numbers.*\['b'\]"):
        LogisticLevelSet().fit(frame, y)
    lls = LogisticLevelSet().fit(X, y)
    with pytest.raises(ValueError, match="X must hold numbers"):
        lls.viable_prediction_range(np.array([["a", "b", "c"]], dtype=object))


@pytest.mark.parametrize("labels", [[1] * 10, ["x"] * 10])
def test_single_class(labels):
    X, _ = _data(n=10)
    with pytest.raises(ValueError, match="y has one class"):
        LogisticLevelSet().fit(X, labels)


def test_three_classes_and_continuous_y():
    X, _ = _data(n=9)
    with pytest.raises(ValueError, match="3 classes"):
        LogisticLevelSet().fit(X, [0, 1, 2] * 3)
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticLevelSet().fit(X, np.linspace(0, 1, 9))


@pytest.mark.parametrize(("params", "error", "match"), [
    ({"epsilon": -0.1}, ValueError, _errors.EPSILON_NEGATIVE.format(-0.1)),
    ({"epsilon": float("nan")}, ValueError, "epsilon must be >= 0"),
    ({"epsilon": "0.1"}, TypeError, "epsilon must be a real number"),
    ({"C": 0.0}, ValueError, "C must be a finite real number > 0"),
    ({"C": -1.0}, ValueError, "C must be a finite real number > 0"),
    ({"C": float("inf")}, ValueError, "C must be a finite real number > 0"),
    ({"tol": 0.0}, ValueError, "tol must be a positive"),
    ({"max_iter": 0}, ValueError, "max_iter must be a positive integer"),
    ({"fit_intercept": "yes"}, TypeError, "fit_intercept must be a bool"),
])
def test_bad_parameters(params, error, match):
    X, y = _data(n=10)
    with pytest.raises(error, match=match.replace("(", r"\(").replace(")", r"\)")):
        LogisticLevelSet(**params).fit(X, y)


def test_nan_and_infinite_features():
    X, y = _data(n=10)
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticLevelSet().fit(bad, y)
    lls = LogisticLevelSet().fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        lls.viable_prediction_range(bad)
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        lls.probabilistic_ambiguity(bad)


def test_bad_delta_and_sparse_input():
    X, y = _data(n=10)
    lls = LogisticLevelSet().fit(X, y)
    with pytest.raises(ValueError, match=r"delta must be in \(0, 1\]"):
        lls.probabilistic_ambiguity(X, delta=0.0)
    with pytest.raises(ValueError, match=r"delta must be in \(0, 1\]"):
        lls.probabilistic_discrepancy(X, delta=1.5)
    from scipy import sparse

    with pytest.raises(TypeError, match="dense X"):
        lls.viable_prediction_range(sparse.csr_matrix(X))


def test_failed_solves_name_the_rows():
    X, y = _data()
    with pytest.raises(LevelSetSolveError, match="baseline fit failed"):
        LogisticLevelSet(max_iter=1).fit(X, y)
    lls = LogisticLevelSet(epsilon=0.05).fit(X, y).set_params(max_iter=1)
    with pytest.raises(LevelSetSolveError, match="row 0 ") as info:
        lls.viable_prediction_range(X[:7])
    assert info.value.rows.tolist() == list(range(7))
    assert "max_iter" in info.value.reasons[0]
    many = X[:7].copy()
    many[:, 0] += 100.0  # other rows, so the message lists 5 and counts the rest
    with pytest.raises(LevelSetSolveError, match="and 2 more"):
        lls.viable_prediction_range(many)


# ------------------------------------------------------------------------------ kernels
def test_epsilon_below_float_resolution_is_reported():
    X, y = _data()
    lls = LogisticLevelSet(epsilon=1e-13).fit(X, y)
    assert np.all(np.diff(lls.viable_prediction_range(X[:5]), axis=1) < 1e-5)
    with pytest.raises(LevelSetSolveError, match="float64 resolution"):
        LogisticLevelSet(epsilon=1e-20).fit(X, y).viable_prediction_range(X[:5])


def test_kernel_cholesky_rejects_indefinite_and_nan():
    F = np.zeros((2, 2))
    assert not kernels._cholesky(np.array([[1.0, 0.0], [2.0, 1.0]]), F)
    assert not kernels._cholesky(np.array([[np.nan, 0.0], [0.0, 1.0]]), F)
    assert kernels._cholesky(np.array([[4.0, 0.0], [2.0, 2.0]]), F)
    out = np.empty(2)
    kernels._cho_solve(F, np.array([4.0, 2.0]), out)
    npt.assert_allclose(np.array([[4.0, 2.0], [2.0, 2.0]]) @ out, [4.0, 2.0])


def test_kernel_reports_unbounded_and_non_finite_problems():
    # One class only (all positive): the loss has no minimiser in the intercept.
    Z = np.array([[1.0, 1.0], [2.0, 1.0]])
    n_pos, n_neg = np.array([3.0, 2.0]), np.zeros(2)
    _, _, status, _ = kernels._fit_baseline(Z, n_pos, n_neg, 0.2, 0.2, 1, np.zeros(2), 30)
    assert status != kernels.OK
    # A non-finite start makes the Hessian unusable.
    _, _, status, _ = kernels._fit_baseline(Z, n_pos, n_neg + 1, 0.1, 0.1, 1,
                                            np.array([np.nan, 0.0]), 30)
    assert status == kernels.NOT_POSITIVE_DEFINITE
    out = np.empty(2)
    status, _, gap, _ = kernels._minimise_linear(
        Z, n_pos, n_neg + 1, 0.1, 0.1, 1, np.array([1.0, 1.0]), np.array([np.nan, 0.0]),
        0.5, 0.01, 1e-10, 30, out)
    assert status == kernels.NOT_POSITIVE_DEFINITE and gap == np.inf


def test_kernel_line_search_failure():
    Z = np.array([[1.0, 1.0], [2.0, 1.0]])
    n_pos, n_neg = np.array([3.0, 2.0]), np.array([1.0, 2.0])
    theta = np.zeros(2)
    g, u, v, step, trial = (np.empty(2) for _ in range(5))
    H, F = np.zeros((2, 2)), np.zeros((2, 2))
    status, _, _ = kernels._newton(Z, n_pos, n_neg, 0.1, 0.1, 1, np.array([np.nan, 0.0]), True,
                                   theta, g, H, F, u, v, step, trial, 20)
    assert status == kernels.LINE_SEARCH_FAILED


def test_kernel_end_point_search_from_a_stale_baseline_loss():
    # loss0 above the true minimum: psi < 0 near a0, so the search must move out further.
    X, y = _data(n=30, d=2, seed=7)
    lls = LogisticLevelSet().fit(X, y)
    Z, n_pos, n_neg, inv_n, reg, n_pen = lls._data
    out = np.empty(3)
    for shift in (0.5, 0.005):
        loss0 = lls.baseline_loss_ + shift
        status, loss, gap, _ = kernels._minimise_linear(
            Z, n_pos, n_neg, inv_n, reg, n_pen, Z[0].copy(), lls._theta0, loss0, 0.01,
            1e-10, 100, out)
        assert status == kernels.OK and gap <= 1e-9
        assert loss == pytest.approx(loss0 + 0.01, abs=1e-12)


def test_witness_checks_catch_bad_solver_output(monkeypatch):
    X, y = _data(n=30, d=2, seed=7)
    lls = LogisticLevelSet(epsilon=0.01).fit(X, y)
    real = kernels._prediction_ranges

    def corrupt(field, value):
        def fake(*args):
            res = list(real(*args))
            res[field] = res[field].copy()
            res[field][1, 1] = value
            return tuple(res)
        return fake

    monkeypatch.setattr(kernels, "_prediction_ranges", corrupt(2, lls.threshold_ + 1e-6))
    with pytest.raises(LevelSetSolveError, match="max: the witness has loss"):
        lls.viable_prediction_range(X[:3])
    monkeypatch.setattr(kernels, "_prediction_ranges", corrupt(3, 1e-3))
    with pytest.raises(LevelSetSolveError, match=r"max: duality gap 0\.001 above tol"):
        lls.viable_prediction_range(X[:3])


def test_kernel_large_epsilon():
    # A huge epsilon: the end points lie far out, where the probabilities saturate.
    X, y = _data(n=30, d=2, seed=7)
    lls = LogisticLevelSet(epsilon=3.0, max_iter=200).fit(X, y)
    r = lls.viable_prediction_range(X[:3])
    assert np.all(r[:, 0] < 0.05) and np.all(r[:, 1] > 0.95)


# ------------------------------------------------------------------------------ COMPAS
@pytest.mark.slow
def test_compas_arrest_all_distinct_rows_match_cvxpy():
    """Every distinct row of compas_arrest (timed in benchmarks/bench_level_set.py)."""
    X, y = datafiles.load_pmtools_compas("compas_arrest")  # GPL-3.0: $MULTIPLICITY_EXTRA_DATA
    lls = LogisticLevelSet(C=1.0, epsilon=0.01).fit(X, y)
    Xu = np.unique(X, axis=0)
    ranges = lls.viable_prediction_range(Xu)
    assert ranges.shape == (len(Xu), 2) and np.all(np.isfinite(ranges))
    rows = np.random.default_rng(0).choice(len(Xu), 6, replace=False)
    ref = _cvxpy_margins(lls, X, y, Xu[rows])
    solved = np.isfinite(ref)
    assert solved.any()
    npt.assert_allclose(ranges[rows][solved], expit(ref[solved]), atol=1e-6, rtol=0)


# ------------------------------------------------------------------------------ coefficients
def _parameter_ranges(lls):
    """(n_params, 2) ranges of the coefficients, then the intercept's when there is one."""
    if lls.fit_intercept:
        return np.vstack([lls.coef_range_, lls.intercept_range_])
    return lls.coef_range_


def _check_against_cvxpy(lls, X, y, min_optimal):
    """Every end point Clarabel calls optimal agrees to 1e-6; the inaccurate ones it keeps
    are points inside the set, so ours (certified) are at least as extreme. The witnesses
    lie in the set and attain the end points. Returns the largest deviation."""
    ours = _parameter_ranges(lls)
    p = ours.shape[0]
    ref, optimal = _cvxpy_extremes(lls, X, y, np.eye(lls.n_features_in_ + 1)[:p])
    assert optimal.mean() >= min_optimal, "cvxpy/Clarabel solved too few reference problems"
    npt.assert_allclose(ours[optimal], ref[optimal], atol=1e-6, rtol=0)
    inside = np.isfinite(ref) & ~optimal
    assert np.all(ours[:, 0][inside[:, 0]] <= ref[:, 0][inside[:, 0]] + 1e-7)
    assert np.all(ours[:, 1][inside[:, 1]] >= ref[:, 1][inside[:, 1]] - 1e-7)
    _, _, W = lls._parameter_ranges
    d = lls.n_features_in_
    for j in range(p):
        for side in (0, 1):
            theta = W[j, side]
            b = theta[d] if lls.fit_intercept else 0.0
            assert _loss(lls, X, y, theta[:d], b) <= lls.threshold_ + 1e-9
            assert theta[j] == pytest.approx(ours[j, side], abs=1e-12)
    return float(np.abs(ours - ref)[optimal].max())


@pytest.mark.parametrize(("n", "d", "C", "epsilon", "fit_intercept"), [
    (60, 3, 1.0, 0.05, True),
    (200, 5, 10.0, 0.001, True),
    (120, 4, 0.5, 0.01, False),
    (150, 6, 1000.0, 0.05, True),
], ids=["small", "medium", "no-intercept", "nearly-separable"])
def test_coef_ranges_match_cvxpy_clarabel(n, d, C, epsilon, fit_intercept):
    if C == 1000.0:
        X, y = make_classification(n_samples=n, n_features=d, n_informative=4, n_redundant=0,
                                   class_sep=5.0, random_state=1)
    else:
        X, y = _data(n=n, d=d, seed=n)
    lls = LogisticLevelSet(C=C, epsilon=epsilon, fit_intercept=fit_intercept).fit(X, y)
    _check_against_cvxpy(lls, X, y, min_optimal=0.75)
    assert lls.coef_range_.shape == (d, 2) and lls.intercept_range_.shape == (2,)
    assert np.all(lls.coef_range_[:, 0] <= lls.coef_[0])
    assert np.all(lls.coef_[0] <= lls.coef_range_[:, 1])
    if not fit_intercept:
        npt.assert_array_equal(lls.intercept_range_, [0.0, 0.0])


@pytest.mark.slow
@pytest.mark.parametrize("epsilon", [0.001, 0.01, 0.05])
def test_coef_ranges_compas_match_cvxpy_clarabel(epsilon):
    """compas_binned: 12 nested binary features, so Clarabel often stops "inaccurate"."""
    from multiplicity.datasets import load_compas

    X, y = load_compas(return_X_y=True)
    lls = LogisticLevelSet(C=1.0, epsilon=epsilon).fit(X, y)
    _check_against_cvxpy(lls, X, y, min_optimal=0.4)


def test_coef_ranges_at_epsilon_zero_collapse_onto_coef():
    X, y = _data()
    lls = LogisticLevelSet(epsilon=0.0).fit(X, y)
    npt.assert_array_equal(lls.coef_range_, np.column_stack([lls.coef_[0], lls.coef_[0]]))
    npt.assert_array_equal(lls.intercept_range_, [lls.intercept_[0]] * 2)
    npt.assert_array_equal(lls.sign_stable_, lls.coef_[0] != 0)


def test_zero_coefficient_is_not_sign_stable():
    # An all-zero column has the coefficient 0 in the baseline and a range symmetric
    # about 0 in the level set: an end point at 0 (epsilon = 0) is not sign stable.
    X, y = _data()
    X = np.column_stack([X, np.zeros(len(X))])
    for epsilon in (0.0, 0.02):
        lls = LogisticLevelSet(epsilon=epsilon).fit(X, y)
        assert lls.coef_[0, 3] == 0.0
        assert not lls.sign_stable_[3]
        assert lls.coef_range_[3, 0] <= 0.0 <= lls.coef_range_[3, 1]
    npt.assert_allclose(lls.coef_range_[3], [-lls.coef_range_[3, 1], lls.coef_range_[3, 1]],
                        atol=1e-9)
    assert lls.coef_range_[3, 1] > 0.01


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), C=st.sampled_from([0.1, 1.0, 10.0]),
       fit_intercept=st.booleans())
def test_coef_ranges_grow_with_epsilon_and_sign_stability_follows(seed, C, fit_intercept):
    X, y = _data(n=40, d=3, seed=seed)
    previous, stable_before = None, None
    for epsilon in (0.0, 0.002, 0.02, 0.1):
        lls = LogisticLevelSet(C=C, epsilon=epsilon, fit_intercept=fit_intercept).fit(X, y)
        ranges = _parameter_ranges(lls)
        theta0 = lls._theta0
        assert np.all(ranges[:, 0] <= theta0) and np.all(theta0 <= ranges[:, 1])
        if previous is not None:
            assert np.all(ranges[:, 0] <= previous[:, 0] + 1e-9)
            assert np.all(ranges[:, 1] >= previous[:, 1] - 1e-9)
            # A larger set can only lose sign stability.
            assert not np.any(lls.sign_stable_ & ~stable_before)
        stable = lls.sign_stable_
        lo, hi = lls.coef_range_.T
        assert stable.dtype == bool and stable.shape == (3,)
        assert np.all((lo > 0) | (hi < 0) | ~stable)  # stable: the range excludes 0
        assert not np.any(~stable & ((lo > 1e-9) | (hi < -1e-9)))  # up to the gap
        previous, stable_before = ranges, stable


def test_coef_table_names_and_values():
    X, y = _data()
    frame = pd.DataFrame(X, columns=["age", "priors", "sex"])
    lls = LogisticLevelSet(epsilon=0.02).fit(frame, y)
    table = lls.coef_table()
    assert table.index.tolist() == ["age", "priors", "sex", "(intercept)"]
    assert table.index.name == "feature"
    assert table.columns.tolist() == ["estimate", "low", "high", "sign_stable"]
    assert table["sign_stable"].dtype == bool
    npt.assert_array_equal(table["estimate"], [*lls.coef_[0], lls.intercept_[0]])
    npt.assert_array_equal(table[["low", "high"]].iloc[:3], lls.coef_range_)
    npt.assert_array_equal(table[["low", "high"]].iloc[3], lls.intercept_range_)
    npt.assert_array_equal(table["sign_stable"].iloc[:3], lls.sign_stable_)
    lo, hi = lls.intercept_range_
    assert table.loc["(intercept)", "sign_stable"] == (lo > 0 or hi < 0)
    plain = LogisticLevelSet(epsilon=0.02, fit_intercept=False).fit(X, y).coef_table()
    assert plain.index.tolist() == ["x0", "x1", "x2"]
    assert plain.attrs == {} and not plain["sign_stable"].isna().any()


def test_coef_ranges_are_cached_per_fit_and_checked():
    X, y = _data()
    lls = LogisticLevelSet(epsilon=0.02)
    with pytest.raises(NotFittedError):
        lls.coef_range_
    assert not hasattr(lls, "sign_stable_")
    lls.fit(X, y)
    first = lls.coef_range_
    assert lls._parameter_ranges is lls._parameter_ranges  # computed once
    first[:] = 0.0  # a copy: the cache is not changed
    assert np.all(lls.coef_range_[:, 0] < lls.coef_range_[:, 1])
    narrow = lls.coef_range_
    lls.set_params(epsilon=0.1)
    with pytest.raises(ValueError, match="changed since fit"):
        lls.coef_table()
    lls.fit(X, y)  # a new fit recomputes
    assert np.all(lls.coef_range_[:, 0] < narrow[:, 0])
    assert np.all(lls.coef_range_[:, 1] > narrow[:, 1])
    r1 = LogisticLevelSet(epsilon=0.02, n_jobs=1).fit(X, y).coef_range_
    r2 = LogisticLevelSet(epsilon=0.02, n_jobs=2).fit(X, y).coef_range_
    npt.assert_array_equal(r1, r2)


def test_failed_coef_range_solves_name_the_coefficients(monkeypatch):
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    lls = LogisticLevelSet(epsilon=0.05).fit(frame, y).set_params(max_iter=1)
    with pytest.raises(LevelSetSolveError, match="coefficient range") as info:
        lls.coef_range_
    assert info.value.rows.tolist() == [0, 1, 2, 3]
    assert "a (min: " in str(info.value) and "(intercept) (min: " in str(info.value)
    assert "max_iter" in info.value.reasons[0]
    lls.set_params(max_iter=100)  # nothing was cached by the failure
    assert lls.coef_table().shape == (4, 4)
    real = kernels._prediction_ranges

    def outside(*args):
        res = list(real(*args))
        res[2] = res[2].copy()
        res[2][1, 0] = lls.threshold_ + 1e-6
        return tuple(res)

    monkeypatch.setattr(kernels, "_prediction_ranges", outside)
    lls.fit(frame, y)
    with pytest.raises(LevelSetSolveError, match=r"b \(min: the witness has loss") as info:
        lls.sign_stable_
    assert info.value.rows.tolist() == [1]
    tiny = LogisticLevelSet(epsilon=1e-20).fit(X, y)
    monkeypatch.setattr(kernels, "_prediction_ranges", real)
    with pytest.raises(LevelSetSolveError, match="float64 resolution"):
        tiny.intercept_range_
