"""Accumulation curve, richness estimate and bootstrap intervals against NumPy and one read.

Two inputs, one after another in the same process:

* **curve**: 1,000 models x 1,000,000 samples of int8 binary labels (0.93 GiB); row 0 is
  the baseline. Every model copies it and flips entries only inside a fixed pool of 20% of
  the samples; person ``i`` of the pool has a flip propensity ``p_i`` drawn log-uniform in
  [1e-4, 0.5] and model ``k`` a rate ``r_k`` in [0.5, 1.5], so model ``k`` flips person
  ``i`` with probability ``r_k p_i`` (about 1.2% of the entries flipped per model). Rarely
  flipped people make ``Q1`` and ``Q2`` (people flipped by exactly one and two models)
  large and leave some of the pool unflipped, so the rarefaction curve still climbs at
  ``M`` and Chao2 has something to estimate. Built row block by row block from uint16
  draws: no full-size temporary.

  Contestants, interleaved in one process (the same repeats each, min and median kept):
  (a) ``ambiguity_curve(P, 0)`` (every ``m`` from 1 to 999); (b) ``ambiguity_estimate(P,
  0)`` (Chao2, 95%); (c) NumPy: per-sample flip counts ``(P[:, lo:hi] != P[0, lo:hi])
  .sum(axis=0)`` over blocks of 16,384 columns, their histogram, then the rarefaction
  curve by running products of ``1 - m / (M - r)`` over the flip count; (d) the same counts
  then Chao2 and its log-transformed interval written in NumPy here; (e) the floor
  ``np.count_nonzero(P)``: one single-threaded read of ``P``. Target: (a) and (b) about one
  read of the matrix (one pass over ``P``, the rest is a function of the histogram). The
  curve must agree with NumPy's to 1e-12 (absolute), the estimate's ``q1``, ``q2`` and
  ``observed`` exactly and its ``estimate``, ``interval`` and ``std_error`` to 1e-12, or
  the script exits 1.

* **bootstrap**: ``MultiplicityProfile.confidence(n_resamples=1000)`` on a synthetic
  profile of 100,000 people x 100 models (built directly, as the package's tests build
  theirs: three classes, each model flips a share ``--flip-rate`` of the baseline's labels
  and, independently, the same share of probability flags; random self-consistency,
  capacity and VPR widths; labels ``y``), so ten measures. Contestants, interleaved:
  ours with ``method="percentile"`` and ``"bca"``; a plain NumPy loop over the same
  resamples (the draws of ``multiplicity.rashomon._confidence._iter_positions`` with the
  same seed, the generator behind ``_bootstrap_indices``, checked against it on the first
  resamples): per resample the multiplicities ``w = bincount(idx)`` and every measure as
  ``X @ w`` (0/1 flags as float32, exact for counts below 2**24; the real-valued per-person
  values as float64), then ``numpy.quantile`` (linear) of the replicates; for BCa, the
  same loop plus Efron's (1987) bias correction and a jackknife acceleration computed in
  NumPy (leave-one-out of a mean ``(S - x_i) / (N - 1)``, of an extreme
  ``max_k (C_k - x_ki) / (N - 1)`` over the full (models, people) matrix). Every
  estimate, interval end and standard error must agree with NumPy's to 1e-12 (standard
  errors to a relative 1e-9), or the script exits 1. Target: seconds for 1,000 resamples.
  When ``--numpy-resamples`` is below ``--resamples``, the NumPy loop and ours run that
  smaller number of resamples in the contest and ours also runs the full number alone
  (the notes say so).

Run: ``.venv/bin/python benchmarks/bench_accumulation.py [--quick] [--json PATH]``.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import _common
import numba
import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import norm

from multiplicity.metrics import ambiguity_curve, ambiguity_estimate
from multiplicity.rashomon import MultiplicityProfile
from multiplicity.rashomon import _confidence as conf

POOL = 0.20  # share of samples any model may flip
P_RANGE = (1e-4, 0.5)  # log-uniform per-person flip propensity inside the pool
ROW_BLOCK = 8  # models generated per block
COL_BLOCK = 16384  # columns per block of the NumPy flip counts
CONFIDENCE = 0.95
TOL = 1e-12
TARGET_CURVE = "about 1x floor (one read of P)"
TARGET_BOOT = "seconds (1,000 resamples)"
MEASURES = ["ambiguity", "discrepancy", "probabilistic_ambiguity",
            "probabilistic_discrepancy", "mean_rashomon_capacity", "mean_vpr_width",
            "mean_self_consistency", "baseline_accuracy", "min_accuracy", "max_accuracy"]


# ------------------------------------------------------------------ curve: the input
def build(m: int, n: int, seed: int = 0) -> np.ndarray:
    """Seeded int8 (m, n) binary predictions; row 0 is the baseline (never flipped).

    Temporaries: the (n,) baseline, the pool and its propensities, and one
    (ROW_BLOCK, n * POOL) uint16 draw and its thresholds per block, never an (m, n) array
    besides ``P`` itself.
    """
    rng = np.random.default_rng(seed)
    b = rng.integers(0, 2, n, dtype=np.int8)
    pool = np.sort(rng.choice(n, max(1, int(POOL * n)), replace=False))
    lo, hi = np.log(P_RANGE[0]), np.log(P_RANGE[1])
    propensity = np.exp(rng.uniform(lo, hi, pool.size))
    rates = rng.uniform(0.5, 1.5, m)
    rates[0] = 0.0  # the baseline row
    b_pool = b[pool]
    flipped = (1 - b_pool).astype(np.int8)
    P = np.empty((m, n), dtype=np.int8)
    P[:] = b
    for r0 in range(0, m, ROW_BLOCK):
        r1 = min(m, r0 + ROW_BLOCK)
        thresholds = np.round(rates[r0:r1, None] * propensity[None, :] * 65536)
        draw = rng.integers(0, 65536, (r1 - r0, pool.size), dtype=np.uint16)
        P[r0:r1, pool] = np.where(draw < thresholds, flipped, b_pool)
    return P


# ------------------------------------------------------------ curve: NumPy reference
def numpy_counts(P: np.ndarray) -> np.ndarray:
    """Per-sample flip counts against row 0, in blocks of ``COL_BLOCK`` columns."""
    n = P.shape[1]
    c = np.empty(n, dtype=np.int64)
    for lo in range(0, n, COL_BLOCK):
        hi = min(n, lo + COL_BLOCK)
        c[lo:hi] = (P[:, lo:hi] != P[0, lo:hi]).sum(axis=0)
    return c


def numpy_hist(P: np.ndarray) -> tuple[np.ndarray, int, int]:
    M = P.shape[0] - 1
    return np.bincount(numpy_counts(P), minlength=M + 1), M, P.shape[1]


def numpy_curve(P: np.ndarray) -> np.ndarray:
    """Rarefaction ``mean_i [1 - C(M - c_i, m) / C(M, m)]`` for m = 1..M, in NumPy.

    ``C(M - c, m) / C(M, m) = prod_{r < c} (1 - m / (M - r))``: a cumulative product over
    ``c`` for every ``m`` at once, (c_max, M) float64.
    """
    hist, M, n = numpy_hist(P)
    cmax = int(np.flatnonzero(hist).max())
    if cmax == 0:
        return np.zeros(M)
    m = np.arange(1, M + 1, dtype=np.float64)
    r = np.arange(cmax, dtype=np.float64)[:, None]
    ratio = np.cumprod(np.maximum(0.0, 1.0 - m[None, :] / (M - r)), axis=0)  # row c-1
    return (hist[1:cmax + 1].astype(np.float64) @ (1.0 - ratio)) / n


def numpy_chao2(P: np.ndarray, confidence: float = CONFIDENCE) -> dict[str, Any]:
    """Chao2 (Chao 1987) with its log-transformed interval, in NumPy, shares of n.

    Covers the case of the benchmark input (``Q1, Q2 > 0``, ``f0 > 0``); anything else
    returns NaNs, and the check fails.
    """
    hist, M, n = numpy_hist(P)
    s_obs = float(n - hist[0])
    q1, q2 = int(hist[1]), int(hist[2])
    a = (M - 1) / M
    out = {"observed": s_obs / n, "q1": q1, "q2": q2, "estimate": math.nan,
           "interval": (math.nan, math.nan), "std_error": math.nan}
    if q1 == 0 or q2 == 0:
        return out
    f0 = a * q1 * q1 / (2 * q2)
    r = q1 / q2
    var = q2 * (a / 2 * r**2 + a * a * r**3 + a * a / 4 * r**4)
    z = norm.ppf(0.5 + confidence / 2)
    k = np.exp(z * np.sqrt(np.log1p(var / (f0 * f0))))
    low, high = s_obs + f0 / k, min(float(n), s_obs + f0 * k)
    f0 = min(f0, n - s_obs)
    out.update(estimate=(s_obs + f0) / n, interval=(low / n, high / n),
               std_error=math.sqrt(var) / n)
    return out


def estimate_dict(e: Any) -> dict[str, Any]:
    return {"observed": e.observed, "q1": e.q1, "q2": e.q2, "estimate": e.estimate,
            "interval": tuple(e.interval) if e.interval else (math.nan, math.nan),
            "std_error": e.std_error}


def estimates_agree(ours: dict[str, Any], ref: dict[str, Any]) -> tuple[bool, float]:
    exact = all(ours[k] == ref[k] for k in ("observed", "q1", "q2"))
    diffs = [abs(ours["estimate"] - ref["estimate"]), abs(ours["std_error"] - ref["std_error"]),
             *(abs(x - y) for x, y in zip(ours["interval"], ref["interval"], strict=True))]
    worst = max(diffs)
    return exact and worst <= TOL, worst


CURVE_CONTESTANTS = {
    "curve": lambda P: ambiguity_curve(P, 0),
    "estimate": lambda P: ambiguity_estimate(P, 0),
    "numpy_curve": numpy_curve,
    "numpy_estimate": numpy_chao2,
    "floor": lambda P: np.count_nonzero(P),
}
CURVE_LABELS = {
    "curve": "ours: ambiguity_curve(P, 0)",
    "estimate": "ours: ambiguity_estimate(P, 0)",
    "numpy_curve": "NumPy: blocked (P != P[0]).sum(0) + rarefaction",
    "numpy_estimate": "NumPy: blocked (P != P[0]).sum(0) + Chao2",
    "floor": "floor: np.count_nonzero(P)",
}


def run_curve(P: np.ndarray, repeats: int) -> dict[str, Any]:
    curve = CURVE_CONTESTANTS["curve"](P)["ambiguity"].to_numpy()  # also a warm-up
    ref_curve = numpy_curve(P)
    curve_diff = float(np.max(np.abs(curve - ref_curve)))
    est = estimate_dict(CURVE_CONTESTANTS["estimate"](P))
    ref_est = numpy_chao2(P)
    est_ok, est_diff = estimates_agree(est, ref_est)
    curve_ok = curve.shape == ref_curve.shape and curve_diff <= TOL
    load0 = _common.load1()
    t = _common.interleaved({k: (lambda fn=fn: fn(P)) for k, fn in CURVE_CONTESTANTS.items()},
                            repeats)
    load = [load0, _common.load1()]
    floor = t["floor"]
    print(f"\ncurve: {P.dtype} {P.shape}, {_common.fmt_bytes(P.nbytes)}; load {load[0]:.2f} "
          f"-> {load[1]:.2f}; ambiguity {est['observed']:.6f}, curve at M/2 "
          f"{curve[curve.size // 2]:.6f}, Chao2 {est['estimate']:.6f} (q1 {est['q1']}, q2 "
          f"{est['q2']}); curve max |diff| {curve_diff:.1e} (ok {curve_ok}), estimate max "
          f"|diff| {est_diff:.1e} (ok {est_ok})")
    print(f"  {'contestant':52s} {'min':>9s} {'median':>9s}  {'/floor min':>10s} "
          f"{'/floor med':>10s}")
    for k, tk in t.items():
        print(f"  {CURVE_LABELS[k]:52s} {_common.fmt_s(tk['min_s']):>9s} "
              f"{_common.fmt_s(tk['median_s']):>9s}  {tk['min_s'] / floor['min_s']:9.2f}x "
              f"{tk['median_s'] / floor['median_s']:9.2f}x")
    print(f"  floor reads P at {P.nbytes / floor['min_s'] / 1e9:.1f} GB/s (min)")
    return {"shape": list(P.shape), "bytes": P.nbytes, "load": load,
            "curve_max_diff": curve_diff, "curve_ok": curve_ok, "estimate": est,
            "numpy_estimate": ref_est, "estimate_max_diff": est_diff, "estimate_ok": est_ok,
            "curve_mid": float(curve[curve.size // 2]),
            "timings": {k: {**tk, "over_floor_min": tk["min_s"] / floor["min_s"],
                            "over_floor_median": tk["median_s"] / floor["median_s"]}
                        for k, tk in t.items()}}


# -------------------------------------------------------------- bootstrap: the input
def synthetic_profile(n: int, m: int, seed: int, flip_rate: float) -> MultiplicityProfile:
    """A profile with probabilities and labels, built directly (no models fitted)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 3, n).astype(np.int8)
    P = np.repeat(base[None], m, axis=0)
    b = 0
    flip = rng.random((m, n)) < flip_rate
    flip[b] = False
    P[flip] = (P[flip] + 1) % 3
    amb = (P != P[b]).any(axis=0)
    pf = (rng.random((m, n)) < flip_rate).astype(np.uint8)
    pf[b] = 0
    sc = rng.random(n)
    rc = 1 + 2 * rng.random(n)
    width = rng.random(n)
    y = rng.integers(0, 3, n).astype(np.int64)
    acc = (P == y).mean(axis=1)
    return MultiplicityProfile(
        n_models=m, n_samples=n, delta=0.1, classes=np.array([0, 1, 2]), baseline_index=b,
        ambiguity=float(amb.mean()), discrepancy=float((P != P[b]).sum(1).max() / n),
        probabilistic_ambiguity=float(pf.any(0).mean()),
        probabilistic_discrepancy=float(pf.sum(1).max() / n),
        mean_rashomon_capacity=float(rc.mean()), mean_vpr_width=float(width.mean()),
        mean_self_consistency=float(sc.mean()), disagreement_error_estimate=float(1 - sc.mean()),
        baseline_accuracy=float(acc[b]), min_accuracy=float(acc.min()),
        max_accuracy=float(acc.max()), ambiguous=amb, self_consistency=sc, vpr=None,
        vpr_width=width, rashomon_capacity=rc, predictions=P, proba_flips=pf, y_codes=y)


# ------------------------------------------------------- bootstrap: NumPy reference
def numpy_confidence(prof: MultiplicityProfile, B: int, seed: int, method: str
                     ) -> dict[str, tuple[float, float, float, float]]:
    """``{measure: (estimate, low, high, std_error)}`` by a plain loop over resamples."""
    n, b = prof.n_samples, prof.baseline_index
    P, pf, y = prof.predictions, prof.proba_flips, prof.y_codes
    m = P.shape[0]
    flips = (P != P[b]).astype(np.float32)  # (m, n), models in rows
    probf = pf.astype(np.float32)
    correct = (P == y).astype(np.float32)
    flags = np.concatenate([prof.ambiguous[None].astype(np.float32),
                            pf.any(axis=0)[None].astype(np.float32), flips, probf, correct])
    dense = np.stack([prof.rashomon_capacity, prof.vpr_width, prof.self_consistency])
    k_flip, k_prob, k_corr = 2, 2 + m, 2 + 2 * m

    def measures(sf: np.ndarray, sd: np.ndarray) -> np.ndarray:
        """The ten measures from the weighted sums of the flags and the dense rows."""
        acc = sf[k_corr:k_corr + m]
        return np.array([sf[0], sf[k_flip:k_flip + m].max(), sf[1],
                         sf[k_prob:k_prob + m].max(), sd[0], sd[1], sd[2], acc[b],
                         acc.min(), acc.max()]) / n

    est = measures(flags.sum(axis=1, dtype=np.float64), dense.sum(axis=1))
    reps = np.empty((B, len(MEASURES)))
    bounds = np.array([0, n], dtype=np.int64)
    r = 0
    for pos in conf._iter_positions(np.random.default_rng(seed), B, bounds):
        for idx in pos:
            w = np.bincount(idx, minlength=n)
            reps[r] = measures((flags @ w.astype(np.float32)).astype(np.float64),
                               dense @ w.astype(np.float64))
            r += 1
    alpha = 1.0 - CONFIDENCE
    levels = np.full((len(MEASURES), 2), [alpha / 2, 1 - alpha / 2])
    if method == "bca":
        loo = jackknife(flags, dense, m, k_flip, k_prob, k_corr, b)
        for j in range(len(MEASURES)):
            rep = reps[:, j]
            share = (np.sum(rep < est[j]) + np.sum(rep <= est[j])) / (2 * B)
            if not 0 < share < 1:
                levels[j] = np.nan
                continue
            u = loo[j].mean() - loo[j]
            den = 6 * np.sum(u * u) ** 1.5
            a = np.sum(u ** 3) / den if den > 0 else 0.0
            z0 = ndtri(share)
            z = z0 + ndtri(np.array([alpha / 2, 1 - alpha / 2]))
            levels[j] = ndtr(z0 + z / (1 - a * z))
    out = {}
    for j, name in enumerate(MEASURES):
        if np.isnan(levels[j]).any():
            low = high = math.nan
        else:
            low, high = np.quantile(reps[:, j], levels[j], method="linear")
        out[name] = (float(est[j]), float(low), float(high), float(np.std(reps[:, j], ddof=1)))
    return out


def jackknife(flags, dense, m, k_flip, k_prob, k_corr, b) -> list[np.ndarray]:
    """Each measure without each person, (n,) per measure: brute force over the rows."""
    n = flags.shape[1]
    N1 = n - 1

    def mean_loo(x):
        return (x.sum(dtype=np.float64) - x) / N1

    def extreme_loo(X, reduce):
        C = X.sum(axis=1, dtype=np.float64)[:, None]
        return reduce(C - X, axis=0) / N1

    return [mean_loo(flags[0]), extreme_loo(flags[k_flip:k_flip + m], np.max),
            mean_loo(flags[1]), extreme_loo(flags[k_prob:k_prob + m], np.max),
            mean_loo(dense[0]), mean_loo(dense[1]), mean_loo(dense[2]),
            mean_loo(flags[k_corr + b]), extreme_loo(flags[k_corr:k_corr + m], np.min),
            extreme_loo(flags[k_corr:k_corr + m], np.max)]


def ours_confidence(prof: MultiplicityProfile, B: int, seed: int, method: str
                    ) -> dict[str, tuple[float, float, float, float]]:
    df = prof.confidence(B, CONFIDENCE, random_state=seed, method=method)
    return {name: tuple(float(v) for v in df.loc[name, ["estimate", "low", "high",
                                                         "std_error"]])
            for name in MEASURES}


def compare(ours: dict, ref: dict) -> tuple[bool, float, float]:
    """All agree?, the largest absolute difference of estimates and interval ends, and the
    largest relative difference of the standard errors. NaN ends must be NaN on both."""
    worst, worst_se, ok = 0.0, 0.0, True
    for name in MEASURES:
        for i in range(3):
            x, y = ours[name][i], ref[name][i]
            if math.isnan(x) or math.isnan(y):
                ok &= math.isnan(x) and math.isnan(y)
                continue
            worst = max(worst, abs(x - y))
        se, se_ref = ours[name][3], ref[name][3]
        worst_se = max(worst_se, abs(se - se_ref) / max(abs(se_ref), 1e-300))
    return ok and worst <= TOL and worst_se <= 1e-9, worst, worst_se


def check_draws(n: int, seed: int, k: int) -> bool:
    """The loop's draws equal ``_bootstrap_indices`` (the tests' documented source)."""
    idx = conf._bootstrap_indices(n, k, seed)
    pos = next(conf._iter_positions(np.random.default_rng(seed), k,
                                    np.array([0, n], dtype=np.int64)))
    return bool(np.array_equal(idx, pos))


def run_boot(prof: MultiplicityProfile, B: int, B_np: int, seed: int, repeats: int
             ) -> dict[str, Any]:
    draws_ok = check_draws(prof.n_samples, seed, min(B_np, 8))
    checks = {}
    for method in ("percentile", "bca"):
        ours = ours_confidence(prof, B_np, seed, method)  # also a warm-up
        ref = numpy_confidence(prof, B_np, seed, method)
        ok, diff, se_diff = compare(ours, ref)
        checks[method] = {"ok": ok, "max_abs_diff": diff, "se_max_rel_diff": se_diff,
                          "ours": ours, "numpy": ref}
    contestants = {
        "percentile": lambda: ours_confidence(prof, B_np, seed, "percentile"),
        "bca": lambda: ours_confidence(prof, B_np, seed, "bca"),
        "numpy_percentile": lambda: numpy_confidence(prof, B_np, seed, "percentile"),
        "numpy_bca": lambda: numpy_confidence(prof, B_np, seed, "bca"),
    }
    load0 = _common.load1()
    t = _common.interleaved(contestants, repeats)
    full = None
    if B_np < B:  # ours alone at the full number of resamples
        full = _common.interleaved({
            "percentile": lambda: ours_confidence(prof, B, seed, "percentile"),
            "bca": lambda: ours_confidence(prof, B, seed, "bca")}, repeats)
    load = [load0, _common.load1()]
    print(f"\nbootstrap: {prof.n_samples:,} people x {prof.n_models} models, ambiguity "
          f"{prof.ambiguity:.3f}; {B_np} resamples in the contest, load {load[0]:.2f} -> "
          f"{load[1]:.2f}; draws equal _bootstrap_indices: {draws_ok}")
    for method, c in checks.items():
        print(f"  {method}: max |diff| {c['max_abs_diff']:.1e}, std_error max rel diff "
              f"{c['se_max_rel_diff']:.1e}, ok {c['ok']}")
    for k, tk in t.items():
        print(f"  {k:20s} {_common.timing_text(tk)}")
    for k in ("percentile", "bca"):
        print(f"  NumPy / ours, {k}: {_common.ratio_text(t['numpy_' + k], t[k])}")
    if full:
        for k, tk in full.items():
            print(f"  ours, {B} resamples, {k:10s} {_common.timing_text(tk)}")
    return {"shape": [prof.n_samples, prof.n_models], "ambiguity": prof.ambiguity,
            "resamples": B, "numpy_resamples": B_np, "load": load, "draws_ok": draws_ok,
            "checks": checks, "timings": t, "full": full}


# ------------------------------------------------------------------ rows and notes
def rows_for(cu: dict[str, Any], bo: dict[str, Any], title: str, btitle: str
             ) -> list[dict[str, str]]:
    t = cu["timings"]
    load = f"load {cu['load'][0]:.1f}-{cu['load'][1]:.1f}"
    checks = {"curve": (f"curve within {cu['curve_max_diff']:.0e} of NumPy (tol 1e-12)"
                        if cu["curve_ok"] else "curve DIFFERENT from NumPy"),
              "estimate": ("q1, q2, observed exact; estimate, interval, std_error within "
                           f"{cu['estimate_max_diff']:.0e} of NumPy"
                           if cu["estimate_ok"] else "estimate DIFFERENT from NumPy")}
    out = []
    for key, what in (("curve", "`ambiguity_curve(P, 0)`"),
                      ("estimate", "`ambiguity_estimate(P, 0)` (Chao2)")):
        tk = t[key]
        out.append(_common.row(
            f"{what}, {title} (`bench_accumulation.py`)", _common.timing_text(tk),
            f"one read, `np.count_nonzero(P)`: {_common.timing_text(t['floor'])}",
            f"{tk['over_floor_min']:.2f}x floor (median {tk['over_floor_median']:.2f}x), {load}",
            TARGET_CURVE, checks[key]))
        out.append(_common.row(
            f"{what}, {title}, against NumPy (same)", _common.timing_text(tk),
            f"NumPy: {_common.timing_text(t['numpy_' + key])}",
            f"{_common.ratio_text(t['numpy_' + key], tk)}, {load}", "", checks[key]))
    bt = bo["timings"]
    bload = f"load {bo['load'][0]:.1f}-{bo['load'][1]:.1f}"
    for key in ("percentile", "bca"):
        c = bo["checks"][key]
        values = (f"estimates, intervals within {c['max_abs_diff']:.0e} of NumPy, std errors "
                  f"rel {c['se_max_rel_diff']:.0e}" if c["ok"] else "DIFFERENT from NumPy")
        ours = _common.timing_text(bt[key])
        if bo["full"]:
            ours += (f"; {bo['resamples']:,} resamples: "
                     f"{_common.timing_text(bo['full'][key])}")
        out.append(_common.row(
            f"`confidence({bo['numpy_resamples']:,}, method=\"{key}\")`, {btitle}",
            ours, f"NumPy loop over resamples: {_common.timing_text(bt['numpy_' + key])}",
            f"{_common.ratio_text(bt['numpy_' + key], bt[key])}, {bload}", TARGET_BOOT,
            values))
    return out


def notes_for(cu: dict[str, Any], bo: dict[str, Any]) -> str:
    t = cu["timings"]

    def both(k):
        return f"{t[k]['over_floor_min']:.2f}x ({t[k]['over_floor_median']:.2f}x)"

    e = cu["estimate"]
    shape = f"{cu['shape'][0]:,} x {cu['shape'][1]:,}"
    lines = [
        "**Accumulation curve, Chao2 estimate and bootstrap intervals "
        "(`bench_accumulation.py`).** Contestants interleaved in one process, the same "
        "repeats each, min (median) kept. Targets: `ambiguity_curve` and "
        "`ambiguity_estimate` about one read of the matrix (the floor, one "
        "single-threaded `np.count_nonzero(P)`): one pass counts every person's flips, "
        "the rest is a function of their histogram. `MultiplicityProfile.confidence("
        "n_resamples=1000)` on 10^5 people x 100 models: seconds, percentile and BCa.",
        "",
        f"Input: {shape} int8, row 0 the baseline; flips only in a pool of {POOL:.0%} of "
        f"the people, with per-person propensities log-uniform in {P_RANGE} times a "
        f"per-model rate in [0.5, 1.5]. Ambiguity {e['observed']:.4f}, curve at M/2 "
        f"{cu['curve_mid']:.4f}; Q1 = {e['q1']:,}, Q2 = {e['q2']:,}, Chao2 "
        f"{e['estimate']:.4f} (95% interval {e['interval'][0]:.4f} to "
        f"{e['interval'][1]:.4f}).",
        "",
        "| input | load | curve / floor | estimate / floor | NumPy curve / floor | "
        "NumPy estimate / floor | NumPy / ours, curve | NumPy / ours, estimate | values |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {shape} int8 | {cu['load'][0]:.1f}-{cu['load'][1]:.1f} | {both('curve')} | "
        f"{both('estimate')} | {both('numpy_curve')} | {both('numpy_estimate')} | "
        f"{_common.ratio_text(t['numpy_curve'], t['curve'])} | "
        f"{_common.ratio_text(t['numpy_estimate'], t['estimate'])} | curve max diff "
        f"{cu['curve_max_diff']:.0e}, estimate max diff {cu['estimate_max_diff']:.0e} "
        f"({'agree' if cu['curve_ok'] and cu['estimate_ok'] else 'DIFFERENT'}) |",
        "",
        f"Floor: {_common.timing_text(t['floor'])} ({cu['bytes'] / t['floor']['min_s'] / 1e9:.1f}"
        f" GB/s). The package's calls use all {numba.get_num_threads()} Numba threads; the "
        "floor and the NumPy flip counts run on one thread; the NumPy bootstrap loop's "
        "`X @ w` products use BLAS at its default threads.",
    ]
    bt = bo["timings"]
    lines += [
        "",
        f"Bootstrap: synthetic profile of {bo['shape'][0]:,} people x {bo['shape'][1]} "
        f"models (ambiguity {bo['ambiguity']:.3f}), ten measures, "
        f"{bo['numpy_resamples']:,} resamples in the contest, the same draws on both sides "
        f"(checked equal to `_bootstrap_indices`: {bo['draws_ok']}).",
        "",
        "| method | load | ours | NumPy loop | NumPy / ours | values |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key in ("percentile", "bca"):
        c = bo["checks"][key]
        lines.append(
            f"| {key} | {bo['load'][0]:.1f}-{bo['load'][1]:.1f} | "
            f"{_common.timing_text(bt[key])} | {_common.timing_text(bt['numpy_' + key])} | "
            f"{_common.ratio_text(bt['numpy_' + key], bt[key])} | max diff "
            f"{c['max_abs_diff']:.0e}, std error rel {c['se_max_rel_diff']:.0e} "
            f"({'agree' if c['ok'] else 'DIFFERENT'}) |")
    if bo["full"]:
        lines += ["", f"The NumPy loop ran {bo['numpy_resamples']:,} resamples (fewer than "
                  f"the {bo['resamples']:,} of the target, to keep the run short); ours at "
                  f"{bo['resamples']:,}: percentile "
                  f"{_common.timing_text(bo['full']['percentile'])}, "
                  f"BCa {_common.timing_text(bo['full']['bca'])}."]
    return "\n".join(lines)


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--profile-models", type=int, default=100)
    parser.add_argument("--flip-rate", type=float, default=0.02)
    parser.add_argument("--resamples", type=int, default=1_000)
    parser.add_argument("--numpy-resamples", type=int, default=None,
                        help="resamples of the contest with NumPy (default --resamples)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5, help="calls of every contestant")
    parser.add_argument("--boot-repeats", type=int, default=3,
                        help="calls of every bootstrap contestant")
    parser.add_argument("--quick", action="store_true",
                        help="small inputs and 2 repeats (a smoke test; figures mean little)")
    args = parser.parse_args()
    if args.quick:
        args.models, args.samples, args.repeats, args.boot_repeats = 50, 100_000, 2, 1
        args.people, args.profile_models, args.resamples = 5_000, 20, 200
    B_np = min(args.resamples, args.numpy_resamples or args.resamples)

    info = _common.machine_info()
    _common.print_machine(info)
    small = build(5, 2000, seed=1)  # compile (or load) the kernels outside the timing
    ambiguity_curve(small, 0), ambiguity_estimate(small, 0)

    t0 = time.perf_counter()
    P = build(args.models, args.samples, args.seed)
    print(f"curve input built in {time.perf_counter() - t0:.1f} s")
    cu = run_curve(P, args.repeats)
    del P

    ours_confidence(synthetic_profile(300, 5, 1, 0.1), 20, 0, "bca")  # compile
    t0 = time.perf_counter()
    prof = synthetic_profile(args.people, args.profile_models, args.seed, args.flip_rate)
    print(f"profile built in {time.perf_counter() - t0:.1f} s")
    bo = run_boot(prof, args.resamples, B_np, args.seed, args.boot_repeats)

    title = f"{args.models:,} x {args.samples:,} int8"
    btitle = f"{args.people:,} people x {args.profile_models} models"
    rows = rows_for(cu, bo, title, btitle)
    ok = (cu["curve_ok"] and cu["estimate_ok"] and bo["draws_ok"]
          and all(c["ok"] for c in bo["checks"].values()))
    result = _common.write_result(args.json, "accumulation", rows, notes_for(cu, bo),
                                  machine=info, curve=cu, bootstrap=bo, values_equal=ok)
    if not ok:
        print("ERROR: the contestants disagree", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
