"""Exact coefficient ranges and sign stability of linear models, against rashomon-py.

Rows:

1. ridge regression (``LinearLevelSet``) on scikit-learn's diabetes data (442 x 10, X and
   y standardised) and on a synthetic problem (default 100,000 x 50, correlated Gaussian
   features, some true coefficients 0 or small so that some signs are unstable);
2. L2 logistic regression (``LogisticLevelSet``) on the bundled COMPAS data
   (``multiplicity.datasets.load_compas``: 6,907 x 12 binary one-hot columns) and on
   scikit-learn's breast cancer data (569 x 30, standardised);
3. prediction ranges of ``LinearLevelSet`` for 10^6 rows x 100 features (no peer: rashomon-py
   has no linear prediction ranges beyond a per-row Python loop), beside the physical floor
   ``X @ w`` (one read of ``X``) and a NumPy version of the same formula (one BLAS-3 GEMM
   ``Z @ L^-T`` per block of 65,536 rows, ``H = L L'``; about ``2 n p^2`` flops, which no
   exact method avoids, so the floor of one read is not reachable).

The peer is rashomon-py (``pip install rashomon-py``, import ``rashomon``; MIT), its exact
path: ``RashomonSet(estimator, C, epsilon, epsilon_mode="absolute", fit_intercept=True)
.fit(X, y).coef_extremes()``. ``coef_extremes`` is what its one-call ``audit(...,
exact_ranges=True)`` uses for the ranges and for ``sign_stable`` (``low > 0 or high < 0``);
``audit`` would add a hit-and-run sampling of 1,000 models that the ranges do not use, so
the lower-level API is timed. For linear models ``coef_extremes`` is the closed form
``theta0_j -+ sqrt(2 eps) ||e_j||_{H^-1}`` with ``H^-1 e_j`` from preconditioned conjugate
gradients stopped at its ``tol``; for logistic models it is a Lagrangian boundary trace
(damped Newton solves inside a regula-falsi search on the multiplier), stopped at ``tol``.
Both are exact up to ``tol``; nothing here is sampled. The peer is run with ``tol=1e-10``
(ours: ``LogisticLevelSet``'s default ``tol=1e-10``) and, as a third contestant, with its
default ``tol=1e-6`` (faster, less accurate); the values are checked on the ``tol=1e-10``
run.

Epsilon conversion (from rashomon-py 0.3.1's source, ``rashomon_set.py`` and
``_sklearn.py``; checked in this run by comparing the baseline losses):

* Ridge. Ours: ``L = (||y - Xw - b||^2 + alpha ||w||^2) / n``. Theirs:
  ``L_R = 0.5 mean (y - Xw - b)^2 + (lambda / 2) ||w||^2`` with ``lambda = 1 / C_R``,
  intercept unpenalised. So ``L_R = L / 2`` with ``C_R = n / alpha``, and
  ``eps_R = eps / 2``.
* Logistic. Ours: ``L = mean log loss + ||w||^2 / (2 C n)`` (``C`` as in scikit-learn).
  Theirs: ``L_R = mean log loss + (lambda / 2) ||w||^2``, ``lambda = 1 / C_R``. So
  ``L_R = L`` with ``C_R = C n``, and ``eps_R = eps``.

Both sides time the whole computation from the data: the baseline fit plus the ranges
(ours: ``fit`` and the first read of ``coef_range_``, which computes the logistic ranges
lazily; theirs: ``fit`` and ``coef_extremes()``). Contestants are called round-robin the
same number of times N; min and median are kept. Ours is called once before timing so the
Numba kernels are compiled.

Values: the largest |difference| of the range end points (coefficients and intercept)
must be below ``1e-8`` (ridge) or ``1e-6`` (logistic), the baseline losses must agree
after the conversion, and the sign-stability flags must agree except on a coefficient
whose range has an end point within that tolerance of 0; the script exits non-zero
otherwise. The prediction ranges of row 3 are checked on 2,000 rows against
``predict -+ sqrt(eps z' H^-1 z)`` from ``numpy.linalg.solve`` (relative 1e-9).

Run: ``.venv/bin/python benchmarks/bench_coefficients.py [--repeats 5 --synth-rows 100000
--synth-features 50 --pred-rows 1000000 --pred-features 100 --quick --json PATH]``.
"""

from __future__ import annotations

import sys
import warnings

import _common
import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.preprocessing import StandardScaler

from multiplicity.datasets import load_compas
from multiplicity.rashomon import LinearLevelSet, LogisticLevelSet

TOL = {"ridge": 1e-8, "logistic": 1e-6}
PRED_RTOL = 1e-9
PEER_TOL = 1e-10  # rashomon-py's tol for the checked run (its default is 1e-6)


# ------------------------------------------------------------------------------ data
def diabetes() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X, (y - y.mean()) / y.std()


def synthetic(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Correlated Gaussian features; a third of the true coefficients 0, a third small."""
    rng = np.random.default_rng(seed)
    A = np.eye(d) + 0.3 * rng.standard_normal((d, d)) / np.sqrt(d)
    X = rng.standard_normal((n, d)) @ A
    beta = rng.standard_normal(d)
    beta[: d // 3] = 0.0
    beta[d // 3: 2 * d // 3] *= 0.02
    y = X @ beta + 1.0 + rng.standard_normal(n)
    return X, y


def compas() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_compas(return_X_y=True)
    return X.to_numpy(dtype=np.float64), y.to_numpy().astype(np.float64)


def breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y.astype(np.float64)


# ------------------------------------------------------------------------ contestants
def ours_fn(model: str, X: np.ndarray, y: np.ndarray, reg: float, eps: float):
    def run() -> dict:
        if model == "ridge":
            m = LinearLevelSet(alpha=reg, epsilon=eps).fit(X, y)
        else:
            m = LogisticLevelSet(C=reg, epsilon=eps).fit(X, y)
        return {"coef": m.coef_range_, "intercept": m.intercept_range_,
                "stable": m.sign_stable_, "L0": m.baseline_loss_}
    return run


def peer_params(model: str, n: int, reg: float, eps: float) -> dict:
    """rashomon-py's (estimator, C, epsilon) for our (alpha or C, epsilon); see the notes."""
    if model == "ridge":
        return {"estimator": "linear", "C": n / reg, "epsilon": eps / 2}
    return {"estimator": "logistic", "C": reg * n, "epsilon": eps}


def peer_fn(model: str, X: np.ndarray, y: np.ndarray, reg: float, eps: float, tol: float):
    from rashomon import RashomonSet

    params = peer_params(model, X.shape[0], reg, eps)

    def run() -> dict:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rs = RashomonSet(**params, epsilon_mode="absolute", fit_intercept=True,
                             tol=tol).fit(X, y)
            ext = rs.coef_extremes()
        coef = ext[1:]  # the intercept is parameter 0
        # audit()'s rule: the range (forced to contain the estimate) excludes 0
        theta = rs._theta_hat[1:]
        low, high = np.minimum(coef[:, 0], theta), np.maximum(coef[:, 1], theta)
        # L_R = L / 2 for ridge, L_R = L for logistic: report L_R in our units
        scale = 2.0 if model == "ridge" else 1.0
        return {"coef": coef, "intercept": ext[0], "stable": (low > 0) | (high < 0),
                "L0": scale * float(rs._L_hat)}
    return run


def compare(model: str, ours: dict, peer: dict) -> dict:
    tol = TOL[model]
    d_coef = float(np.abs(ours["coef"] - peer["coef"]).max())
    d_int = float(np.abs(ours["intercept"] - peer["intercept"]).max())
    d_L0 = abs(ours["L0"] - peer["L0"])
    disagree = np.flatnonzero(ours["stable"] != peer["stable"])
    # a disagreement counts only when no end point of either side is within tol of 0
    near0 = (np.abs(ours["coef"]).min(axis=1) <= tol) | (np.abs(peer["coef"]).min(axis=1) <= tol)
    hard = [int(j) for j in disagree if not near0[j]]
    ok = max(d_coef, d_int) <= tol and d_L0 <= 1e-9 * max(1.0, abs(ours["L0"])) and not hard
    return {"max_diff": max(d_coef, d_int), "max_diff_coef": d_coef, "max_diff_intercept":
            d_int, "baseline_loss_diff": d_L0, "n_features": int(ours["stable"].size),
            "n_agree": int(ours["stable"].size - disagree.size),
            "n_stable_ours": int(ours["stable"].sum()),
            "n_stable_peer": int(peer["stable"].sum()), "hard_disagreements": hard,
            "ok": bool(ok)}


def run_case(label: str, model: str, X: np.ndarray, y: np.ndarray, reg: float, eps: float,
             repeats: int) -> tuple[dict, dict]:
    ours = ours_fn(model, X, y, reg, eps)
    peer = peer_fn(model, X, y, reg, eps, PEER_TOL)
    peer_default = peer_fn(model, X, y, reg, eps, 1e-6)
    ours()  # compile
    last: dict = {}
    timings = _common.interleaved(
        {"ours": lambda: last.__setitem__("ours", ours()),
         "peer": lambda: last.__setitem__("peer", peer()),
         "peer_default_tol": lambda: last.__setitem__("peer_default_tol", peer_default())},
        repeats)
    check = compare(model, last["ours"], last["peer"])
    check_default = compare(model, last["ours"], last["peer_default_tol"])
    pp = peer_params(model, X.shape[0], reg, eps)
    reg_text = f"alpha = {reg:g}" if model == "ridge" else f"C = {reg:g}"
    print(f"\n{label}, {model} ({reg_text}), {X.shape[0]} x {X.shape[1]}: eps ours {eps:g}, "
          f"theirs {pp['epsilon']:g} (C_R = {pp['C']:g})")
    for k, name in (("ours", "ours"), ("peer", f"rashomon-py tol {PEER_TOL:g}"),
                    ("peer_default_tol", "rashomon-py tol 1e-6 (default)")):
        print(f"  {name:32s}: {_common.timing_text(timings[k])}")
    print(f"  ratio (theirs tol {PEER_TOL:g} / ours): "
          f"{_common.ratio_text(timings['peer'], timings['ours'])}; default tol: "
          f"{_common.ratio_text(timings['peer_default_tol'], timings['ours'])}")
    print(f"  max |end point diff| {check['max_diff']:.2e} (default tol "
          f"{check_default['max_diff']:.2e}); baseline loss diff "
          f"{check['baseline_loss_diff']:.1e}; sign stable ours {check['n_stable_ours']}, "
          f"theirs {check['n_stable_peer']}, agree on {check['n_agree']}/"
          f"{check['n_features']}" + ("" if check["ok"] else "  **MISMATCH**"))
    values = (f"max end-point diff {check['max_diff']:.1e} (must be <= {TOL[model]:g}); "
              f"sign stability agrees on {check['n_agree']}/{check['n_features']} "
              f"({check['n_stable_ours']} stable)" + ("" if check["ok"] else "; **FAILED**"))
    row = _common.row(
        f"{'`LinearLevelSet`' if model == 'ridge' else '`LogisticLevelSet`'} coefficient "
        f"ranges + sign stability, {label} {X.shape[0]} x {X.shape[1]}, eps {eps:g}",
        _common.timing_text(timings["ours"]),
        f"rashomon-py `RashomonSet.fit` + `coef_extremes` (tol {PEER_TOL:g}): "
        f"{_common.timing_text(timings['peer'])}",
        _common.ratio_text(timings["peer"], timings["ours"]), "", values)
    detail = {"dataset": label, "model": model, "shape": list(X.shape), "reg": reg,
              "eps_ours": eps, "eps_peer": pp["epsilon"], "C_peer": pp["C"],
              "timings": timings, "check": check, "check_default_tol": check_default}
    return row, detail


def numpy_ranges(X: np.ndarray, Linv_t: np.ndarray, coef: np.ndarray, intercept: float,
                 eps: float, block: int = 65_536) -> np.ndarray:
    """The same ranges in NumPy: one GEMM ``Z @ L^-T`` per block of rows (BLAS 3).

    ``H = L L'``, so ``z' H^-1 z = ||L^-1 z||^2``: the half-widths are the row norms of
    ``Z L^-T``, about ``2 n p^2`` flops, the arithmetic any exact method does beyond
    reading ``X``. ``Linv_t`` is ``L^-T`` (factorised once, outside the timing, as ours
    factorises in ``fit``).
    """
    d = X.shape[1]
    root = np.sqrt(eps)
    out = np.empty((X.shape[0], 2))
    for s in range(0, X.shape[0], block):
        Xb = X[s:s + block]
        U = Xb @ Linv_t[:d] + Linv_t[d]
        half = root * np.sqrt(np.einsum("ij,ij->i", U, U))
        centre = Xb @ coef + intercept
        out[s:s + block, 0] = centre - half
        out[s:s + block, 1] = centre + half
    return out


def run_prediction(n_rows: int, d: int, eps: float, repeats: int, seed: int
                   ) -> tuple[dict, dict]:
    """Row 3: prediction ranges of 10^6 rows (ours) beside one read of X."""
    Xtr, ytr = synthetic(min(100_000, 10 * n_rows), d, seed)
    lls = LinearLevelSet(alpha=1.0, epsilon=eps).fit(Xtr, ytr)
    X = np.ascontiguousarray(synthetic(n_rows, d, seed + 1)[0])
    w = lls.coef_.copy()
    lls.prediction_range(X[:8])  # compile
    # H = (Z'Z + alpha diag(1..1, 0)) / n, its Cholesky factor for the NumPy contestant
    Z = np.hstack([Xtr, np.ones((Xtr.shape[0], 1))])
    H = Z.T @ Z
    H[np.arange(d), np.arange(d)] += 1.0
    H /= Xtr.shape[0]
    Linv_t = np.linalg.inv(np.linalg.cholesky(H)).T
    last: dict = {}
    timings = _common.interleaved(
        {"ours": lambda: last.__setitem__("ours", lls.prediction_range(X)),
         "numpy": lambda: last.__setitem__("numpy", numpy_ranges(
             X, Linv_t, lls.coef_, lls.intercept_, eps)),
         "floor": lambda: X @ w}, repeats)
    ranges = last["ours"]
    d_numpy = float(np.max(np.abs(ranges - last["numpy"])
                           / np.maximum(1.0, np.abs(last["numpy"]))))
    # check: predict -+ sqrt(eps z' H^-1 z) by numpy.linalg.solve
    idx = np.random.default_rng(seed).choice(n_rows, min(2000, n_rows), replace=False)
    Zq = np.hstack([X[idx], np.ones((idx.size, 1))])
    half = np.sqrt(eps * np.einsum("ij,ji->i", Zq, np.linalg.solve(H, Zq.T)))
    centre = X[idx] @ lls.coef_ + lls.intercept_
    expect = np.column_stack([centre - half, centre + half])
    rel = float(np.max(np.abs(ranges[idx] - expect) / np.maximum(1.0, np.abs(expect))))
    ok = rel <= PRED_RTOL and d_numpy <= PRED_RTOL
    over = {k: timings["ours"][k] / timings["floor"][k] for k in ("min_s", "median_s")}
    gemm_over = {k: timings["numpy"][k] / timings["floor"][k] for k in ("min_s", "median_s")}
    print(f"\nprediction ranges, {n_rows} x {d} ({X.nbytes / 2**20:.0f} MiB), eps {eps:g}")
    print(f"  ours  (prediction_range): {_common.timing_text(timings['ours'])}")
    print(f"  floor (X @ w)           : {_common.timing_text(timings['floor'])}; reads X at "
          f"{X.nbytes / timings['floor']['min_s'] / 1e9:.1f} GB/s")
    print(f"  numpy (blocked GEMM)    : {_common.timing_text(timings['numpy'])}")
    print(f"  ours / floor: {over['min_s']:.2f}x (median {over['median_s']:.2f}x); numpy GEMM "
          f"/ floor {gemm_over['min_s']:.2f}x; numpy / ours "
          f"{_common.ratio_text(timings['numpy'], timings['ours'])}; max rel diff to "
          f"numpy.linalg.solve {rel:.1e}, to the GEMM {d_numpy:.1e}"
          + ("" if ok else "  **MISMATCH**"))
    row = _common.row(
        f"`LinearLevelSet.prediction_range`, {n_rows:,} x {d}",
        _common.timing_text(timings["ours"]),
        f"floor, one read of X (`X @ w`): {_common.timing_text(timings['floor'])}; NumPy "
        f"blocked GEMM `Z @ L^-T`: {_common.timing_text(timings['numpy'])}",
        f"{over['min_s']:.2f}x floor (median {over['median_s']:.2f}x); NumPy GEMM / ours "
        f"{_common.ratio_text(timings['numpy'], timings['ours'])}", "",
        f"max rel. diff to `numpy.linalg.solve` on 2,000 rows {rel:.1e}, to the GEMM on all "
        f"rows {d_numpy:.1e} (must be <= {PRED_RTOL:g})" + ("" if ok else "; **FAILED**"))
    detail = {"shape": [n_rows, d], "eps": eps, "timings": timings, "over_floor": over,
              "numpy_over_floor": gemm_over, "max_rel_diff": rel,
              "max_rel_diff_numpy": d_numpy, "ok": ok}
    return row, detail


def notes_table(details: list[dict], pred: dict | None) -> str:
    lines = ["| data set | model | epsilon ours / theirs | ours min / median | theirs min / "
             "median (tol 1e-10) | ratio theirs / ours (min, median) | theirs at default "
             "tol 1e-6: min / median, ratio | max end-point diff (tol 1e-10; default tol) "
             "| sign-stable agreement |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for d in details:
        t = d["timings"]
        c, cd = d["check"], d["check_default_tol"]
        model = (f"ridge, alpha {d['reg']:g}" if d["model"] == "ridge"
                 else f"logistic L2, C {d['reg']:g}")
        lines.append(
            f"| {d['dataset']} ({d['shape'][0]:,} x {d['shape'][1]}) | {model} | "
            f"{d['eps_ours']:g} / {d['eps_peer']:g} | "
            f"{_common.fmt_s(t['ours']['min_s'])} / {_common.fmt_s(t['ours']['median_s'])} | "
            f"{_common.fmt_s(t['peer']['min_s'])} / {_common.fmt_s(t['peer']['median_s'])} | "
            f"{_common.ratio_text(t['peer'], t['ours'])} | "
            f"{_common.fmt_s(t['peer_default_tol']['min_s'])} / "
            f"{_common.fmt_s(t['peer_default_tol']['median_s'])}, "
            f"{_common.ratio_text(t['peer_default_tol'], t['ours'])} | "
            f"{c['max_diff']:.1e}; {cd['max_diff']:.1e} | "
            f"{c['n_agree']}/{c['n_features']} (stable: ours {c['n_stable_ours']}, theirs "
            f"{c['n_stable_peer']}) |")
    if pred is not None:
        t = pred["timings"]
        lines.append(
            f"| synthetic ({pred['shape'][0]:,} x {pred['shape'][1]}) | ridge prediction "
            f"ranges (ours only) | {pred['eps']:g} / - | "
            f"{_common.fmt_s(t['ours']['min_s'])} / {_common.fmt_s(t['ours']['median_s'])} | "
            f"floor `X @ w`: {_common.fmt_s(t['floor']['min_s'])} / "
            f"{_common.fmt_s(t['floor']['median_s'])} | ours {pred['over_floor']['min_s']:.2f}x "
            f"floor (median {pred['over_floor']['median_s']:.2f}x) | NumPy blocked GEMM "
            f"`Z @ L^-T`: {_common.fmt_s(t['numpy']['min_s'])} / "
            f"{_common.fmt_s(t['numpy']['median_s'])}, "
            f"{_common.ratio_text(t['numpy'], t['ours'])} (NumPy / ours) | "
            f"{pred['max_rel_diff']:.1e} vs `numpy.linalg.solve`; {pred['max_rel_diff_numpy']:.1e}"
            f" vs the GEMM (relative) | - |")
    return "\n".join(lines)


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--synth-rows", type=int, default=100_000)
    parser.add_argument("--synth-features", type=int, default=50)
    parser.add_argument("--pred-rows", type=int, default=1_000_000)
    parser.add_argument("--pred-features", type=int, default=100)
    parser.add_argument("--pred-repeats", type=int, default=5)
    parser.add_argument("--alpha", type=float, default=1.0, help="ridge penalty (ours)")
    parser.add_argument("--C", type=float, default=1.0, help="logistic C (scikit-learn's)")
    parser.add_argument("--eps", type=float, default=0.01,
                        help="absolute epsilon in our units (ridge rows, prediction ranges)")
    parser.add_argument("--logistic-eps", type=float, nargs="+", default=[0.01, 0.001],
                        help="absolute epsilons of the logistic rows (our units)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true",
                        help="small inputs, 2 repeats (a smoke test; figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        args.repeats = args.pred_repeats = 2
        args.synth_rows, args.synth_features = 5_000, 20
        args.pred_rows, args.pred_features = 20_000, 20
    import rashomon

    info = _common.machine_info()
    info["rashomon_py"] = rashomon.__version__
    _common.print_machine(info)
    print(f"# rashomon-py {rashomon.__version__}")

    cases = [
        ("diabetes", "ridge", *diabetes(), args.alpha, args.eps),
        ("synthetic", "ridge", *synthetic(args.synth_rows, args.synth_features, args.seed),
         args.alpha, args.eps),
        *[("COMPAS (bundled)", "logistic", *compas(), args.C, e) for e in args.logistic_eps],
        *[("breast cancer", "logistic", *breast_cancer(), args.C, e)
          for e in args.logistic_eps],
    ]
    rows, details = [], []
    for label, model, X, y, reg, eps in cases:
        row, detail = run_case(label, model, X, y, reg, eps, args.repeats)
        rows.append(row)
        details.append(detail)
    row, pred = run_prediction(args.pred_rows, args.pred_features, args.eps,
                               args.pred_repeats, args.seed)
    rows.append(row)

    notes = (
        f"rashomon-py {rashomon.__version__} (MIT), exact path `RashomonSet(...).fit(X, y)"
        ".coef_extremes()` (what its `audit(..., exact_ranges=True)` uses; `audit` itself "
        "would also sample 1,000 models with hit-and-run, which the ranges do not need). "
        "Both sides time the baseline fit plus every coefficient and intercept range; ours "
        "is compiled before timing. Nothing in this table is sampled: the peer's linear "
        "ranges are the closed form with `H^-1 e_j` from conjugate gradients, its logistic "
        "ranges a Lagrangian boundary trace, both stopped at its `tol`; it is timed with "
        f"`tol={PEER_TOL:g}` (values checked on this run) and with its default `tol=1e-6`.\n\n"
        "Epsilon conversion, derived from the peer's source and checked in the run (the "
        "baseline losses agree after it): ridge: ours `L = (||y - Xw - b||^2 + alpha "
        "||w||^2) / n`, theirs `L_R = 0.5 mean(r^2) + ||w||^2 / (2 C_R)`, so `C_R = n / "
        "alpha`, `L_R = L / 2` and `eps_R = eps / 2`; logistic: ours `L = mean log loss + "
        "||w||^2 / (2 C n)`, theirs `L_R = mean log loss + ||w||^2 / (2 C_R)`, so `C_R = C "
        "n` and `eps_R = eps`. Intercepts unpenalised on both sides; sign stable means the "
        "range excludes 0 on both sides. Diabetes: X and y standardised; breast cancer: X "
        "standardised; synthetic: correlated Gaussian X, a third of the true coefficients 0 "
        "and a third small. Tolerances: end points within 1e-8 (ridge) and 1e-6 (logistic).\n"
        "\n" + notes_table(details, pred))
    _common.write_result(args.json, "Coefficient ranges against rashomon-py", rows, notes,
                         machine=info, cases=details, prediction=pred)
    failed = [f"{d['dataset']} eps {d['eps_ours']:g}" for d in details if not d["check"]["ok"]]
    if not pred["ok"]:
        failed.append("prediction ranges")
    if failed:
        print(f"FAIL: values disagree: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)
    return {"cases": details, "prediction": pred}


if __name__ == "__main__":
    main()
