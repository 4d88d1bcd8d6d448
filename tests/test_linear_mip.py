"""LinearMIPExplorer: exact answers against brute-force enumeration, consistency on COMPAS."""

from __future__ import annotations

import itertools
import warnings
from fractions import Fraction

import datafiles
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from multiplicity import _errors
from multiplicity.datasets import load_compas
from multiplicity.rashomon._benders import LabellingMaster, exact_radon_certificate
from multiplicity.rashomon._mip import (
    LinearMIPExplorer,
    LinearWitness,
    MIPNotExactWarning,
    error_budget,
    parallelogram_cuts,
)
from multiplicity.rashomon._retraining import RetrainingExplorer
from multiplicity.rashomon._set import RashomonSet


# ----------------------------------------------------------------- brute force
def _separable(P: np.ndarray, signs: np.ndarray) -> bool:
    """Is there (w, b) with signs_k (w . x_k + b) > 0 for every k? (LP, margin > 0.)"""
    k, d = P.shape
    A = np.hstack([-signs[:, None] * P, -signs[:, None], np.ones((k, 1))])
    c = np.zeros(d + 2)
    c[-1] = -1.0
    res = linprog(c, A_ub=A, b_ub=np.zeros(k),
                  bounds=[(-1, 1)] * (d + 1) + [(None, 1)], method="highs")
    return res.status == 0 and -res.fun > 1e-9


def all_dichotomies(P: np.ndarray) -> list[np.ndarray]:
    """Every labelling (True = +1) of the distinct points P realisable by a hyperplane.

    Depth-first over the points: a prefix that no hyperplane realises is not extended
    (a sub-labelling of a realisable labelling is realisable).
    """
    out = []

    def extend(prefix: list[bool]) -> None:
        i = len(prefix)
        if i == len(P):
            out.append(np.array(prefix))
            return
        for v in (False, True):
            lab = [*prefix, v]
            if _separable(P[: i + 1], np.where(lab, 1.0, -1.0)):
                extend(lab)

    extend([])
    return out


def brute_force(X: np.ndarray, y: np.ndarray, epsilon: float):
    """(min errors, budget, the rows flipped by some near-optimal h0-ambiguity, discrepancy)
    for every 0-1-optimal baseline labelling; returns a dict keyed by baseline labelling."""
    P, inv = np.unique(X, axis=0, return_inverse=True)
    inv = inv.ravel()
    ypos = y == np.unique(y)[1]
    labs = np.array(all_dichotomies(P))  # (n_dich, K)
    row_pred = labs[:, inv]  # (n_dich, n)
    errors = (row_pred != ypos).sum(axis=1)
    e0 = int(errors.min())
    n = len(y)
    m = error_budget(e0, n, epsilon)
    inside = row_pred[errors <= e0 + m]
    result = {}
    for j in np.flatnonzero(errors == e0):
        base = row_pred[j]
        flips = inside != base
        result[labs[j].tobytes()] = (flips.any(axis=0), flips.sum(axis=1).max())
    return e0, m, result


def _grid_data(seed: int, n: int, d: int, levels: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, levels, size=(n, d)).astype(float)
    w = rng.normal(size=d)
    score = (X - X.mean(0)) @ w + rng.normal(scale=1.0, size=n)
    y = np.where(score > 0, "yes", "no")
    if np.unique(y).size < 2:
        y[0] = "yes" if y[0] == "no" else "no"
    return X, y


def _gauss_data(seed: int, n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.8 * rng.normal(size=n) > 0).astype(int) * 2 - 1
    if np.unique(y).size < 2:
        y[0] = -y[0]
    return X, y


CASES = ([("grid", s, 12, 2, 4, eps) for s, eps in [(0, 0.1), (1, 0.0), (2, 0.2), (3, 0.1)]]
         + [("grid", 4, 12, 1, 6, 0.1), ("gauss", 5, 10, 2, 0, 0.1),
            ("gauss", 6, 11, 2, 0, 0.2), ("gauss", 7, 12, 1, 0, 0.15)])


@pytest.mark.parametrize("method", ["benders", "big-m"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}-d{c[3]}-eps{c[5]}"
                                             for c in CASES])
def test_matches_brute_force(case, method):
    kind, seed, n, d, levels, eps = case
    X, y = _grid_data(seed, n, d, levels) if kind == "grid" else _gauss_data(seed, n, d)
    e0, m, by_baseline = brute_force(X, y, eps)
    mip = LinearMIPExplorer(epsilon=eps, method=method).fit(X, y)
    assert mip.solve_stats_["method"] == method
    assert mip.is_exact_ and mip.baseline_optimal_
    assert round(mip.baseline_error_ * n) == e0
    assert mip.error_budget_ == m
    # the MIP's h0 is one of the optimal labellings; compare against that one exactly
    P = np.unique(X, axis=0)
    base_pos = mip.baseline_.predict(P) == mip.classes_[1]
    assert base_pos.tobytes() in by_baseline
    flipped, disc = by_baseline[base_pos.tobytes()]
    np.testing.assert_array_equal(mip.flipped_, flipped)
    assert mip.ambiguity_ == flipped.mean()
    assert mip.ambiguity_bounds_ == (flipped.mean(), flipped.mean())
    assert mip.discrepancy_ == disc / n
    assert not mip.unresolved_.any()
    _check_witnesses(mip, X, y)


def _check_witnesses(mip: LinearMIPExplorer, X, y) -> None:
    """Every flipping model is within the error budget and together they flip flipped_."""
    n = len(y)
    base = mip.baseline_.predict(X)
    assert (base != y).sum() == round(mip.baseline_error_ * n)
    union = np.zeros(n, dtype=bool)
    for mdl, err in zip(mip.flipping_models_, mip.flipping_errors_, strict=True):
        pred = mdl.predict(X)
        assert (pred != y).sum() == err <= round(mip.baseline_error_ * n) + mip.error_budget_
        union |= pred != base
    np.testing.assert_array_equal(union, mip.flipped_)
    if mip.flipping_models_:
        assert (mip.flipping_models_[0].predict(X) != base).sum() == round(
            mip.discrepancy_ * n)
    assert mip.discrepancy_ <= mip.ambiguity_


def test_given_baseline_and_rashomon_set():
    X, y = _grid_data(10, 12, 2, 4)
    lr = LogisticRegression().fit(X, y)
    mip = LinearMIPExplorer(epsilon=0.1, baseline=lr).fit(X, y)
    assert mip.baseline_ is lr
    e_lr = int((lr.predict(X) != y).sum())
    assert round(mip.baseline_error_ * 12) == e_lr
    # brute force relative to the logistic baseline
    P, inv = np.unique(X, axis=0, return_inverse=True)
    labs = np.array(all_dichotomies(P))[:, inv.ravel()]
    ypos = y == mip.classes_[1]
    errs = (labs != ypos).sum(1)
    inside = labs[errs <= e_lr + error_budget(e_lr, 12, 0.1)]
    base = lr.predict(X) == mip.classes_[1]
    np.testing.assert_array_equal(mip.flipped_, (inside != base).any(0))
    assert mip.discrepancy_ == (inside != base).sum(1).max() / 12
    _check_witnesses(mip, X, y)
    rs = mip.rashomon_set_
    assert isinstance(rs, RashomonSet) and rs.baseline_ is lr
    assert len(rs) == 1 + len(mip.flipping_models_)
    prof = rs.profile(X, y)
    assert prof.ambiguity == pytest.approx(mip.ambiguity_)
    assert prof.discrepancy == pytest.approx(mip.discrepancy_)
    np.testing.assert_array_equal(mip.predict(X), lr.predict(X))


def test_rashomon_set_from_models_agrees():
    X, y = _grid_data(11, 12, 2, 4)
    mip = LinearMIPExplorer(epsilon=0.15).fit(X, y)
    models = [mip.baseline_, *mip.flipping_models_]
    rs = RashomonSet.from_models(models, X, y, epsilon=0.15, baseline=0)
    assert len(rs) == len(models)  # every witness passes the set's own filter
    assert isinstance(mip.baseline_, LinearWitness)
    np.testing.assert_allclose(mip.decision_function(X), mip.baseline_.decision_function(X))


def test_duplicate_rows_share_predictions():
    X = np.array([[0.0], [0.0], [0.0], [1.0], [1.0], [2.0], [2.0], [2.0]])
    y = np.array([0, 0, 1, 1, 0, 1, 1, 1])
    mip = LinearMIPExplorer(epsilon=0.0).fit(X, y)
    assert mip.baseline_error_ == 2 / 8
    # with no extra error allowed, x = 1 can go either way (1 error both ways)
    np.testing.assert_array_equal(mip.flipped_, [0, 0, 0, 1, 1, 0, 0, 0])
    assert mip.discrepancy_ == 2 / 8


def test_params_clone_and_not_fitted():
    est = LinearMIPExplorer(epsilon=0.05, margin=1e-3, time_limit=5.0)
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        est.predict(np.zeros((1, 2)))
    with pytest.raises(NotFittedError):
        est.rashomon_set_


# ---------------------------------------------------------------- bad input
def test_bad_input():
    X, y = _grid_data(0, 12, 2, 4)
    with pytest.raises(ValueError, match="two classes"):
        LinearMIPExplorer().fit(X, np.zeros(12))
    with pytest.raises(ValueError, match="two classes"):
        LinearMIPExplorer().fit(X, np.arange(12) % 3)
    with pytest.raises(ValueError, match="epsilon"):
        LinearMIPExplorer(epsilon=-0.1).fit(X, y)
    with pytest.raises(ValueError, match=_errors.NOT_NUMERIC.format(name="X", dtype="<U1")):
        LinearMIPExplorer().fit(np.array([["a", "b"]] * 12), y)
    with pytest.raises(ValueError, match="must hold numbers"):
        LinearMIPExplorer().fit(pd.DataFrame({"a": ["x"] * 12, "b": X[:, 1]}), y)
    with pytest.raises(ValueError, match="not installed"):
        LinearMIPExplorer(solver="GUROBI_NOT_THERE").fit(X, y)
    with pytest.raises(ValueError, match="mixed-integer"):
        LinearMIPExplorer(solver="CLARABEL").fit(X, y)
    with pytest.raises(ValueError, match="margin"):
        LinearMIPExplorer(margin=0).fit(X, y)
    with pytest.raises(ValueError, match="method"):
        LinearMIPExplorer(method="cplex").fit(X, y)
    with pytest.raises(ValueError, match="applies to method='big-m' only"):
        LinearMIPExplorer(solver="SCIPY").fit(X, y)
    with pytest.raises(ValueError, match=r"infinity|NaN"):
        LinearMIPExplorer().fit(np.full((12, 2), np.nan), y)
    other = LogisticRegression().fit(X, np.where(y == "yes", 1, 0))
    with pytest.raises(ValueError, match="classes_"):
        LinearMIPExplorer(baseline=other).fit(X, y)


def test_error_budget_float_noise():
    assert error_budget(10, 100, 0.29) == 29
    assert error_budget(3, 6907, 0.01) == 69
    assert error_budget(0, 10, 0.0) == 0
    assert error_budget(5, 10, 1.0) == 5


@pytest.mark.parametrize("method", ["benders", "big-m"])
def test_time_limit_reports_unresolved(monkeypatch, method):
    """A MIP that stops at its limit leaves its points unresolved, with honest bounds."""
    from multiplicity.rashomon import _benders, _mip

    X, y = _gauss_data(5, 10, 2)
    exact = LinearMIPExplorer(epsilon=0.1).fit(X, y)
    if method == "big-m":
        real_solve = _mip._Problem.solve

        def fake(self, kind):
            if kind in ("feasible", "group", "max_flips"):
                return "time_limit", None, None, 0.0
            return real_solve(self, kind)

        monkeypatch.setattr(_mip._Problem, "solve", fake)
    else:
        real_master = _benders.LabellingMaster.solve
        real_set_baseline = _mip._State.set_baseline

        def set_baseline(self, base_pos, cap):  # every search after h0 hits the limit
            real_set_baseline(self, base_pos, cap)
            self.master.after_baseline = True

        def fake_master(self, time_limit=None):
            if getattr(self, "after_baseline", False):
                return "time_limit", None, None, None
            return real_master(self, time_limit)

        monkeypatch.setattr(_mip._State, "set_baseline", set_baseline)
        monkeypatch.setattr(_benders.LabellingMaster, "solve", fake_master)
    monkeypatch.setattr(_mip, "_TARGET_WEIGHTS", ())  # leave points for the MIPs
    with pytest.warns(MIPNotExactWarning, match="time_limit"):
        est = LinearMIPExplorer(epsilon=0.1, time_limit=1.0, method=method).fit(X, y)
    assert not est.is_exact_
    lo, hi = est.ambiguity_bounds_
    assert lo <= exact.ambiguity_ <= hi
    assert est.ambiguity_ == lo == est.flipped_.mean()
    assert hi == (est.flipped_ | est.unresolved_).mean()
    assert est.unresolved_.any()
    assert set(est.point_status_[est.unresolved_]) == {"unresolved (time limit)"}
    d_lo, d_hi = est.discrepancy_bounds_
    assert d_lo <= exact.discrepancy_ <= d_hi


def test_scipy_solver_path():
    X, y = _gauss_data(6, 11, 2)
    a = LinearMIPExplorer(epsilon=0.2).fit(X, y)
    b = LinearMIPExplorer(epsilon=0.2, solver="SCIPY", time_limit=30,
                          method="big-m").fit(X, y)
    assert (a.ambiguity_, a.discrepancy_) == (b.ambiguity_, b.discrepancy_)


# ------------------------------------------------------------------ COMPAS
def _compas_binned():
    # TreeFARMS' binned.csv (BSD-3-Clause), shipped with the package byte for byte
    X, y = load_compas(return_X_y=True)
    return X.to_numpy(dtype=float), y.to_numpy()


def _consistency(mip: LinearMIPExplorer, X, y) -> None:
    _check_witnesses(mip, X, y)
    hi = mip.ambiguity_bounds_[1]
    assert mip.discrepancy_bounds_[0] <= hi
    assert mip.discrepancy_ <= mip.ambiguity_ or not mip.is_exact_
    # sampled linear models: every one within the MIP's budget flips only flipped_ rows
    n = len(y)
    cap = round(mip.baseline_error_ * n) + mip.error_budget_
    ret = RetrainingExplorer(LogisticRegression(C=1.0, max_iter=500), n_models=30,
                             perturbation="bootstrap", epsilon=1.0, random_state=0).fit(X, y)
    base = mip.baseline_.predict(X)
    reach = mip.flipped_ | mip.unresolved_
    for mdl in ret.candidate_models_:
        pred = mdl.predict(X)
        if (pred != y).sum() <= cap:
            assert not ((pred != base) & ~reach).any()
    # and the sampled set's ambiguity (its own baseline, same eps) is below the exact one
    # whenever the sampled baseline is the MIP's optimum or worse by at most 0 errors
    sampled = ret.rashomon_set_for(mip.epsilon)
    if round(sampled.baseline_loss_ * n) == round(mip.baseline_error_ * n):
        assert sampled.profile(X, y).ambiguity <= hi + 1e-12


@pytest.mark.slow
def test_compas_binned_exact():
    X, y = _compas_binned()
    mip = LinearMIPExplorer(epsilon=0.01).fit(X, y)
    assert mip.is_exact_ and mip.baseline_optimal_
    assert mip.error_budget_ == 69
    _consistency(mip, X, y)
    # the witnesses form a RashomonSet whose own measures match
    prof = mip.rashomon_set_.profile(X, y)
    assert prof.ambiguity == pytest.approx(mip.ambiguity_)
    assert prof.discrepancy == pytest.approx(mip.discrepancy_)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["arrest", "violent"])
def test_compas_pmtools_consistency(name):
    X, y = datafiles.load_pmtools_compas(f"compas_{name}")  # GPL-3.0: $MULTIPLICITY_EXTRA_DATA
    # the Benders search settles every point of both data sets (4-5 min for arrest)
    mip = LinearMIPExplorer(epsilon=0.01).fit(X, y)
    assert mip.is_exact_ and mip.baseline_optimal_
    assert mip.solve_stats_["benders_cuts_rejected"] == 0
    _consistency(mip, X, y)
    # the values docs/linear_mip.md ("Results") and benchmarks/RESULTS.md quote
    errors, ambiguity, n_amb, discrepancy, n_disc = {
        "arrest": (1985, 0.668341, 4125, 0.167693, 1035),
        "violent": (679, 0.500324, 3088, 0.026410, 163)}[name]
    n = len(y)
    assert round(mip.baseline_error_ * n) == errors and mip.error_budget_ == 61
    assert round(mip.ambiguity_, 6) == ambiguity and round(mip.ambiguity_ * n) == n_amb
    assert round(mip.discrepancy_, 6) == discrepancy and round(mip.discrepancy_ * n) == n_disc


def test_parallelogram_cuts_are_valid():
    P = np.array(list(itertools.product([0.0, 1.0], repeat=3)))  # the cube's 8 vertices
    cuts = parallelogram_cuts(P)
    assert cuts.shape[0] > 0
    np.testing.assert_array_equal(P[cuts[:, 0]] + P[cuts[:, 1]],
                                  P[cuts[:, 2]] + P[cuts[:, 3]])
    for lab in all_dichotomies(P):  # no realisable labelling violates a cut
        s = lab[cuts[:, 0]].astype(int) + lab[cuts[:, 1]] - lab[cuts[:, 2]] - lab[cuts[:, 3]]
        assert np.all(np.abs(s) <= 1)
    assert parallelogram_cuts(P, max_cuts=2).shape == (2, 4)
    assert parallelogram_cuts(P, max_points=3).shape == (0, 4)
    # equal float sums are not enough: 0 + 0.1*3 and 0.1 + 0.2 round to the same float,
    # but (0.1, 0.2) and (0.2, 0.1) lie just below the line through the other two points
    Q = np.array([[0.0, 0.1 * 3], [0.1 * 3, 0.0], [0.1, 0.2], [0.2, 0.1]])
    assert np.array_equal(Q[0] + Q[1], Q[2] + Q[3])
    assert parallelogram_cuts(Q).shape == (0, 4)
    exact = [[Fraction(v) for v in row] for row in Q]
    assert [a + b for a, b in zip(exact[0], exact[1], strict=True)] != \
        [c + d for c, d in zip(exact[2], exact[3], strict=True)]


def test_brute_force_helper_counts():
    # 4 points in general position in the plane: 14 of the 16 labellings are linear
    P = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert len(all_dichotomies(P)) == 14
    P3 = np.array([[0.0], [1.0], [2.0]])
    assert len(all_dichotomies(P3)) == 6


def test_workers_and_cut_escalation_agree(monkeypatch):
    """Two worker processes, and point MIPs escalated to the full cut set, change nothing."""
    from multiplicity.rashomon import _mip

    X, y = _grid_data(0, 12, 2, 4)
    ref = LinearMIPExplorer(epsilon=0.1).fit(X, y)
    monkeypatch.setattr(_mip, "_TARGET_WEIGHTS", ())  # leave points for the MIPs
    par = LinearMIPExplorer(epsilon=0.1, n_jobs=2, method="big-m").fit(X, y)
    assert par.solve_stats_["mips_point"] > 0
    monkeypatch.setattr(_mip, "_KEEP_CUTS", 1)
    monkeypatch.setattr(_mip, "_ESCALATE_SECONDS", 1e-9)
    esc = LinearMIPExplorer(epsilon=0.1, method="big-m").fit(X, y)
    assert esc.solve_stats_["parallelogram_cuts"] == 1
    assert esc.solve_stats_["parallelogram_cuts_found"] > 1
    for est in (par, esc):
        assert est.is_exact_
        np.testing.assert_array_equal(est.flipped_, ref.flipped_)
        assert est.discrepancy_ == ref.discrepancy_
        _check_witnesses(est, X, y)


# ---------------------------------------------------------- Benders internals
def test_exact_radon_certificate():
    sq = np.array(list(itertools.product([0.0, 1.0], repeat=2)))  # 00, 01, 10, 11
    xor = np.array([True, False, False, True])
    assert exact_radon_certificate(sq, xor, np.arange(4))  # the diagonals cross
    assert not exact_radon_certificate(sq, np.array([True, True, False, False]),
                                       np.arange(4))  # a separable labelling
    assert not exact_radon_certificate(sq, xor, np.array([0, 3]))  # one class only
    assert not exact_radon_certificate(sq, xor, np.array([0, 1, 3]))  # 01 is not on 00-11
    # collinear: the middle point between two others of the opposite class
    line = np.array([[0.0], [1.0], [2.0]])
    assert exact_radon_certificate(line, np.array([True, False, True]), np.arange(3))
    # exact arithmetic: 0.1 + 0.2 != 0.3 in floats, so this is not a parallelogram
    pts = np.array([[0.1, 0.0], [0.2, 0.0], [0.3, 0.0], [0.0, 0.0]])
    assert not exact_radon_certificate(pts, np.array([True, True, False, False]),
                                       np.arange(4))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(4, 8))
def test_farkas_separation_matches_lp_oracle(seed, k):
    """Property: the Farkas LP finds a certificate exactly when no hyperplane separates,
    and every certificate it returns that the exact check accepts is a true Radon
    partition (its labelling of the support is not separable)."""
    rng = np.random.default_rng(seed)
    P = np.unique(rng.integers(0, 3, size=(k, 2)).astype(float), axis=0)
    lab = rng.random(P.shape[0]) < 0.5
    if lab.all() or not lab.any():
        lab[0] = not lab[0]
    master = LabellingMaster(P, P, np.ones(P.shape[0], np.int64),
                             np.zeros(P.shape[0], np.int64), np.zeros((0, 4), np.intp),
                             lab, B=5.0, seed=seed % 1000)
    sep = _separable(P, np.where(lab, 1.0, -1.0))
    S = master._farkas_support(lab)
    assert (S is None) == sep
    if S is not None and exact_radon_certificate(P, lab, S):
        assert not _separable(P[S], np.where(lab[S], 1.0, -1.0))
    if sep:
        w, b = master.witness(lab)
        np.testing.assert_array_equal(P @ w + b > 0, lab)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_benders_invariant_to_row_order(seed):
    X, y = _grid_data(seed % 50, 12, 2, 4)
    perm = np.random.default_rng(seed).permutation(len(y))
    a = LinearMIPExplorer(epsilon=0.1).fit(X, y)
    b = LinearMIPExplorer(epsilon=0.1).fit(X[perm], y[perm])
    assert a.is_exact_ and b.is_exact_
    assert a.baseline_error_ == b.baseline_error_
    # h0 may be another optimal labelling; against the brute force of its own h0 both hold
    _, _, by_baseline = brute_force(X, y, 0.1)
    for est, Xe in ((a, X), (b, X[perm])):
        P = np.unique(X, axis=0)
        key = (est.baseline_.predict(P) == est.classes_[1]).tobytes()
        flipped, disc = by_baseline[key]
        inv = np.unique(Xe, axis=0, return_inverse=True)[1].ravel()
        flipped_pts = np.zeros(P.shape[0], dtype=bool)
        flipped_pts[inv[est.flipped_]] = True
        row_inv = np.unique(X, axis=0, return_inverse=True)[1].ravel()
        np.testing.assert_array_equal(flipped_pts[row_inv], flipped)
        assert est.discrepancy_ * 12 == pytest.approx(disc)


def _after_baseline(monkeypatch):
    """Mark the Benders master once h0 is chosen (the searches after it can be faked)."""
    from multiplicity.rashomon import _mip

    real = _mip._State.set_baseline

    def set_baseline(self, base_pos, cap):
        real(self, base_pos, cap)
        self.master.after_baseline = True

    monkeypatch.setattr(_mip._State, "set_baseline", set_baseline)


def test_benders_unverified_witness_leaves_points_unresolved(monkeypatch):
    """A separable labelling whose witness fails the float check is not counted."""
    from multiplicity.rashomon import _benders, _mip

    X, y = _grid_data(2, 12, 2, 4)
    exact = LinearMIPExplorer(epsilon=0.2).fit(X, y)
    real = _benders.LabellingMaster.witness

    def witness(self, lab):
        return None if getattr(self, "after_baseline", False) else real(self, lab)

    _after_baseline(monkeypatch)
    monkeypatch.setattr(_benders.LabellingMaster, "witness", witness)
    monkeypatch.setattr(_mip, "_TARGET_WEIGHTS", ())  # leave points for the searches
    with pytest.warns(MIPNotExactWarning, match="verification"):
        est = LinearMIPExplorer(epsilon=0.2).fit(X, y)
    assert not est.is_exact_
    assert "unresolved (verification)" in set(est.point_status_)
    assert not (est.flipped_ & ~exact.flipped_).any()
    lo, hi = est.ambiguity_bounds_
    assert lo <= exact.ambiguity_ <= hi
    d_lo, d_hi = est.discrepancy_bounds_
    assert d_lo <= exact.discrepancy_ <= d_hi
    _check_witnesses(est, X, y)


def test_benders_rejected_supports_are_not_cut(monkeypatch):
    """If the exact check rejects every Radon support, nothing is proven by them."""
    from multiplicity.rashomon import _benders

    X, y = _gauss_data(6, 11, 2)
    exact = LinearMIPExplorer(epsilon=0.2).fit(X, y)
    monkeypatch.setattr(_benders, "exact_radon_certificate", lambda *a: False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MIPNotExactWarning)
        est = LinearMIPExplorer(epsilon=0.2).fit(X, y)
    assert est.solve_stats_["benders_cuts_rejected"] > 0
    assert est.solve_stats_["benders_radon_cuts"] == 0
    assert not (est.flipped_ & ~exact.flipped_).any() or not est.baseline_optimal_
    lo, hi = est.ambiguity_bounds_
    if est.baseline_optimal_:
        assert lo <= exact.ambiguity_ <= hi
    _check_witnesses(est, X, y)


def test_benders_recovers_from_a_rejected_support(monkeypatch):
    """A support the exact check rejects is replaced by another certified one."""
    from multiplicity.rashomon import _benders

    X, y = _gauss_data(6, 11, 2)
    ref = LinearMIPExplorer(epsilon=0.2).fit(X, y)
    assert ref.solve_stats_["benders_radon_cuts"] > 0
    real = _benders.exact_radon_certificate
    calls = []

    def first_call_false(X_, lab, S):  # reject the very first support shown
        calls.append(len(S))
        return len(calls) > 1 and real(X_, lab, S)

    monkeypatch.setattr(_benders, "exact_radon_certificate", first_call_false)
    est = LinearMIPExplorer(epsilon=0.2).fit(X, y)
    st_ = est.solve_stats_
    assert st_["benders_cuts_rejected"] == st_["benders_cuts_recovered"] == 1
    assert est.is_exact_
    np.testing.assert_array_equal(est.flipped_, ref.flipped_)
    assert est.discrepancy_ == ref.discrepancy_


def _thin_case():
    """25 Gaussian points in 3-D where one flip needs a hyperplane of margin < 1e-4."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(25, 3))
    y = (X[:, 0] + 0.8 * rng.normal(size=25) > 0).astype(int)
    return X, y


def test_benders_finds_flips_the_big_m_margin_misses():
    """Big-M sees only dichotomies with normalised margin >= ``margin``; Benders has none.

    With the same h0, Benders flips points that big-M (margin 1e-4) reports as settled;
    each extra flip has a verified witness whose labelling admits no margin of 1e-4.
    """
    from multiplicity.rashomon._benders import _max_margin
    from multiplicity.rashomon._mip import _reduce_columns

    X, y = _thin_case()
    ben = LinearMIPExplorer(epsilon=0.05).fit(X, y)
    big = LinearMIPExplorer(epsilon=0.05, method="big-m", baseline=ben.baseline_).fit(X, y)
    assert ben.is_exact_ and big.is_exact_  # big-M's "exact" is up to its margin
    _check_witnesses(ben, X, y)
    extra = ben.flipped_ & ~big.flipped_
    assert extra.any() and not (big.flipped_ & ~ben.flipped_).any()
    Z = _reduce_columns(X)[0]
    B = float(Z.sum(axis=1).max()) + big.margin
    base = ben.baseline_.predict(X)
    for mdl in ben.flipping_models_:
        pred = mdl.predict(X)
        if ((pred != base) & extra).any():
            margin = _max_margin(Z, pred == ben.classes_[1], B)[0]
            assert 0 < margin < big.margin


@pytest.mark.slow
def test_benders_thin_case_matches_brute_force():
    X, y = _thin_case()
    e0, m, by_baseline = brute_force(X, y, 0.05)
    ben = LinearMIPExplorer(epsilon=0.05).fit(X, y)
    assert round(ben.baseline_error_ * 25) == e0 and ben.error_budget_ == m
    key = (ben.baseline_.predict(np.unique(X, axis=0)) == ben.classes_[1]).tobytes()
    flipped, disc = by_baseline[key]
    np.testing.assert_array_equal(ben.flipped_, flipped)
    assert round(ben.discrepancy_ * 25) == disc
