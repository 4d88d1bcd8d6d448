"""LinearLevelSet: the exact level set of ridge / least-squares regression (an ellipsoid).

The closed-form end points are checked against an independent cvxpy + Clarabel solve of
the quadratically constrained problem, the baseline against scikit-learn's ``Ridge`` and
``LinearRegression``, and every sampled member against the level-set inequality written
out in NumPy.
"""

from __future__ import annotations

import re
import warnings

import matplotlib
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from multiplicity import _errors
from multiplicity.rashomon import LinearLevelSet
from multiplicity.rashomon import _linear_level_set_kernels as kernels

matplotlib.use("Agg")


# ------------------------------------------------------------------------------ helpers
def _data(n=30, d=3, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * scale + rng.normal(size=d)
    w = rng.normal(size=d)
    y = X @ w + 0.7 + rng.normal(scale=0.5, size=n)
    return X, y


def _objective(X, y, alpha, coef, intercept):
    """The mean ridge objective L(w, b), written out in NumPy."""
    r = y - X @ coef - intercept
    return float((r @ r + alpha * coef @ coef) / len(y))


def _design(lls, X):
    X = np.asarray(X, dtype=float)
    return np.hstack([X, np.ones((len(X), 1))]) if lls.fit_intercept else X


def _hessian(lls, X):
    """H = (Z'Z + alpha diag(1, ..., 1, 0)) / n, written out."""
    Z = _design(lls, X)
    D = np.eye(Z.shape[1])
    if lls.fit_intercept:
        D[-1, -1] = 0.0
    return (Z.T @ Z + lls.alpha * D) / len(Z)


def _theta0(lls):
    return np.append(lls.coef_, lls.intercept_) if lls.fit_intercept else lls.coef_.copy()


def _cvxpy_extremes(lls, X, y, C):
    """Min and max of C[k] . theta over {L(theta) <= threshold_} by cvxpy + Clarabel."""
    import cvxpy as cp

    X = np.asarray(X, dtype=float)
    n, d = X.shape
    w = cp.Variable(d)
    b = cp.Variable() if lls.fit_intercept else 0.0
    c = cp.Parameter(d + lls.fit_intercept)
    theta = cp.hstack([w, b]) if lls.fit_intercept else w
    # ||(y - X w - b, sqrt(alpha) w)|| <= sqrt(n threshold_): one second-order cone
    resid = cp.hstack([y - X @ w - b, np.sqrt(lls.alpha) * w])
    cons = [cp.norm(resid, 2) <= np.sqrt(n * lls.threshold_)]
    out = np.empty((len(C), 2))
    for side, sense in enumerate((cp.Minimize, cp.Maximize)):
        prob = cp.Problem(sense(c @ theta), cons)
        for k, row in enumerate(C):
            c.value = row
            prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-9, tol_gap_rel=1e-9,
                       tol_feas=1e-9)
            assert prob.status == cp.OPTIMAL, prob.status
            out[k, side] = prob.value
    return out


def _rel_dev(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


# ------------------------------------------------------------------------------ baseline
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [0.0, 0.3, 5.0])
@pytest.mark.parametrize("d", [1, 4, 6])
def test_baseline_is_ridge(fit_intercept, alpha, d):
    X, y = _data(n=40, d=d, seed=d)
    lls = LinearLevelSet(alpha=alpha, epsilon=0.1, fit_intercept=fit_intercept).fit(X, y)
    ref = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    npt.assert_allclose(lls.coef_, ref.coef_, rtol=0, atol=1e-10)
    assert lls.intercept_ == pytest.approx(ref.intercept_, abs=1e-10)
    if alpha == 0.0:
        ols = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
        npt.assert_allclose(lls.coef_, ols.coef_, rtol=0, atol=1e-10)
    assert lls.baseline_loss_ == pytest.approx(
        _objective(X, y, alpha, lls.coef_, lls.intercept_), rel=1e-12)
    assert lls.threshold_ == pytest.approx(lls.baseline_loss_ + 0.1, rel=1e-15)
    assert lls.n_features_in_ == d
    npt.assert_allclose(lls.predict(X), ref.predict(X), rtol=0, atol=1e-9)
    # the stored factor is the Cholesky factor of H
    npt.assert_allclose(lls._chol @ lls._chol.T, _hessian(lls, X), rtol=1e-12, atol=1e-12)
    assert np.all(np.diag(lls._chol) > 0) and np.allclose(np.triu(lls._chol, 1), 0.0)


# ------------------------------------------------------------------------------ exactness
CVX_CASES = [(fi, a, d) for fi in (True, False) for a in (0.0, 1.5) for d in (1, 2, 4, 6)]


@pytest.mark.parametrize(("fit_intercept", "alpha", "d"), CVX_CASES,
                         ids=[f"icpt={fi}-alpha={a}-d={d}" for fi, a, d in CVX_CASES])
def test_ranges_match_cvxpy(fit_intercept, alpha, d):
    X, y = _data(n=25, d=d, seed=10 + d)
    eps = 0.2
    lls = LinearLevelSet(alpha=alpha, epsilon=eps, fit_intercept=fit_intercept).fit(X, y)
    rng = np.random.default_rng(d)
    Xq = np.vstack([X[:3], rng.normal(scale=3.0, size=(2, d))])
    ours = lls.prediction_range(Xq)
    ref = _cvxpy_extremes(lls, X, y, _design(lls, Xq))
    dev = _rel_dev(ours, ref)
    # coefficient ranges and the intercept range: the unit vectors as objectives
    p = d + fit_intercept
    ref_theta = _cvxpy_extremes(lls, X, y, np.eye(p))
    dev = max(dev, _rel_dev(lls.coef_range_, ref_theta[:d]))
    if fit_intercept:
        dev = max(dev, _rel_dev(lls.intercept_range_, ref_theta[d]))
    else:
        npt.assert_array_equal(lls.intercept_range_, [0.0, 0.0])
    print(f"max relative deviation from cvxpy: {dev:.2e}")
    assert dev <= 1e-6


def test_ranges_match_the_inverse_hessian():
    """The kernel (blocks of 2 rows and of 1,024) against z'theta0 +- sqrt(eps z'H^-1 z)."""
    X, y = _data(n=50, d=5, seed=3)
    for fit_intercept in (True, False):
        lls = LinearLevelSet(alpha=0.7, epsilon=0.3, fit_intercept=fit_intercept).fit(X, y)
        Z = _design(lls, X)
        Hinv = np.linalg.inv(_hessian(lls, X))
        half = np.sqrt(0.3 * np.einsum("ij,jk,ik->i", Z, Hinv, Z))
        centre = Z @ _theta0(lls)
        expected = np.column_stack([centre - half, centre + half])
        npt.assert_allclose(lls.prediction_range(X), expected, rtol=1e-10, atol=1e-12)
        small = kernels._prediction_ranges(np.ascontiguousarray(X), lls._chol, lls.coef_,
                                           lls.intercept_, np.sqrt(0.3), 2)
        npt.assert_array_equal(small, lls.prediction_range(X))
        hh = np.sqrt(0.3 * np.diag(Hinv))
        npt.assert_allclose(lls.coef_range_[:, 1] - lls.coef_, hh[:5], rtol=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_end_points_are_attained(fit_intercept):
    """theta0 +- sqrt(eps) H^-1 z / sqrt(z'H^-1 z) lies on the boundary and predicts the end."""
    X, y = _data(n=40, d=4, seed=5)
    alpha, eps = 0.5, 0.05
    lls = LinearLevelSet(alpha=alpha, epsilon=eps, fit_intercept=fit_intercept).fit(X, y)
    H = _hessian(lls, X)
    ranges = lls.prediction_range(X[:8])
    for z, (lo, hi) in zip(_design(lls, X[:8]), ranges, strict=True):
        v = np.linalg.solve(H, z)
        for sign, end in ((-1.0, lo), (1.0, hi)):
            theta = _theta0(lls) + sign * np.sqrt(eps) * v / np.sqrt(z @ v)
            b = theta[4] if fit_intercept else 0.0
            assert _objective(X, y, alpha, theta[:4], b) == pytest.approx(lls.threshold_,
                                                                          abs=1e-9)
            assert z @ theta == pytest.approx(end, abs=1e-9)


# ------------------------------------------------------------------------------ sampling
@pytest.mark.parametrize("where", ["inside", "boundary"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sampled_members_are_in_the_set(where, fit_intercept):
    X, y = _data(n=60, d=3, seed=2)
    alpha = 0.0 if fit_intercept else 2.0
    lls = LinearLevelSet(alpha=alpha, epsilon=0.08, fit_intercept=fit_intercept).fit(X, y)
    members = lls.sample(200, random_state=1, where=where)
    assert len(members) == 200
    ranges = lls.prediction_range(X)
    losses = []
    for m in members:
        assert isinstance(m, Ridge)
        assert m.n_features_in_ == 3 and m.alpha == alpha and m.fit_intercept == fit_intercept
        if not fit_intercept:
            assert m.intercept_ == 0.0
        losses.append(_objective(X, y, alpha, m.coef_, m.intercept_))
        pred = m.predict(X)
        npt.assert_allclose(pred, X @ m.coef_ + m.intercept_, rtol=0, atol=1e-12)
        assert np.all(pred >= ranges[:, 0] - 1e-9) and np.all(pred <= ranges[:, 1] + 1e-9)
    losses = np.array(losses)
    assert np.all(losses <= lls.threshold_ + 1e-9)
    assert np.all(losses >= lls.baseline_loss_ - 1e-12)
    if where == "boundary":
        npt.assert_allclose(losses, lls.threshold_, rtol=0, atol=1e-9)
    else:
        # uniform in volume: the scaled radius u = (L - L0) / eps has P(u <= t) = t^(p/2)
        u = (losses - lls.baseline_loss_) / 0.08
        assert u.max() < 1.0 and u.min() < 0.5
        p = 3 + fit_intercept
        assert np.mean(u <= 0.5) == pytest.approx(0.5 ** (p / 2), abs=0.1)


def test_sample_seeds_and_options():
    X, y = _data()
    lls = LinearLevelSet(epsilon=0.1).fit(X, y)
    a = [m.coef_ for m in lls.sample(5, random_state=3)]
    b = [m.coef_ for m in lls.sample(5, random_state=np.random.default_rng(3))]
    c = [m.coef_ for m in lls.sample(5, random_state=3)]
    npt.assert_array_equal(a, c)
    assert len(b) == 5
    with pytest.raises(ValueError, match=_errors.WHERE_OPTION.format("edge").replace("(", r"\(")):
        lls.sample(2, where="edge")
    with pytest.raises(ValueError, match=_errors.INT_AT_LEAST.format(name="n", low=1, value=0)):
        lls.sample(0)
    with pytest.raises(ValueError, match="random_state must be >= 0"):
        lls.sample(2, random_state=-1)


def test_epsilon_zero_members_are_the_baseline():
    X, y = _data()
    lls = LinearLevelSet(epsilon=0.0).fit(X, y)
    for where in ("inside", "boundary"):
        for m in lls.sample(3, random_state=0, where=where):
            npt.assert_array_equal(m.coef_, lls.coef_)
            assert m.intercept_ == lls.intercept_


# ------------------------------------------------------------------------------ epsilon
def test_epsilon_zero_collapses():
    X, y = _data(d=4)
    X[:, 3] = 0.0  # a column the ridge penalty sets to exactly 0
    lls = LinearLevelSet(alpha=1.0, epsilon=0.0).fit(X, y)
    ranges = lls.prediction_range(X)
    npt.assert_array_equal(ranges[:, 0], ranges[:, 1])
    npt.assert_allclose(ranges[:, 0], lls.predict(X), rtol=0, atol=1e-12)
    npt.assert_array_equal(lls.coef_range_[:, 0], lls.coef_)
    npt.assert_array_equal(lls.intercept_range_, [lls.intercept_] * 2)
    assert lls.coef_[3] == 0.0
    # a range that touches 0 is not sign stable; the other coefficients are
    npt.assert_array_equal(lls.sign_stable_, lls.coef_ != 0.0)
    assert not lls.sign_stable_[3]
    assert lls.decision_ambiguity(X, threshold=float(np.median(lls.predict(X)))) == 0.0


def test_ranges_grow_with_epsilon():
    X, y = _data(d=3)
    previous = None
    for eps in (0.0, 0.001, 0.01, 0.1, 1.0):
        lls = LinearLevelSet(alpha=0.2, epsilon=eps).fit(X, y)
        now = (lls.prediction_range(X), lls.coef_range_, lls.intercept_range_,
               lls.sign_stable_, lls.decision_ambiguity(X, 0.5))
        if previous is not None:
            for old, new in zip(previous[:3], now[:3], strict=True):
                assert np.all(new[..., 0] <= old[..., 0]) and np.all(new[..., 1] >= old[..., 1])
            assert np.all(previous[3] >= now[3])  # sign stability only lost
            assert now[4] >= previous[4]
        previous = now


def test_decision_ambiguity_definition():
    X, y = _data(n=80, d=2)
    lls = LinearLevelSet(epsilon=0.05).fit(X, y)
    ranges = lls.prediction_range(X)
    t = float(np.median(y))
    expected = np.mean((ranges[:, 0] < t) & (t <= ranges[:, 1]))
    assert lls.decision_ambiguity(X, t) == expected
    assert 0.0 < expected < 1.0
    # a threshold equal to an upper end point counts (max >= t is a "yes"); a lower one not
    assert lls.decision_ambiguity(X[:1], float(ranges[0, 1])) == 1.0
    assert lls.decision_ambiguity(X[:1], float(ranges[0, 0])) == 0.0
    assert lls.decision_ambiguity(X, np.float32(1e6)) == 0.0
    for bad in (np.nan, np.inf, "1", True, None):
        with pytest.raises(ValueError, match="threshold must be a finite real number"):
            lls.decision_ambiguity(X, bad)


# ------------------------------------------------------------------------------ pandas
def test_pandas_input_keeps_feature_names():
    X, y = _data(d=3)
    frame = pd.DataFrame(X, columns=["age", "dose", "weight"])
    lls = LinearLevelSet(alpha=0.5, epsilon=0.05).fit(frame, pd.Series(y))
    npt.assert_array_equal(lls.feature_names_in_, ["age", "dose", "weight"])
    table = lls.coef_table()
    assert list(table.index) == ["age", "dose", "weight"] and table.index.name == "feature"
    assert list(table.columns) == ["estimate", "low", "high", "sign_stable"]
    npt.assert_array_equal(table["estimate"], lls.coef_)
    npt.assert_array_equal(table[["low", "high"]], lls.coef_range_)
    npt.assert_array_equal(table["sign_stable"], lls.sign_stable_)
    npt.assert_array_equal(lls.prediction_range(frame), LinearLevelSet(
        alpha=0.5, epsilon=0.05).fit(X, y).prediction_range(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for m in lls.sample(2, random_state=0):
            npt.assert_array_equal(m.feature_names_in_, lls.feature_names_in_)
            assert m.predict(frame).shape == (30,)
    unnamed = LinearLevelSet().fit(X, y).coef_table()
    assert list(unnamed.index) == ["x0", "x1", "x2"]
    assert not hasattr(LinearLevelSet().fit(X, y).sample(1, 0)[0], "feature_names_in_")


def test_plot_smoke():
    import matplotlib.pyplot as plt

    X, y = _data(d=3)
    lls = LinearLevelSet(epsilon=0.05).fit(pd.DataFrame(X, columns=list("abc")), y)
    ax = lls.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]  # top down
    _, ax2 = plt.subplots()
    assert lls.plot(ax=ax2) is ax2
    plt.close("all")


# ------------------------------------------------------------------------------ bad input
def test_rank_deficient_least_squares_raises():
    X, y = _data(d=3)
    collinear = np.column_stack([X, X[:, 0] + X[:, 1]])
    with pytest.raises(ValueError, match=r"full column rank 5, got rank 4"):
        LinearLevelSet(alpha=0.0).fit(collinear, y)
    with pytest.raises(ValueError, match=r"X of full column rank 4, got rank 3"):
        LinearLevelSet(alpha=0.0, fit_intercept=False).fit(collinear, y)
    constant = np.column_stack([X, np.full(len(X), 2.0)])  # collinear with the intercept
    with pytest.raises(ValueError, match=r"\[X, 1\].*rank 5, got rank 4"):
        LinearLevelSet(alpha=0.0).fit(constant, y)
    LinearLevelSet(alpha=0.0, fit_intercept=False).fit(constant, y)
    with pytest.raises(ValueError, match="got rank 2"):  # fewer rows than parameters
        LinearLevelSet(alpha=0.0).fit(X[:2], y[:2])
    message = _errors.RANK_DEFICIENT.format(what="X", p=4, rank=3)
    assert message.startswith("alpha=0 (least squares)")
    # any alpha > 0 bounds the set
    lls = LinearLevelSet(alpha=1e-3, epsilon=0.01).fit(collinear, y)
    assert np.all(np.isfinite(lls.coef_range_))


@pytest.mark.parametrize(("params", "match"), [
    ({"alpha": -1.0}, "'alpha' parameter"),
    ({"alpha": np.nan}, "'alpha' parameter"),
    ({"alpha": np.inf}, "'alpha' parameter"),
    ({"alpha": "1"}, "'alpha' parameter"),
    ({"epsilon": -0.1}, "'epsilon' parameter"),
    ({"epsilon": np.inf}, "'epsilon' parameter"),
    ({"fit_intercept": "yes"}, "'fit_intercept' parameter"),
])
def test_bad_parameters(params, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        LinearLevelSet(**params).fit(X, y)


def test_bad_data():
    X, y = _data(n=10)
    lls = LinearLevelSet()
    Xn = X.copy()
    Xn[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        lls.fit(Xn, y)
    with pytest.raises(ValueError, match="infinity"):
        lls.fit(np.where(Xn != Xn, np.inf, Xn), y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        lls.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="X must hold numbers"):
        lls.fit(np.array([["a", "b"]] * 10), y)
    with pytest.raises(ValueError, match="X must hold numbers"):
        lls.fit(X.astype(complex), y)
    frame = pd.DataFrame({"a": X[:, 0], "b": ["u", "v"] * 5})
    with pytest.raises(ValueError, match=r"X must hold numbers.*\['b'\]"):
        lls.fit(frame, y)
    yn = y.copy()
    yn[3] = np.inf
    with pytest.raises(ValueError, match="y must be finite for regressors"):
        lls.fit(X, yn)
    with pytest.raises(ValueError, match="y must hold numbers"):
        lls.fit(X, ["a"] * 10)
    with pytest.raises(ValueError, match="y should be a 1d array"):
        lls.fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        lls.fit(X, y[:-1])
    # object arrays of numbers are accepted
    npt.assert_allclose(LinearLevelSet().fit(X.astype(object), y).coef_,
                        LinearLevelSet().fit(X, y).coef_)


def test_bad_predict_time_input():
    X, y = _data(n=10)
    lls = LinearLevelSet(epsilon=0.1)
    with pytest.raises(NotFittedError):
        lls.prediction_range(X)
    with pytest.raises(NotFittedError):
        lls.sample(2)
    with pytest.raises(NotFittedError):
        lls.coef_table()
    lls.fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        lls.prediction_range(X[:, :2])
    with pytest.raises(ValueError, match="3 features"):
        lls.decision_ambiguity(X[:, :2], 0.0)
    with pytest.raises(ValueError, match="X must hold numbers"):
        lls.prediction_range(np.array([["a", "b", "c"]], dtype=object))
    with pytest.raises(ValueError, match="NaN"):
        lls.prediction_range(np.full((1, 3), np.nan))
    lls.set_params(epsilon=0.5)
    msg = re.escape(_errors.PARAMS_CHANGED.format(params="alpha, epsilon, fit_intercept",
                                                  fitted=(1.0, 0.1, True)))
    with pytest.raises(ValueError, match=msg):
        lls.prediction_range(X)
    with pytest.raises(ValueError, match="changed since fit"):
        lls.sample(2)
    assert lls.fit(X, y).threshold_ == pytest.approx(lls.baseline_loss_ + 0.5)


def test_inputs_are_not_modified():
    X, y = _data(n=20)
    frame = pd.DataFrame(X, columns=list("abc"))
    series = pd.Series(y)
    X0, y0, f0, s0 = X.copy(), y.copy(), frame.copy(), series.copy()
    for data, target in ((X, y), (frame, series)):
        lls = LinearLevelSet(alpha=0.0, epsilon=0.1).fit(data, target)
        lls.prediction_range(data)
        lls.decision_ambiguity(data, 0.0)
        lls.predict(data)
    npt.assert_array_equal(X, X0)
    npt.assert_array_equal(y, y0)
    pd.testing.assert_frame_equal(frame, f0)
    pd.testing.assert_series_equal(series, s0)


# scikit-learn's common checks
@parametrize_with_checks([LinearLevelSet(), LinearLevelSet(alpha=0.5, fit_intercept=False)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
