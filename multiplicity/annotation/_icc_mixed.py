"""REML variance components of the crossed two-way random-effects model.

The model of ``intraclass_correlation(..., missing="model")`` is

    y_ij = mu + a_i + b_j + e_ij,   a_i ~ N(0, s2_a), b_j ~ N(0, s2_b), e_ij ~ N(0, s2_e)

for the ratings ``y_ij`` that exist (item ``i``, annotator ``j``), the model R's
``psych::ICC(x, lmer=TRUE)`` fits with ``lme4::lmer(values ~ 1 + (1 | id) + (1 | items))``.

With ``t_a = s2_a / s2_e``, ``t_b = s2_b / s2_e`` and ``H = I + t_a Za Za' + t_b Zb Zb'``
(``Za``, ``Zb`` the 0/1 indicator matrices of the items and annotators), the REML criterion
profiled over ``mu`` and ``s2_e`` is, up to a constant (Bates et al. 2015, eq. 42),

    f(t) = log|H| + log(1' H^-1 1) + (N - 1) log(r2),   r2 = e' H^-1 e,

with ``e = y - mu_hat`` the GLS residual; then ``s2_e = r2 / (N - 1)``. ``H`` is never
formed: with ``M = I + Lambda Z'Z Lambda`` (``Lambda = diag(sqrt t_a, sqrt t_b)``),
``|H| = |M|`` and Woodbury's identity reduce every quantity to ``M``, whose block of the
factor with more levels is diagonal; eliminating it leaves the Schur complement
``S = I + t_b W``, ``W = Db - t_a N' A^-1 N`` (``A = I + t_a Da``, ``N`` the items x
annotators incidence), a dense matrix of the size of the *smaller* factor. The gradient is
analytic: ``df/dt_a = tr(Za' H^-1 Za) - |Za' H^-1 1|^2 / (1' H^-1 1) - (N - 1)
|Za' H^-1 e|^2 / r2`` with ``tr(Za' H^-1 Za) = sum_i r_i / A_i - t_b tr(S^-1 N' A^-2 N)``
and ``tr(Zb' H^-1 Zb) = tr(S^-1 W)``. A projected Newton method (the Hessian from
differences of the analytic gradient) minimises ``f`` over ``t >= 0``, so a component
whose estimate would be negative is 0 (the REML boundary); it stops when the projected
gradient is at rounding level, so the estimates are accurate to about 1e-10.

Memory: the ratings, the incidence matrix (dense when it has at most 4 million entries,
sparse otherwise) and a few dense ``m x m`` matrices, ``m`` the smaller of the numbers of
items and annotators; time per evaluation ``O(N + m^3)`` (and ``O(n k m)`` for the
dense incidence).

Bates, Maechler, Bolker & Walker (2015), "Fitting linear mixed-effects models using
lme4", Journal of Statistical Software 67(1).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._lazy import lazy_module

__all__: list[str] = []

sparse: Any = lazy_module("scipy.sparse")
csgraph: Any = lazy_module("scipy.sparse.csgraph")
linalg: Any = lazy_module("scipy.linalg")

# A residual sum of squares below this share of the total is rounding noise: 0.
_REL_TOL = 1e-12
# Largest incidence matrix kept dense (entries).
_DENSE_MAX = 4_000_000
# Projected gradient (of f / N, times max(t, 1)) at which the minimisation stops.
_GTOL = 1e-11
_MAX_ITER = 200


def _incidence(item: NDArray[np.int64], annotator: NDArray[np.int64], n: int, k: int) -> Any:
    """Sparse ``n x k`` 0/1 matrix with a 1 where item ``i`` has annotator ``j``'s rating."""
    return sparse.csr_matrix((np.ones(item.size), (item, annotator)), shape=(n, k))


def residual_rank(item: NDArray[np.int64], annotator: NDArray[np.int64], n: int,
                  k: int) -> int:
    """Rank of ``[1, Za, Zb]``: ``n + k - c``, ``c`` the connected parts of the design."""
    inc = _incidence(item, annotator, n, k)
    adjacency = sparse.bmat([[None, inc], [inc.T, None]], format="csr")
    c, _ = csgraph.connected_components(adjacency, directed=False)
    return n + k - int(c)


def fixed_residual_ss(y: NDArray[np.float64], item: NDArray[np.int64],
                      annotator: NDArray[np.int64], n: int, k: int) -> float:
    """Residual sum of squares of the fixed-effects fit ``y ~ item + annotator``."""
    r_item = np.bincount(item, minlength=n).astype(np.float64)
    e = y - (np.bincount(item, weights=y, minlength=n) / r_item)[item]  # within items
    inc = _incidence(item, annotator, n, k)
    # Annotator effects on the within-item residuals: (Db - N' Da^-1 N) b = Zb' e.
    W = np.diag(np.bincount(annotator, minlength=k).astype(np.float64)) - \
        (inc.T @ sparse.diags(1.0 / r_item) @ inc).toarray()
    g = np.bincount(annotator, weights=e, minlength=k)
    b = np.linalg.lstsq(W, g, rcond=None)[0]
    ss = float(e @ e - g @ b)
    return 0.0 if ss <= _REL_TOL * float(y @ y) else ss


class _Reml:
    """The profiled REML criterion and its gradient; ``a`` is the factor with more levels."""

    def __init__(self, y: NDArray[np.float64], a: NDArray[np.int64], b: NDArray[np.int64],
                 na: int, nb: int) -> None:
        self.y, self.a, self.b, self.na, self.nb = y, a, b, na, nb
        self.N = y.size
        self.ra = np.bincount(a, minlength=na).astype(np.float64)
        self.rb = np.bincount(b, minlength=nb).astype(np.float64)
        inc = _incidence(a, b, na, nb)
        self.inc = inc.toarray() if na * nb <= _DENSE_MAX else inc
        self.V = np.column_stack((np.ones_like(y), y))  # the vectors 1 and y
        self.Va = np.column_stack([np.bincount(a, weights=v, minlength=na) for v in self.V.T])
        self.Vb = np.column_stack([np.bincount(b, weights=v, minlength=nb) for v in self.V.T])
        self.last = (0.0, 0.0)

    def _gram(self, d: NDArray[np.float64]) -> NDArray[np.float64]:
        """``N' diag(d) N`` as a dense ``nb x nb`` array."""
        if isinstance(self.inc, np.ndarray):
            return (self.inc * d[:, None]).T @ self.inc
        return (self.inc.T @ sparse.diags(d) @ self.inc).toarray()

    def __call__(self, t: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        """``(f(t), grad f(t))``; sets ``last`` to ``(mu_hat, r2)``."""
        ta, tb = float(t[0]), float(t[1])
        inc, a, b, na, nb, N = self.inc, self.a, self.b, self.na, self.nb, self.N
        A = 1.0 + ta * self.ra
        W = np.diag(self.rb) - ta * self._gram(1.0 / A)
        S = np.eye(nb) + tb * W
        cho = linalg.cho_factor(S, lower=True)
        logdet = float(np.sum(np.log(A))) + 2.0 * float(np.sum(np.log(np.diag(cho[0]))))
        # H^-1 [1, y] = V - Z Lambda M^-1 Lambda Z' V, M solved by blocks.
        sa, sb, sab = math.sqrt(ta), math.sqrt(tb), math.sqrt(ta * tb)
        wa, wb = sa * self.Va, sb * self.Vb
        xb = linalg.cho_solve(cho, wb - sab * (inc.T @ (wa / A[:, None])))
        xa = (wa - sab * (inc @ xb)) / A[:, None]
        HV = self.V - sa * xa[a] - sb * xb[b]
        q11, q1y, qyy = (float(HV[:, 0].sum()), float(HV[:, 0] @ self.y),
                         float(HV[:, 1] @ self.y))
        beta = q1y / q11
        r2 = max(qyy - q1y * beta, 0.0)
        self.last = (beta, r2)
        f = logdet + math.log(q11) + (N - 1) * math.log(r2)
        He = HV[:, 1] - beta * HV[:, 0]
        quad = []
        for codes, m in ((a, na), (b, nb)):
            z1 = np.bincount(codes, weights=HV[:, 0], minlength=m)
            ze = np.bincount(codes, weights=He, minlength=m)
            quad.append((z1 @ z1) / q11 + (N - 1) * (ze @ ze) / r2)
        # tr(S^-1 X) = sum(S^-1 * X) for symmetric X: one inverse instead of two solves.
        Sinv = linalg.cho_solve(cho, np.eye(nb))
        tr_a = float(np.sum(self.ra / A)) - tb * float(np.sum(Sinv * self._gram(1.0 / A**2)))
        tr_b = float(np.sum(Sinv * W))
        return f, np.array([tr_a - quad[0], tr_b - quad[1]])


def _minimise(fun: Any, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Projected Newton minimisation of ``fun`` (returning value and gradient) on x >= 0.

    The Hessian of the free coordinates comes from central differences of the gradient
    (forward ones at the bound); a step that is not a descent direction falls back to a
    scaled gradient step, and every step is halved until ``f`` decreases, or, within
    rounding of ``f``, the projected gradient does.
    """

    def pgrad(x: NDArray[np.float64], g: NDArray[np.float64]) -> float:
        free = (x > 0) | (g < 0)
        return float(np.max(np.abs(g[free]) * np.maximum(x[free], 1.0), initial=0.0))

    f, g = fun(x)
    for _ in range(_MAX_ITER):
        free = (x > 0) | (g < 0)
        pg = pgrad(x, g)
        if pg < _GTOL:
            break
        idx = np.flatnonzero(free)
        H = np.empty((idx.size, idx.size))
        for c, i in enumerate(idx):
            h = 1e-5 * max(x[i], 1e-3)
            e = np.zeros_like(x)
            e[i] = h
            if x[i] > h:
                H[:, c] = (fun(x + e)[1][idx] - fun(x - e)[1][idx]) / (2 * h)
            else:
                H[:, c] = (fun(x + e)[1][idx] - g[idx]) / h
        H = (H + H.T) / 2
        gf = g[idx]
        step = None
        if np.all(np.linalg.eigvalsh(H) > 0):
            step = -np.linalg.solve(H, gf)
        if step is None or gf @ step >= 0:
            scale = np.maximum(np.abs(np.diag(H)), np.abs(gf) / (x[idx] + 0.1))
            step = -gf / scale
        moved = False
        noise = 1e-13 * max(abs(f), 1.0)
        for _ in range(40):
            x_new = x.copy()
            x_new[idx] = np.maximum(x[idx] + step, 0.0)
            f_new, g_new = fun(x_new)
            if f_new < f - noise or (f_new <= f + noise and pgrad(x_new, g_new) < pg):
                moved = not np.array_equal(x_new, x)
                x, f, g = x_new, f_new, g_new
                break
            step = step / 2
        if not moved:
            break
    return x


def _start(y: NDArray[np.float64], a: NDArray[np.int64], b: NDArray[np.int64], na: int,
           nb: int, s2e: float) -> NDArray[np.float64]:
    """Moment-type starting ratios: variance of the level means beyond the residual."""
    out = []
    for codes, m in ((a, na), (b, nb)):
        r = np.bincount(codes, minlength=m).astype(np.float64)
        means = np.bincount(codes, weights=y, minlength=m) / r
        v = float(np.var(means, ddof=1)) - s2e * float(np.mean(1.0 / r))
        out.append(max(v / s2e, 0.05))
    return np.array(out)


def crossed_reml(y: NDArray[np.float64], item: NDArray[np.int64],
                 annotator: NDArray[np.int64], n: int, k: int, s2e_start: float
                 ) -> tuple[float, float, float]:
    """REML ``(s2_item, s2_annotator, s2_residual)`` of the crossed random-effects model.

    ``y`` centred ratings, ``item`` in ``[0, n)``, ``annotator`` in ``[0, k)``, every level
    used; ``s2e_start`` a positive residual variance to start from (e.g. the fixed-effects
    residual mean square). The caller ensures that the residual is not 0.
    """
    swap = k > n
    a, b, na, nb = (annotator, item, k, n) if swap else (item, annotator, n, k)
    scale = float(np.std(y)) or 1.0
    ys = y / scale
    reml = _Reml(ys, a, b, na, nb)
    x0 = _start(ys, a, b, na, nb, s2e_start / scale**2)

    def fun(t: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        f, g = reml(t)
        return f / reml.N, g / reml.N

    t = _minimise(fun, x0)
    reml(t)
    s2e = reml.last[1] / (reml.N - 1) * scale**2
    ta, tb = float(t[0]), float(t[1])
    if swap:
        ta, tb = tb, ta
    return ta * s2e, tb * s2e, s2e
