"""Bootstrap confidence intervals of the measures of a profile.

The bootstrap resamples people (the columns of the profile's per-sample arrays) with
replacement. A resample is drawn as per-person multiplicities ``w`` (a multinomial count
vector of shape ``(n_samples,)``), so each measure on the resample is a weighted sum over
people: a mean is ``w @ x / n`` and a discrepancy ``max_model (w @ flips_model) / n``.
:mod:`._confidence_kernels` computes these sums for a chunk of resamples in one parallel
pass; no measure is recomputed resample by resample.

One engine serves every profile: a per-profile function (:func:`classification_parts`
for :class:`MultiplicityProfile`, ``regression_parts`` in :mod:`._regression_profile`)
returns the per-person rows behind its measures as :class:`Parts`, and
:func:`profile_confidence` sorts them by group, resamples, and turns the weighted sums
into intervals.

Only people on whom some model flips (in label or in probability) contribute to the flip
counts, so the flip flags are kept for those people only; the accuracy of model ``k`` is
the baseline's accuracy plus ``correct_k - correct_baseline``, which is also zero
elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri

from .. import _errors
from .._checks import check_int, check_real_in, resolve_seed
from .._config import use_kernels
from .._groups import group_labels, small_groups
from .._validation import align_to
from . import _confidence_kernels as _ck

__all__ = ["Parts", "Spec", "classification_parts", "profile_confidence"]

# Messages (tests import them).

OVERALL = "overall"
GAP = "max-min gap"
# Positions drawn per chunk of resamples (int32 positions and weights: 32 MiB).
CHUNK_ENTRIES = 1 << 22
# The interval methods of profile_confidence.
METHODS = ("auto", "percentile", "basic", "bca")
# numpy.quantile's method for every interval (Hyndman & Fan 1996, definition 7).
QUANTILE_METHOD = "linear"
# The kinds of measure read from the weighted sums; "auto" gives the extremes over models
# basic intervals, the others percentile ones.
EXTREMES = ("max", "min")


class _Spec(NamedTuple):
    """How one measure is read from the weighted sums.

    ``kind`` ``"mean"``: ``rows[0]`` of the dense (``dense`` True) or active matrix over
    the sample size. ``"max"`` / ``"min"``: the extreme over ``rows`` of the active
    matrix (or, with ``dense``, of the dense matrix), plus the dense row ``base`` (-1:
    none), over the sample size. ``"relative"``: dense rows ``(x, c, c2)``, the mean of
    ``x`` over the standard deviation ``sqrt(mean(c2) - mean(c)^2)`` of ``c`` (``c2 =
    c^2``), NaN where that is 0.
    """

    name: str
    kind: str
    rows: tuple[int, ...]
    dense: bool = False
    base: int = -1


Spec = _Spec


class Parts(NamedTuple):
    """The per-person rows behind a profile's measures, people in the profile's order.

    ``active`` (n,) bool: the people on whom the rows of ``blocks`` may be nonzero;
    ``blocks``: int8-valued arrays of shape (q, n_active), the columns being those people
    in increasing order (rows of the active matrix, in order); ``dense``: float arrays of
    shape (n,) or (k, n) (rows of the dense matrix, in order); ``specs`` read the
    measures from the rows.
    """

    active: NDArray[np.bool_]
    blocks: list[NDArray]
    dense: list[NDArray]
    specs: list[_Spec]


class _Layout(NamedTuple):
    """Per-person matrices in group order (people of group 0 first, then group 1, ...)."""

    order: NDArray[np.intp]        # (n,) person at each position
    bounds: NDArray[np.int64]      # (G + 1,) group edges in positions
    dense: NDArray[np.float64]     # (kd, n) per-person values
    act_pos: NDArray[np.intp]      # (n_act,) positions of the people someone flips
    act_bounds: NDArray[np.int64]  # (G + 1,) group edges among them
    active: NDArray[np.int8]       # (qa, n_act) 0/1 flags (-1/0/1 accuracy differences)
    specs: list[_Spec]


def classification_parts(profile: Any) -> Parts:
    """The rows behind the measures of a :class:`MultiplicityProfile`."""
    P, b = profile.predictions, profile.baseline_index
    m = P.shape[0]
    active = profile.ambiguous.copy()
    pf = profile.proba_flips
    if pf is not None:
        p_any = pf.any(axis=0)
        active |= p_any
    people = np.flatnonzero(active)
    Pa = P[:, people]

    blocks: list[NDArray] = [profile.ambiguous[people][None, :], Pa != Pa[b]]
    dense: list[NDArray] = []
    specs = [_Spec("ambiguity", "mean", (0,)),
             _Spec("discrepancy", "max", tuple(range(1, 1 + m)))]
    if pf is not None:
        blocks += [p_any[people][None, :], pf[:, people]]
        specs += [_Spec("probabilistic_ambiguity", "mean", (1 + m,)),
                  _Spec("probabilistic_discrepancy", "max", tuple(range(2 + m, 2 + 2 * m)))]
        dense += [profile.rashomon_capacity, profile.vpr_width]
        specs += [_Spec("mean_rashomon_capacity", "mean", (0,), dense=True),
                  _Spec("mean_vpr_width", "mean", (1,), dense=True)]
    specs += [_Spec("mean_self_consistency", "mean", (len(dense),), dense=True),
              _Spec("disagreement_error_estimate", "mean", (len(dense) + 1,), dense=True)]
    dense += [profile.self_consistency, 1.0 - profile.self_consistency]
    if profile.y_codes is not None:
        correct = (Pa == profile.y_codes[people]).astype(np.int8)
        q0 = sum(block.shape[0] for block in blocks)
        blocks.append(correct - correct[b])
        base = len(dense)
        dense.append(P[b] == profile.y_codes)
        diff = tuple(range(q0, q0 + m))
        specs += [_Spec("baseline_accuracy", "mean", (base,), dense=True),
                  _Spec("min_accuracy", "min", diff, base=base),
                  _Spec("max_accuracy", "max", diff, base=base)]
    return Parts(active=active, blocks=blocks, dense=dense, specs=specs)


def _n_rows(rows: list[NDArray]) -> int:
    return sum(1 if r.ndim == 1 else r.shape[0] for r in rows)


def _layout(profile: Any, codes: NDArray[np.int64], n_groups: int,
            extra: dict[str, NDArray[np.float64]] | None = None,
            parts: Callable[[Any], Parts] | None = None) -> _Layout:
    """The matrices behind every measure of ``profile`` (rows from ``parts``, by default
    :func:`classification_parts`) and the ``extra`` per-person values, people sorted by
    ``codes``. The dense rows are copied once, into group order."""
    order = np.argsort(codes, kind="stable")
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    bounds[1:] = np.cumsum(np.bincount(codes, minlength=n_groups))
    pt = (parts or classification_parts)(profile)
    specs = list(pt.specs)
    dense_rows = list(pt.dense)
    for name, values in (extra or {}).items():
        specs.append(_Spec(name, "mean", (_n_rows(dense_rows),), dense=True))
        dense_rows.append(values)
    n = order.shape[0]
    dense = np.empty((_n_rows(dense_rows), n))
    k = 0
    for row in dense_rows:
        row = np.asarray(row, dtype=np.float64)
        if row.ndim == 1:
            np.take(row, order, out=dense[k])
            k += 1
        else:
            np.take(row, order, axis=1, out=dense[k:k + row.shape[0]])
            k += row.shape[0]
    act_pos = np.flatnonzero(pt.active[order])
    # column of each active person in the blocks (people in increasing order)
    col = (np.cumsum(pt.active) - 1)[order[act_pos]]
    qa = _n_rows(pt.blocks)
    active = np.empty((qa, act_pos.shape[0]), dtype=np.int8)
    k = 0
    for block in pt.blocks:
        block = np.atleast_2d(block)
        active[k:k + block.shape[0]] = block[:, col]
        k += block.shape[0]
    return _Layout(
        order=order, bounds=bounds, dense=dense, act_pos=act_pos,
        act_bounds=np.searchsorted(act_pos, bounds).astype(np.int64), active=active,
        specs=specs)


# ------------------------------------------------------------------------ resamples
def _chunk_size(n: int, n_resamples: int) -> int:
    """Resamples per chunk: about ``CHUNK_ENTRIES`` drawn positions (depends on ``n`` only
    up to the cap, so the draws do not depend on the chunking)."""
    return max(1, min(n_resamples, CHUNK_ENTRIES // max(n, 1)))


def _iter_positions(rng: np.random.Generator, n_resamples: int, bounds: NDArray[np.int64]
                    ) -> Iterator[NDArray[np.int32]]:
    """Drawn positions, one chunk of resamples at a time: ``(R, n)`` int32 arrays.

    Each group's positions ``[lo, hi)`` are drawn uniformly with replacement from the
    group itself, so every resample keeps the group sizes (one group: the plain bootstrap).
    """
    n = int(bounds[-1])
    chunk = _chunk_size(n, n_resamples)
    for start in range(0, n_resamples, chunk):
        R = min(chunk, n_resamples - start)
        pos = np.empty((R, n), dtype=np.int32)
        for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            pos[:, lo:hi] = rng.integers(lo, hi, size=(R, hi - lo), dtype=np.int32)
        yield pos


def _bootstrap_indices(n_samples: int, n_resamples: int, seed: int,
                       codes: NDArray[np.int64] | None = None) -> NDArray[np.intp]:
    """The people of every resample, ``(n_resamples, n_samples)``: the draws behind
    :func:`profile_confidence` with the same ``seed`` (and group codes), for tests."""
    codes = np.zeros(n_samples, np.int64) if codes is None else np.asarray(codes, np.int64)
    n_groups = int(codes.max()) + 1
    order = np.argsort(codes, kind="stable")
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    bounds[1:] = np.cumsum(np.bincount(codes, minlength=n_groups))
    rng = np.random.default_rng(seed)
    return np.concatenate([order[pos] for pos in _iter_positions(rng, n_resamples, bounds)])


def _weights(pos: NDArray[np.int32], kernels: bool) -> NDArray[np.int32]:
    """Per-position multiplicities ``(R, n)`` int32 of drawn positions ``(R, n)``."""
    R, n = pos.shape
    if kernels:
        W = np.empty((R, n), dtype=np.int32)
        _ck._weights_from_positions(pos, W)
        return W
    flat = (pos + (np.arange(R, dtype=np.int64) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=R * n).reshape(R, n).astype(np.int32)


def _sums(W: NDArray[np.int32], lay: _Layout, kernels: bool
          ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Weighted sums per group: active ``(R, qa, G)`` int64 and dense ``(R, kd, G)``."""
    R, G = W.shape[0], lay.bounds.shape[0] - 1
    Wa = np.ascontiguousarray(W[:, lay.act_pos])
    Sa = np.zeros((R, lay.active.shape[0], G), dtype=np.int64)
    Sd = np.zeros((R, lay.dense.shape[0], G))
    if kernels:
        _ck._segment_sums(Wa, lay.active, lay.act_bounds, Sa)
        _ck._segment_sums(W, lay.dense, lay.bounds, Sd)
        return Sa, Sd
    for g in range(G):  # NumPy twin: exact, the counts are integers below 2**53
        lo, hi = lay.act_bounds[g], lay.act_bounds[g + 1]
        Sa[:, :, g] = np.rint(Wa[:, lo:hi].astype(np.float64)
                              @ lay.active[:, lo:hi].T.astype(np.float64))
        lo, hi = lay.bounds[g], lay.bounds[g + 1]
        Sd[:, :, g] = W[:, lo:hi].astype(np.float64) @ lay.dense[:, lo:hi].T
    return Sa, Sd


def _relative(mx: NDArray[np.float64], mc: NDArray[np.float64], mc2: NDArray[np.float64]
              ) -> NDArray[np.float64]:
    """``mx / sqrt(mc2 - mc^2)`` (the mean of ``x`` over the standard deviation of
    ``c``), NaN where that variance is not positive."""
    var = mc2 - mc * mc
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var > 0, mx / np.sqrt(np.maximum(var, 0.0)), np.nan)


def _values(spec: _Spec, Sa: NDArray[np.int64], Sd: NDArray[np.float64],
            sizes: NDArray[np.float64]) -> NDArray[np.float64]:
    """One measure on each resample: ``(R, G + 1)``, the groups then all people."""
    n = sizes.sum()
    if spec.kind == "mean":
        S = (Sd if spec.dense else Sa)[:, spec.rows[0], :].astype(np.float64)
        return np.concatenate([S / sizes, S.sum(axis=1, keepdims=True) / n], axis=1)
    if spec.kind == "relative":
        S = Sd[:, list(spec.rows), :]  # (R, 3, G)
        means = np.concatenate([S / sizes, S.sum(axis=2, keepdims=True) / n], axis=2)
        return _relative(means[:, 0], means[:, 1], means[:, 2])
    C = (Sd if spec.dense else Sa)[:, list(spec.rows), :].astype(np.float64)  # (R, rows, G)
    if spec.base >= 0:
        C = C + Sd[:, None, spec.base, :]
    reduce = np.max if spec.kind == "max" else np.min
    return np.concatenate([reduce(C, axis=1) / sizes,
                           reduce(C.sum(axis=2), axis=1)[:, None] / n], axis=1)


def _replicates(profile: Any, n_resamples: int, seed: int, codes: NDArray[np.int64],
                n_groups: int, extra: dict[str, NDArray[np.float64]] | None = None,
                parts: Callable[[Any], Parts] | None = None
                ) -> tuple[_Layout, dict[str, NDArray], dict[str, NDArray]]:
    """Estimates ``(G + 1,)`` and bootstrap replicates ``(n_resamples, G + 1)`` of every
    measure, the groups then all people (rows from ``parts``, by default
    :func:`classification_parts`)."""
    lay = _layout(profile, codes, n_groups, extra, parts)
    n = profile.n_samples
    sizes = np.diff(lay.bounds).astype(np.float64)
    work = n_resamples * (n + lay.active.size + lay.dense.size)
    kernels = use_kernels(work)
    Sa, Sd = _sums(np.ones((1, n), dtype=np.int32), lay, kernels)
    est = {s.name: _values(s, Sa, Sd, sizes)[0] for s in lay.specs}
    reps = {s.name: np.empty((n_resamples, n_groups + 1)) for s in lay.specs}
    start = 0
    for pos in _iter_positions(np.random.default_rng(seed), n_resamples, lay.bounds):
        Sa, Sd = _sums(_weights(pos, kernels), lay, kernels)
        for s in lay.specs:
            reps[s.name][start:start + pos.shape[0]] = _values(s, Sa, Sd, sizes)
        start += pos.shape[0]
    return lay, est, reps


# ------------------------------------------------------------------------- jackknife
def _person_values(spec: _Spec, lay: _Layout) -> NDArray:
    """Each person's contribution to the measure, in group order: ``(n,)`` for a mean,
    ``(len(rows), n)`` for an extreme (0/1 or -1/0/1 entries from the active matrix, real
    ones from the dense one) or a relative measure."""
    n = lay.order.shape[0]
    if spec.kind == "mean" and spec.dense:
        return lay.dense[spec.rows[0]]
    if spec.dense:
        return lay.dense[list(spec.rows)]
    E = np.zeros((len(spec.rows), n))
    E[:, lay.act_pos] = lay.active[list(spec.rows)]
    if spec.base >= 0:
        E += lay.dense[spec.base]
    return E[0] if spec.kind == "mean" else E


def _leave_one_out(x: NDArray, kind: str) -> NDArray[np.float64]:
    """The measure on the sample ``x`` (people in the last axis) without each person.

    A mean: ``(sum - x_i) / (N - 1)``. The largest (smallest) of several sums: ``max_k
    (sum_k - x_ki) / (N - 1)`` (``min_k``), exact for integer counts. A relative measure:
    :func:`_relative` of the three means without the person.
    """
    N = x.shape[-1]
    if kind == "mean":
        return (x.sum() - x) / (N - 1)
    without = x.sum(axis=1)[:, None] - x  # (rows, N)
    if kind == "relative":
        return _relative(*(without / (N - 1)))
    reduce = np.max if kind == "max" else np.min
    return reduce(without, axis=0) / (N - 1)


def _acceleration(loo: NDArray[np.float64]) -> float:
    """Efron's (1987) acceleration from jackknife values: ``sum U^3 / (6 (sum U^2)^1.5)``
    with ``U = mean - loo``; 0 when the values do not vary."""
    u = loo.mean() - loo
    den = 6.0 * float(u @ u) ** 1.5
    return float(np.sum(u ** 3) / den) if den > 0 else 0.0


def _accelerations(spec: _Spec, lay: _Layout, est: NDArray[np.float64],
                   gap: tuple[int, int] | None) -> NDArray[np.float64]:
    """Acceleration of each group's value, the overall value and (with ``gap``, the
    groups of the largest and smallest estimate) the gap between them: ``(G + 1[+1],)``."""
    x = _person_values(spec, lay)
    G = lay.bounds.shape[0] - 1
    n = x.shape[-1]
    loos = []
    for g in range(G):
        lo, hi = lay.bounds[g], lay.bounds[g + 1]
        loos.append(_leave_one_out(x[..., lo:hi], spec.kind) if hi - lo > 1 else None)
    out = [_acceleration(v) if v is not None else 0.0 for v in loos]
    out.append(_acceleration(_leave_one_out(x, spec.kind)) if n > 1 else 0.0)
    if gap is not None:
        hi_g, lo_g = gap
        loo = np.full(n, est[hi_g] - est[lo_g])
        if hi_g != lo_g:
            for g, sign in ((hi_g, 1.0), (lo_g, -1.0)):
                a, b = lay.bounds[g], lay.bounds[g + 1]
                if loos[g] is not None:
                    loo[a:b] = (loos[g] - est[g]) * sign + est[hi_g] - est[lo_g]
        out.append(_acceleration(loo))
    return np.asarray(out)


# ------------------------------------------------------------------------- intervals
def _percentile_levels(confidence: float) -> NDArray[np.float64]:
    alpha = 1.0 - confidence
    return np.array([alpha / 2, 1.0 - alpha / 2])


def _bca_levels(reps: NDArray[np.float64], estimate: float, accel: float,
                confidence: float) -> NDArray[np.float64]:
    """BCa quantile levels (Efron 1987, eq. 2.3): ``Phi(z0 + (z0 + z) / (1 - a (z0 + z)))``
    with the bias correction ``z0 = Phi^-1(share of replicates below the estimate)``, ties
    counted half. NaN when every replicate lies on one side of the estimate."""
    share = (np.count_nonzero(reps < estimate) + np.count_nonzero(reps <= estimate)) \
        / (2.0 * reps.shape[0])
    if not 0.0 < share < 1.0:
        return np.full(2, np.nan)
    z0 = ndtri(share)
    z = ndtri(_percentile_levels(confidence)) + z0
    return ndtr(z0 + z / (1.0 - accel * z))


def _interval(reps: NDArray[np.float64], estimate: float, accel: float | None,
              confidence: float, basic: bool = False) -> tuple[float, float, float]:
    """``(low, high, std_error)`` from the replicates of one value: percentile (or, with
    ``accel``, BCa) quantiles, or with ``basic`` the basic interval ``(2 estimate -
    q_high, 2 estimate - q_low)`` of the percentile quantiles."""
    levels = (_percentile_levels(confidence) if accel is None
              else _bca_levels(reps, estimate, accel, confidence))
    if np.isnan(levels).any():
        low = high = np.nan
    else:
        low, high = np.quantile(reps, levels, method=QUANTILE_METHOD)
        if basic:
            low, high = 2.0 * estimate - high, 2.0 * estimate - low
    se = float(np.std(reps, ddof=1)) if reps.shape[0] > 1 else np.nan
    return float(low), float(high), se


def _check_extra(extra: Any, profile: Any, names: list[str]
                 ) -> dict[str, NDArray[np.float64]]:
    """``extra`` as ``{name: (n,) float64}``: a mapping of new names to finite per-person
    values, pandas ones matched to the profile's index."""
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise TypeError(_errors.EXTRA_TYPE.format(type(extra).__name__))
    n, out = profile.n_samples, {}
    ref = None if profile.index is None else pd.Series(0, index=profile.index)
    for name, values in extra.items():
        if not isinstance(name, str) or name in names or name in out:
            raise ValueError(_errors.EXTRA_NAME.format(name, ", ".join(names)))
        if ref is not None:
            values = align_to(ref, values, name=f"extra[{name!r}]", reference_name="X")
        try:
            x = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(_errors.EXTRA_VALUES.format(name, n)) from None
        if x.ndim != 1 or x.shape[0] != n or not np.isfinite(x).all():
            raise ValueError(_errors.EXTRA_VALUES.format(name, n))
        out[name] = x
    return out


def profile_confidence(profile: Any, n_resamples: int = 1000, confidence: float = 0.95,
                       random_state: Any = None, *, groups: Any = None, bins: Any = "auto",
                       method: str = "auto", extra: Any = None,
                       parts: Callable[[Any], Parts] | None = None) -> pd.DataFrame:
    """Bootstrap intervals of a profile's measures; see
    :meth:`MultiplicityProfile.confidence` and :meth:`RegressionProfile.confidence`.

    ``parts`` gives the rows behind the profile's measures (default:
    :func:`classification_parts`, a :class:`MultiplicityProfile`'s)."""
    n_resamples = check_int(n_resamples, "n_resamples", 1)
    level = check_real_in(confidence, _errors.CONFIDENCE_RANGE, 0.0, 1.0)
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(_errors.BOOTSTRAP_METHOD.format(method))
    n = profile.n_samples
    if groups is None:
        codes, names, grp = np.zeros(n, dtype=np.int64), None, None
    else:
        grp = group_labels(groups, index=profile.index, n=n, bins=bins, name="groups",
                           reference_name="X")
        codes, names = np.asarray(grp.codes, dtype=np.int64), list(grp.names)
    seed = resolve_seed(random_state)
    n_groups = 1 if names is None else len(names)
    extra = _check_extra(extra, profile, list(profile.SCALAR_LABELS))
    lay, est, reps = _replicates(profile, n_resamples, seed, codes, n_groups, extra,
                                 parts)
    bca = method == "bca"
    methods: dict[str, str] = {}

    rows: list[dict[str, Any]] = []
    gap_groups: dict[str, tuple[Any, Any]] = {}
    for spec in lay.specs:
        e, r = est[spec.name], reps[spec.name]
        gap = None
        if names is not None:
            vals = e[:n_groups]
            gap = (int(np.argmax(vals)), int(np.argmin(vals)))
            gap_groups[spec.name] = (names[gap[0]], names[gap[1]])
            e = np.append(e, vals[gap[0]] - vals[gap[1]])
            r = np.column_stack([r, r[:, gap[0]] - r[:, gap[1]]])
        accel = _accelerations(spec, lay, est[spec.name], gap) if bca else None
        basic = method == "basic" or (method == "auto" and spec.kind in EXTREMES)
        methods[spec.name] = "basic" if basic else "bca" if bca else "percentile"
        labels = [OVERALL] if names is None else [*names, OVERALL, GAP]
        cols = [n_groups] if names is None else range(n_groups + 2)
        for label, c in zip(labels, cols, strict=True):
            low, high, se = _interval(r[:, c], e[c], None if accel is None else accel[c],
                                      level, basic)
            rows.append({"measure": spec.name, "group": label, "estimate": float(e[c]),
                         "low": low, "high": high, "std_error": se})

    df = pd.DataFrame(rows)
    if names is None:
        df = df.drop(columns="group").set_index("measure")
    else:
        df["excludes_zero"] = (df["low"] > 0) | (df["high"] < 0)
        df = df.set_index(["measure", "group"])
        gaps = df.xs(GAP, level="group")
        df.attrs["gap_groups"] = gap_groups
        df.attrs["supported_gaps"] = [mm for mm in gaps.index if gaps.loc[mm, "excludes_zero"]]
        sizes = np.bincount(codes, minlength=n_groups)
        df.attrs["small_groups"] = [names[g] for g in np.flatnonzero(small_groups(sizes, n))]
        df.attrs["groups"] = grp.description
    df.attrs.update(method=method, methods=methods, confidence=level, n_resamples=n_resamples,
                    random_state=seed, quantile=QUANTILE_METHOD)
    return df
