"""Numba kernels behind :class:`LogisticLevelSet`: Newton solves on the logistic loss.

The training data arrive compressed to distinct rows: ``Z`` (float64, shape
``(n_rows, n_params)``, C-contiguous; the last column is all ones when there is an
intercept) with ``n_pos`` and ``n_neg`` (float64, shape ``(n_rows,)``), the number of
positive and negative training samples on each row. The loss is

``L(theta) = inv_n * sum_k [n_pos_k softplus(-m_k) + n_neg_k softplus(m_k)]
+ reg / 2 * sum_{j < n_pen} theta_j ** 2``,  ``m_k = Z[k] . theta``,

with ``inv_n = 1 / n_samples`` and ``reg = 1 / (C n_samples)``: scikit-learn's objective
divided by ``C n_samples``. Only the first ``n_pen`` coordinates (the coefficients, not
the intercept) are penalised.

Status codes returned per problem (see ``STATUS_TEXT``): 0 solved, 1 line search failed,
2 inner Newton iteration limit, 3 Hessian not positive definite or non-finite values,
4 outer (end-point search) iteration limit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL

OK = 0
LINE_SEARCH_FAILED = 1
INNER_MAX_ITER = 2
NOT_POSITIVE_DEFINITE = 3
OUTER_MAX_ITER = 4

STATUS_TEXT = {
    LINE_SEARCH_FAILED: "the Newton line search made no progress",
    INNER_MAX_ITER: "the inner Newton solve reached max_iter",
    NOT_POSITIVE_DEFINITE: "the Hessian was not positive definite or a value was not finite",
    OUTER_MAX_ITER: "the search for the end point reached max_iter",
}

# Newton decrement (squared) below which an inner solve counts as converged.
_DECREMENT_TOL = 1e-22
# Below this decrement a full Newton step is taken without an Armijo test (which would be
# noise there) as long as it lowers the loss at all; when it does not, the solve stops.
_FULL_STEP_DECREMENT = 1e-14
_MIN_STEP = 1e-12
# Loss differences below this (times max(1, L0)) are rounding noise in the mean log loss.
_LOSS_ROUNDING = 1e-14


@njit(**NJIT)
def _softplus(m):
    """log(1 + exp(m)) without overflow."""
    if m > 0.0:
        return m + math.log1p(math.exp(-m))
    return math.log1p(math.exp(m))


@njit(**NJIT)
def _sigmoid(m):
    """1 / (1 + exp(-m)) without overflow."""
    if m >= 0.0:
        return 1.0 / (1.0 + math.exp(-m))
    e = math.exp(m)
    return e / (1.0 + e)


@njit(**NJIT)
def _loss(Z, n_pos, n_neg, inv_n, reg, n_pen, theta):
    """The regularised mean log loss L(theta) (float)."""
    n_rows, p = Z.shape
    total = 0.0
    for k in range(n_rows):
        m = 0.0
        for j in range(p):
            m += Z[k, j] * theta[j]
        total += n_pos[k] * _softplus(-m) + n_neg[k] * _softplus(m)
    pen = 0.0
    for j in range(n_pen):
        pen += theta[j] * theta[j]
    return total * inv_n + 0.5 * reg * pen


@njit(**NJIT)
def _loss_grad_hess(Z, n_pos, n_neg, inv_n, reg, n_pen, theta, g, H):
    """L(theta); its gradient into ``g`` (p,) and the lower triangle of its Hessian into H."""
    n_rows, p = Z.shape
    for i in range(p):
        g[i] = 0.0
        for j in range(i + 1):
            H[i, j] = 0.0
    total = 0.0
    for k in range(n_rows):
        m = 0.0
        for j in range(p):
            m += Z[k, j] * theta[j]
        total += n_pos[k] * _softplus(-m) + n_neg[k] * _softplus(m)
        s = _sigmoid(m)
        w = n_pos[k] + n_neg[k]
        gm = w * s - n_pos[k]
        hm = w * s * (1.0 - s)
        for i in range(p):
            zi = Z[k, i]
            g[i] += gm * zi
            hz = hm * zi
            for j in range(i + 1):
                H[i, j] += hz * Z[k, j]
    pen = 0.0
    for i in range(p):
        g[i] *= inv_n
        for j in range(i + 1):
            H[i, j] *= inv_n
    for i in range(n_pen):
        g[i] += reg * theta[i]
        H[i, i] += reg
        pen += theta[i] * theta[i]
    return total * inv_n + 0.5 * reg * pen


@njit(**NJIT)
def _cholesky(H, F):
    """Lower Cholesky factor of the symmetric H (lower triangle read) into F; False if not PD."""
    p = H.shape[0]
    for i in range(p):
        for j in range(i + 1):
            s = H[i, j]
            for k in range(j):
                s -= F[i, k] * F[j, k]
            if i == j:
                if not s > 0.0:  # also catches NaN
                    return False
                F[i, i] = math.sqrt(s)
            else:
                F[i, j] = s / F[j, j]
    return True


@njit(**NJIT)
def _cho_solve(F, b, out):
    """Solve (F F^T) out = b for the lower-triangular F."""
    p = F.shape[0]
    for i in range(p):
        s = b[i]
        for k in range(i):
            s -= F[i, k] * out[k]
        out[i] = s / F[i, i]
    for i in range(p - 1, -1, -1):
        s = out[i]
        for k in range(i + 1, p):
            s -= F[k, i] * out[k]
        out[i] = s / F[i, i]


@njit(**NJIT)
def _dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit(**NJIT)
def _newton(Z, n_pos, n_neg, inv_n, reg, n_pen, c, constrained, theta, g, H, F, u, v, step,
            trial, max_iter):
    """Minimise L(theta) by damped Newton, from and into ``theta`` (float64 (p,)).

    With ``constrained`` the minimisation is over the line ``c . theta = c . theta_start``
    (equality-constrained Newton: each step satisfies ``c . step = 0``). On return ``g``
    holds the gradient of L at ``theta`` and, if constrained, ``v = H^{-1} c`` there.
    Returns ``(status, L(theta), n_iter)``.
    """
    p = theta.shape[0]
    loss = np.nan
    for it in range(max_iter):
        loss = _loss_grad_hess(Z, n_pos, n_neg, inv_n, reg, n_pen, theta, g, H)
        if not math.isfinite(loss) or not _cholesky(H, F):
            return NOT_POSITIVE_DEFINITE, loss, it + 1
        _cho_solve(F, g, u)
        if constrained:
            _cho_solve(F, c, v)
            beta = _dot(c, u) / _dot(c, v)
            for i in range(p):
                step[i] = u[i] - beta * v[i]
        else:
            for i in range(p):
                step[i] = u[i]
        dec = _dot(g, step)  # squared Newton decrement, >= 0 (NaN if c or theta is)
        if dec < _DECREMENT_TOL:
            return OK, loss, it + 1
        if dec < _FULL_STEP_DECREMENT:
            # Within ~1e-14 of the minimum: take the full step if it lowers L at all, and
            # otherwise stop, since the rest is rounding noise in the gradient.
            for i in range(p):
                trial[i] = theta[i] - step[i]
            if _loss(Z, n_pos, n_neg, inv_n, reg, n_pen, trial) >= loss:
                return OK, loss, it + 1
            for i in range(p):
                theta[i] = trial[i]
            continue
        a = 1.0
        accepted = False
        while a >= _MIN_STEP:
            for i in range(p):
                trial[i] = theta[i] - a * step[i]
            if _loss(Z, n_pos, n_neg, inv_n, reg, n_pen, trial) <= loss - 0.25 * a * dec:
                accepted = True
                break
            a *= 0.5
        if not accepted:
            return LINE_SEARCH_FAILED, loss, it + 1
        for i in range(p):
            theta[i] = trial[i]
    return INNER_MAX_ITER, loss, max_iter


@njit(**NJIT)
def _fit_baseline(Z, n_pos, n_neg, inv_n, reg, n_pen, theta0, max_iter):
    """Minimiser of L (float64 (p,)) by damped Newton from ``theta0``.

    Returns ``(theta, L(theta), status, n_iter)``.
    """
    p = Z.shape[1]
    theta = theta0.copy()
    g, u, v, step, trial = np.empty(p), np.empty(p), np.empty(p), np.empty(p), np.empty(p)
    H = np.zeros((p, p))
    F = np.zeros((p, p))
    status, loss, n_iter = _newton(Z, n_pos, n_neg, inv_n, reg, n_pen, g, False, theta, g, H,
                                   F, u, v, step, trial, max_iter)
    if status == OK:
        loss = _loss(Z, n_pos, n_neg, inv_n, reg, n_pen, theta)
    return theta, loss, status, n_iter


@njit(**NJIT)
def _minimise_linear(Z, n_pos, n_neg, inv_n, reg, n_pen, c, theta0, loss0, eps, tol, max_iter,
                     out):
    """Minimise c.theta subject to L(theta) <= loss0 + eps; the minimiser goes into ``out``.

    ``theta0`` minimises L and ``loss0 = L(theta0)``. The search runs over the value
    ``a`` of the objective: ``h(a) = min {L(theta) : c.theta = a}`` is convex, equals
    ``loss0`` at ``a0 = c.theta0`` and grows as ``a`` decreases, and the answer is the
    ``a* < a0`` with ``h(a*) = loss0 + eps``. Each ``h(a)`` is an equality-constrained
    Newton solve (L is coercive, so it always has a minimiser), warm-started by the
    first-order predictor; ``a`` follows Newton's method on ``h(a) = loss0 + eps``
    (``h'(a) = -nu``, the multiplier), inside a bracket with bisection as the fallback.
    The minimiser ``theta(a)`` of ``L`` on the line also minimises the Lagrangian
    ``L + nu c.theta``, so ``a + (h(a) - loss0 - eps) / nu`` is a lower bound on the
    answer (weak duality); the search stops once that gap is below ``tol``.

    Returns ``(status, L(out), duality_gap, n_newton)``: ``c.out - duality_gap`` is a lower
    bound on the minimum, and ``out`` is feasible up to rounding.
    """
    p = Z.shape[1]
    for i in range(p):
        out[i] = theta0[i]
    cc = _dot(c, c)
    if eps <= 0.0 or cc == 0.0:
        return OK, loss0, 0.0, 0
    g, u, v = np.empty(p), np.empty(p), np.empty(p)
    step, trial = np.empty(p), np.empty(p)
    H = np.zeros((p, p))
    F = np.zeros((p, p))
    theta = theta0.copy()
    theta_last = theta0.copy()
    slope_last = np.empty(p)  # d theta / d a at the last solved point: v / (c . v)
    _loss_grad_hess(Z, n_pos, n_neg, inv_n, reg, n_pen, theta0, g, H)
    if not _cholesky(H, F):
        return NOT_POSITIVE_DEFINITE, loss0, np.inf, 0
    _cho_solve(F, c, v)
    q = _dot(c, v)
    for i in range(p):
        slope_last[i] = v[i] / q
    a0 = _dot(c, theta0)
    a_last = a0
    a_hi = a0           # h(a_hi) <= loss0 + eps: the feasible side
    a_lo = -np.inf      # h(a_lo) > loss0 + eps, once known
    a = a0 - math.sqrt(2.0 * eps * q)  # h(a) ~ loss0 + (a - a0)^2 / (2 q) near a0
    n_newton = 0
    psi = 0.0
    nu = 0.0
    for _ in range(max_iter):
        for i in range(p):  # first-order predictor; c . theta = a up to rounding
            theta[i] = theta_last[i] + (a - a_last) * slope_last[i]
        status, loss, n_it = _newton(Z, n_pos, n_neg, inv_n, reg, n_pen, c, True, theta, g, H,
                                     F, u, v, step, trial, max_iter)
        n_newton += n_it
        if status != OK:
            # A hard solve far out: treat a as beyond the answer and bisect towards a0.
            a_lo = a
            a = 0.5 * (a_lo + a_hi)
            continue
        loss = _loss(Z, n_pos, n_neg, inv_n, reg, n_pen, theta)
        psi = loss - loss0
        cv = _dot(c, v)
        nu = -_dot(g, v) / cv  # grad L = -nu c on the solution, nu = -h'(a)
        for i in range(p):
            theta_last[i] = theta[i]
            slope_last[i] = v[i] / cv
        a_last = a
        # |psi - eps| / nu is the duality gap in c.theta: stop when it is below tol.
        if nu > 0.0 and abs(psi - eps) <= max(tol * nu, _LOSS_ROUNDING * max(1.0, loss0)):
            break
        if psi < eps:
            a_hi = a
        else:
            a_lo = a
        a_new = a + (psi - eps) / nu if nu > 0.0 else np.nan
        if not math.isfinite(a_lo):
            # No far bracket yet (so psi < eps and a_new < a): move out at most tenfold.
            far = a0 - 10.0 * (a0 - a)
            if not a_new >= far:  # also when a_new is NaN
                a_new = far
        elif not (a_lo < a_new < a_hi):
            a_new = 0.5 * (a_lo + a_hi)
        a = a_new
    else:
        return OUTER_MAX_ITER, psi + loss0, np.inf, n_newton
    dual = _dot(c, theta) + (psi - eps) / nu
    if psi > eps:
        # Pull back along the segment to theta0: by convexity L <= loss0 + eps there.
        s = eps / psi
        for i in range(p):
            out[i] = theta0[i] + s * (theta[i] - theta0[i])
    else:
        for i in range(p):
            out[i] = theta[i]
    loss_out = _loss(Z, n_pos, n_neg, inv_n, reg, n_pen, out)
    gap = _dot(c, out) - dual
    return OK, loss_out, max(gap, 0.0), n_newton


@njit(**NJIT_PARALLEL)
def _prediction_ranges(Z, n_pos, n_neg, inv_n, reg, n_pen, Q, theta0, loss0, eps, tol,
                       max_iter):
    """Smallest and largest Q[r] . theta over the level set, for each query row r.

    ``Q`` is float64 (n_queries, p): design rows for the margin ranges, or the identity
    (unit vectors ``e_j``) for the ranges of the coefficients and the intercept. Returns
    ``W`` (n_queries, 2, p) with the minimising and maximising theta, and per (row, side)
    int64 ``status``, float64 ``loss`` (of the witness), float64 ``gap`` (duality gap of
    ``Q[r] . theta``) and int64 ``n_newton``.
    """
    n_q, p = Q.shape
    W = np.empty((n_q, 2, p))
    status = np.zeros((n_q, 2), dtype=np.int64)
    loss = np.empty((n_q, 2))
    gap = np.empty((n_q, 2))
    n_newton = np.zeros((n_q, 2), dtype=np.int64)
    for job in prange(2 * n_q):  # each job writes only its own (row, side) slots
        r = job // 2
        side = job % 2
        c = np.empty(p)
        sign = 1.0 if side == 0 else -1.0
        for j in range(p):
            c[j] = sign * Q[r, j]
        out = np.empty(p)
        st, ls, gp, nn = _minimise_linear(Z, n_pos, n_neg, inv_n, reg, n_pen, c, theta0, loss0,
                                          eps, tol, max_iter, out)
        for j in range(p):
            W[r, side, j] = out[j]
        status[r, side] = st
        loss[r, side] = ls
        gap[r, side] = gp
        n_newton[r, side] = nn
    return W, status, loss, gap, n_newton
