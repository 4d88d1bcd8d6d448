"""agreement(): every coefficient at once, with standard errors and confidence intervals."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from numbers import Integral, Real
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from . import _alpha, _chance, _chance_analytic, _chance_statistics, _icc
from ._container import Annotations, check_annotations
from ._stats import ItemStatistic, bootstrap_sums

__all__ = ["COEFFICIENTS", "agreement"]

class Coefficient(NamedTuple):
    """A coefficient of :func:`agreement`: the public function, the per-item statistic
    the item bootstrap resamples (None: the function is recomputed on every resample),
    and the analytic standard error (None: ``ci="analytic"`` is refused)."""

    function: Callable
    statistic: Callable | None
    analytic: Callable | None


#: Every coefficient :func:`agreement` computes, by name.
COEFFICIENTS: dict[str, Coefficient] = {
    "percent_agreement": Coefficient(_chance.percent_agreement,
                                     _chance_statistics._percent_agreement_statistic,
                                     _chance_analytic._percent_agreement_analytic),
    "fleiss_kappa": Coefficient(_chance.fleiss_kappa,
                                _chance_statistics._fleiss_kappa_statistic,
                                _chance_analytic._fleiss_kappa_analytic),
    "scott_pi": Coefficient(_chance.scott_pi, None, _chance_analytic._scott_pi_analytic),
    "gwet_ac1": Coefficient(_chance.gwet_ac1, _chance_statistics._gwet_ac1_statistic,
                            _chance_analytic._gwet_ac1_analytic),
    "brennan_prediger": Coefficient(_chance.brennan_prediger,
                                    _chance_statistics._brennan_prediger_statistic,
                                    _chance_analytic._brennan_prediger_analytic),
    "conger_kappa": Coefficient(_chance.conger_kappa,
                                _chance_statistics._conger_kappa_statistic,
                                _chance_analytic._conger_kappa_analytic),
    "cohen_kappa": Coefficient(_chance.cohen_kappa, _chance_statistics._cohen_kappa_statistic,
                               _chance_analytic._cohen_kappa_analytic),
    "krippendorff_alpha": Coefficient(_alpha.krippendorff_alpha,
                                      _alpha._krippendorff_alpha_statistic,
                                      _alpha._krippendorff_alpha_analytic),
    "intraclass_correlation": Coefficient(_icc.intraclass_correlation,
                                          _icc._intraclass_correlation_statistic,
                                          _icc._intraclass_correlation_analytic),
}

_DEFAULT = ("percent_agreement", "fleiss_kappa", "gwet_ac1", "brennan_prediger",
            "conger_kappa", "krippendorff_alpha")

_COLUMNS = ["value", "se", "ci_low", "ci_high", "p_value", "n_items"]


def _resolve(name: str) -> Coefficient:
    """The public function of a coefficient and its statistic and analytic helpers."""
    if name not in COEFFICIENTS:
        raise ValueError(f"unknown coefficient {name!r}; choose from {sorted(COEFFICIENTS)}")
    return COEFFICIENTS[name]


def _requests(coefficients: Any, ann: Annotations) -> list[tuple[str, str, dict]]:
    """``(row label, coefficient name, keyword arguments)`` for every requested row."""
    if coefficients is None:
        names = [c for c in _DEFAULT if ann.has_annotators or c != "conger_kappa"]
        if ann.n_annotators == 2:
            names.insert(1, "cohen_kappa")
        return [(n, n, {}) for n in names]
    if isinstance(coefficients, str):
        coefficients = [coefficients]
    items: Iterable = coefficients.items() if isinstance(coefficients, Mapping) else \
        ((c, {}) if isinstance(c, str) else tuple(c) for c in coefficients)
    out = []
    for entry in items:
        name, kwargs = entry
        if not isinstance(name, str) or not isinstance(kwargs, Mapping):
            raise TypeError("coefficients must be names, (name, kwargs) pairs or a dict "
                            f"name -> kwargs; got {entry!r}")
        label = name + ("" if not kwargs else
                        "(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")")
        out.append((label, name, dict(kwargs)))
    return out


def _call(func: Callable, name: str, ann: Annotations, kwargs: dict) -> float:
    # Cohen's kappa takes the Annotations itself (its two annotators), so that the order
    # of the categories (categories=, ordered Categoricals) reaches the weights.
    if name == "cohen_kappa" and ann.n_annotators != 2:
        raise ValueError(f"cohen_kappa needs exactly 2 annotators, the data has "
                         f"{ann.n_annotators}")
    return float(func(ann, **kwargs))


def _helper_args(name: str, ann: Annotations) -> Any:
    return (ann,)


def agreement(data: Any, coefficients: Any = None,
              ci: Literal["bootstrap", "analytic"] | None = "bootstrap",
              confidence: float = 0.95, n_resamples: int = 1000,
              random_state: int | np.random.Generator | None = None, *,
              quantile: Literal["t", "normal"] = "t") -> pd.DataFrame:
    """Agreement coefficients with standard errors, confidence intervals and p-values.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Items x annotators labels, missing entries allowed.
    coefficients : None, str, list or dict, default=None
        Which coefficients: names from :data:`COEFFICIENTS`, ``(name, kwargs)`` pairs
        (e.g. ``("krippendorff_alpha", {"level": "interval"})``) or a dict name ->
        kwargs. None: percent agreement, Fleiss' kappa, Gwet's AC1, Brennan-Prediger,
        Conger's kappa (when annotators are known), Krippendorff's alpha (nominal), and
        Cohen's kappa when there are exactly two annotators.
    ci : {"bootstrap", "analytic"} or None, default="bootstrap"
        ``"bootstrap"``: resample *items* with replacement (never individual ratings; each
        item keeps its annotators), ``n_resamples`` times. ``se`` is the standard
        deviation of the resampled values, the interval is the percentile interval, and
        ``p_value`` is the two-sided normal p-value of ``value / se`` (H0: coefficient
        0). Negative resampled values are kept.
        ``"analytic"``: Gwet's (2014) linearised variance (for Cohen's kappa the
        large-sample variance of Fleiss, Cohen & Everitt 1969). ``se`` is that standard
        error, and the interval and ``p_value`` follow ``quantile``.
        For Fleiss' kappa the classical standard error under H0
        (Fleiss 1971), used for its z test, is a *different* quantity: it is reported in
        an extra column ``se_h0`` with ``z_h0`` and ``p_value_h0``. For the ICC the
        interval and p-value are the F-distribution ones of Shrout & Fleiss (1979) (the
        p-value of the one-sided F test), and ``se`` is NaN.
        None: values only.
    confidence : float in (0, 1), default=0.95
    n_resamples : int, default=1000
        Bootstrap resamples (>= 2).
    random_state : int, Generator or None, default=None
        Seed of the bootstrap; the result does not depend on the number of threads.
    quantile : {"t", "normal"}, default="t"
        The reference distribution of the analytic intervals (``ci="analytic"``; not
        used by the bootstrap, nor by the ICC's F intervals).
        ``"t"``, Gwet's convention (his R package irrCAC): ``value +- t * se`` with the
        Student t quantile on ``n - 1`` degrees of freedom, ``n`` the items with at least
        one rating (for Cohen's kappa, the items both annotators rated), the upper end
        capped at 1, and ``p_value`` the two-sided t test of H0: coefficient 0.
        ``"normal"``, the large-sample convention of SAS PROC FREQ and statsmodels
        (``cohens_kappa``): ``value +- z * se`` with the standard normal quantile, not
        capped, and ``p_value`` the two-sided normal test of ``value / se``. The two
        differ noticeably on few items (t(0.975, 9) = 2.262 against z = 1.960).

    Returns
    -------
    DataFrame
        One row per coefficient (index: its name, with non-default arguments), columns
        ``value, se, ci_low, ci_high, p_value, n_items`` (``n_items``: items with at
        least two ratings, the ones that carry information about agreement), plus the
        Fleiss H0 columns with ``ci="analytic"``. ``attrs["ci"]``, ``attrs["confidence"]``,
        ``attrs["quantile"]`` and ``attrs["n_resamples"]`` record the settings; with the bootstrap,
        ``attrs["undefined_resamples"]`` counts, per coefficient, resamples where it was
        undefined (e.g. a single category drawn), which are left out.

    Raises
    ------
    ValueError
        Unknown coefficient, ``ci`` or ``quantile``, ``confidence`` outside (0, 1),
        ``n_resamples < 2``, or a coefficient undefined on the data (its own message says
        why).

    Notes
    -----
    Bootstrap cost: most coefficients are sums over items (see
    ``multiplicity.annotation._stats``), so a resample is a weighted sum computed in a
    Numba kernel (a NumPy twin for small data), without copying the data: 1,000 resamples
    of 100,000 items take about a second. Coefficients without that form are recomputed on
    each resampled data set.

    Examples
    --------
    >>> table = [[1, 1, 1], [2, 2, 2], [1, 2, 1], [3, 3, 3], [2, 2, None], [1, 1, 2]]
    >>> df = agreement(table, ["percent_agreement", "fleiss_kappa"], ci="analytic")
    >>> df[["value", "n_items"]].round(3)
                       value  n_items
    percent_agreement  0.778        6
    fleiss_kappa       0.644        6
    """
    ann = check_annotations(data)
    if ci not in ("bootstrap", "analytic", None):
        raise ValueError(f"ci must be 'bootstrap', 'analytic' or None, got {ci!r}")
    if not isinstance(quantile, str) or quantile not in ("t", "normal"):
        raise ValueError(f"quantile must be 't' or 'normal', got {quantile!r}")
    if isinstance(confidence, bool) or not isinstance(confidence, Real) or \
            not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, Integral) or \
            n_resamples < 2:
        raise ValueError(f"n_resamples must be an integer >= 2, got {n_resamples!r}")
    requests = _requests(coefficients, ann)
    n_informative = int(np.count_nonzero(ann.ratings_per_item() >= 2))
    tail = (1.0 - float(confidence)) / 2.0
    rows: dict[str, dict[str, float]] = {}
    undefined: dict[str, int] = {}
    rng = np.random.default_rng(random_state)
    for label, name, kwargs in requests:
        func, statistic, analytic = _resolve(name)
        value = _call(func, name, ann, kwargs)
        row = dict.fromkeys(_COLUMNS, math.nan)
        row["value"], row["n_items"] = value, n_informative
        if ci == "analytic":
            if analytic is None:
                raise ValueError(f"{name} has no analytic standard error; use "
                                 "ci='bootstrap'")
            extra = ({"confidence": float(confidence)}
                     if "confidence" in inspect.signature(analytic).parameters else {})
            res = analytic(*_helper_args(name, ann), **kwargs, **extra)
            row.update(_analytic_row(value, res, n_informative, tail, quantile))
        elif ci == "bootstrap":
            seed = int(rng.integers(0, 2**31 - 1))
            values = _bootstrap_values(func, statistic, name, ann, kwargs, n_resamples, seed)
            ok = values[np.isfinite(values)]
            undefined[label] = int(values.size - ok.size)
            if ok.size >= 2:
                se = float(np.std(ok, ddof=1))
                row["se"] = se
                row["ci_low"], row["ci_high"] = (float(v) for v in
                                                 np.quantile(ok, [tail, 1.0 - tail]))
                row["p_value"] = (_two_sided_normal(value / se) if se > 0
                                  else (0.0 if value != 0 else 1.0))
        rows[label] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["n_items"] = out["n_items"].astype(np.int64)
    out.attrs.update(ci=ci, confidence=float(confidence),
                     quantile=quantile if ci == "analytic" else None,
                     n_resamples=n_resamples if ci == "bootstrap" else None)
    if ci == "bootstrap":
        out.attrs["undefined_resamples"] = undefined
    return out


def _two_sided_normal(z: float) -> float:
    """``2 P(Z > |z|)`` for a standard normal Z: ``erfc(|z| sqrt(1/2))``, the formula of
    scipy.special.ndtr in the tail (no scipy import for the bootstrap table)."""
    return math.erfc(abs(z) * math.sqrt(0.5))


def _analytic_row(value: float, res: Mapping[str, float], n: int, tail: float,
                  quantile: str = "t") -> dict[str, float]:
    """``se``, interval and p-value of an analytic helper's result ``res``.

    ``quantile="t"``: Gwet/irrCAC, Student's t on ``n - 1`` degrees of freedom, upper end
    capped at 1. ``"normal"``: SAS PROC FREQ / statsmodels, the standard normal quantile
    ``ndtri(1 - tail)`` and the two-sided normal p-value, no cap.
    """
    from scipy.special import ndtri, stdtr, stdtrit  # as scipy.stats.t and .norm

    row: dict[str, float] = {}
    se = float(res.get("se", math.nan))
    row["se"] = se
    if "ci_low" in res and "ci_high" in res:  # e.g. the ICC's F intervals
        row["ci_low"], row["ci_high"] = float(res["ci_low"]), float(res["ci_high"])
        row["p_value"] = float(res.get("p_value", math.nan))
    else:
        # Gwet/irrCAC: t quantiles on n - 1 degrees of freedom, n the items with at least
        # one rating (the helper's "n"); the upper end is capped at 1.
        n = int(res.get("n", n))
        if math.isfinite(se) and quantile == "normal":
            q = float(ndtri(1.0 - tail))
            row["ci_low"], row["ci_high"] = value - q * se, value + q * se
            row["p_value"] = (_two_sided_normal(value / se) if se > 0
                              else (0.0 if value != 0 else 1.0))
        elif math.isfinite(se) and n >= 2:
            q = float(stdtrit(n - 1, 1.0 - tail))
            row["ci_low"], row["ci_high"] = value - q * se, min(1.0, value + q * se)
            row["p_value"] = (float(2.0 * stdtr(n - 1, -abs(value) / se)) if se > 0
                              else (0.0 if value != 0 else 1.0))
    for key in ("se_h0", "z_h0", "p_value_h0"):
        if key in res:
            row[key] = float(res[key])
    if "z" in res and "z_h0" not in res:
        row["z_h0"] = float(res["z"])
    return row


def _bootstrap_values(func: Callable, statistic: Callable | None, name: str,
                      ann: Annotations, kwargs: dict, n_resamples: int, seed: int
                      ) -> np.ndarray:
    """Coefficient values on ``n_resamples`` resamples of the items."""
    stat: ItemStatistic | None = None
    if statistic is not None:
        stat = statistic(*_helper_args(name, ann), **kwargs)
    if stat is not None:
        sums = bootstrap_sums(stat.S, n_resamples, seed)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(stat.finalize(sums), dtype=np.float64)
    rng = np.random.default_rng(seed)
    out = np.empty(n_resamples)
    for b in range(n_resamples):
        sample = ann.take_items(rng.integers(0, ann.n_items, ann.n_items))
        try:
            out[b] = _call(func, name, sample, kwargs)
        except ValueError:  # undefined on this resample (e.g. one category drawn)
            out[b] = math.nan
    return out
