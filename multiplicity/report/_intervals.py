"""How sure the audit's figures are: intervals over people and the ambiguity estimate.

Two different uncertainties, reported apart:

- over **people**: :meth:`MultiplicityProfile.confidence` resamples the people audited
  with replacement (models fixed), overall and, stratified, within the groups of each
  sensitive feature with the max-min gap between them. It says how much a figure depends
  on which people happened to be in the data;
- over **models**: :meth:`MultiplicityProfile.ambiguity_estimate` (Chao2) reads each
  non-baseline model as a draw from the exploration and estimates the ambiguity unlimited
  draws would find. It says how far the observed ambiguity, a lower bound, may be from
  what the same exploration would show with more models.

:func:`intervals` computes both once; the section builders quote them through the
helpers below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..rashomon import MultiplicityProfile
from ._context import AuditContext
from ._prose import pct

__all__ = ["ABSTENTION", "GAP_MEASURES", "Intervals", "add_group_intervals", "ci_text",
           "estimate_numbers", "estimate_paragraph", "gap_numbers", "gap_paragraphs",
           "gap_supported", "group_ci_text", "interval_numbers", "intervals", "level_text",
           "measure_ci", "measure_pct_ci", "measures_table", "people_paragraph"]

# The measures whose gaps the text names first.
GAP_MEASURES = ("ambiguity", "discrepancy")
_GAP = "max-min gap"
# The selective ensemble's abstention, bootstrapped with the profile's measures.
ABSTENTION = "abstention_rate"


@dataclass(frozen=True)
class Intervals:
    """The intervals of one audit.

    ``overall`` is ``profile.confidence(n_resamples, random_state=seed)``; ``by_group``
    maps each sensitive feature to ``profile.confidence(..., groups=...)`` on the groups
    of the report's group tables; ``estimate`` is ``profile.ambiguity_estimate()``, None
    when the set holds only the baseline.
    """

    overall: pd.DataFrame
    by_group: dict[str, pd.DataFrame]
    estimate: Any
    n_resamples: int
    seed: int

    @property
    def level(self) -> float:
        return float(self.overall.attrs["confidence"])


def intervals(ctx: AuditContext, n_resamples: int, seed: int,
              abstained: np.ndarray | None = None) -> Intervals:
    """Bootstrap intervals over people (overall and by group) and, for a classification
    profile, the Chao2 estimate; ``abstained`` (n,) bool, where the selective ensemble
    abstains, adds the abstention rate to the measures (the same resamples)."""
    prof = ctx.profile
    extra = None if abstained is None else {ABSTENTION: abstained}
    overall = prof.confidence(n_resamples=n_resamples, random_state=seed, extra=extra)
    by_group = {}
    for name, g in ctx.groups.items():
        labels = pd.Categorical(g.labels, categories=g.names, ordered=True)
        by_group[name] = prof.confidence(n_resamples=n_resamples, random_state=seed,
                                         groups=labels, bins=None, extra=extra)
    # a regression profile has no estimate over models
    has_estimate = hasattr(prof, "ambiguity_estimate") and prof.n_models >= 2
    estimate = prof.ambiguity_estimate() if has_estimate else None
    return Intervals(overall=overall, by_group=by_group, estimate=estimate,
                     n_resamples=n_resamples, seed=seed)


# ---------------------------------------------------------------------------- text
def _level(level: float) -> str:
    return f"{100 * level:g}%"


def level_text(iv: Intervals) -> str:
    """The intervals' level as text: ``95%``."""
    return _level(iv.level)


def ci_text(value: float, low: float, high: float, level: float) -> str:
    """``0.1459 (95% CI 0.130–0.162)`` (percentile intervals: never NaN)."""
    return f"{value:.4f} ({_level(level)} CI {low:.3f}–{high:.3f})"


def _pct_interval(low: float, high: float, level: float) -> str:
    """``95% CI 9.7%–13.3%``."""
    return f"{_level(level)} CI {pct(low)}–{pct(high)}"


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _points(low: float, high: float) -> str:
    """An interval of a gap in percentage points: ``-0.4 to 8.1 percentage points``."""
    return f"{100 * low:.1f} to {100 * high:.1f} percentage points"


# ------------------------------------------------------------------ multiplicity
def measures_table(summary: pd.DataFrame, iv: Intervals,
                   labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The profile's measures table (rows labelled as ``labels``, a profile's
    ``SCALAR_LABELS``: :class:`MultiplicityProfile`'s by default) with the ``low`` and
    ``high`` ends of each measure's interval over people (NaN where it has none)."""
    ci = iv.overall
    labels = MultiplicityProfile.SCALAR_LABELS if labels is None else labels
    name_of = {label: name for name, label in labels.items()}
    out = summary.copy()
    for col in ("low", "high"):
        out[col] = [float(ci.loc[name_of[r], col]) if name_of.get(r) in ci.index
                    else np.nan for r in out.index]
    return out


def measure_ci(iv: Intervals, name: str, value: float) -> str:
    """``value`` of measure ``name`` with its interval over people."""
    ci = iv.overall
    return ci_text(value, float(ci.loc[name, "low"]), float(ci.loc[name, "high"]), iv.level)


def measure_pct_ci(iv: Intervals, name: str) -> str:
    """The interval over people of measure ``name``, as percentages."""
    ci = iv.overall
    return _pct_interval(float(ci.loc[name, "low"]), float(ci.loc[name, "high"]), iv.level)


def people_paragraph(ctx: AuditContext, iv: Intervals) -> str:
    """What the intervals over people do and do not say."""
    n, who = ctx.profile.n_samples, ctx.subject
    return (f"The intervals ({_level(iv.level)}, in the text and in the low and high "
            f"columns of the table) are a bootstrap over the {n:,} {who} audited "
            f"({iv.n_resamples:,} resamples of them with replacement): they say how much "
            f"each figure depends on which {who} happened to be in the data, and support "
            f"statements about {who} like these. They are percentile intervals for the "
            "shares and means and basic intervals (the percentiles reflected about the "
            "figure) for the discrepancies and the smallest and largest accuracy: a "
            "largest share over many models is biased upwards on a sample, and the "
            "basic interval corrects for it where the percentile one would sit too high. "
            "The models are held fixed, so the intervals say nothing about what more or "
            "other equally good models would show: that is the question of the estimate "
            "below.")


def estimate_paragraph(ctx: AuditContext, iv: Intervals) -> str:
    """The observed ambiguity as a lower bound, the Chao2 estimate and its assumption."""
    est = iv.estimate
    if est is None:
        return ("How much ambiguity more models would find cannot be estimated: the set "
                "holds only the baseline, so no model has flipped anyone yet.")
    given = ctx.source.kind != "estimator"
    text = (f"The observed ambiguity ({est.observed:.4f}) counts the {ctx.subject} that "
            f"the {est.n_models} models besides the baseline flip; more models from the "
            "same exploration can only add people, so it is a lower bound of what this "
            "exploration would find. " + est.summary() + " The estimate and its interval "
            "(over the draws of models, not over people) assume that the models are drawn "
            "independently from one and the same exploration: the same learner, the same "
            "kind of perturbation, the same data. They say nothing about equally good "
            "models another exploration would find (for linear models, the exact methods "
            "below show how far that can go).")
    if given:
        text += (" The models audited here were given, not drawn by the audit, so that "
                 "assumption may not hold; read the estimate as indicative.")
    return text


def estimate_numbers(iv: Intervals) -> dict[str, Any] | None:
    """The estimate's figures, keyed as in the report's JSON."""
    est = iv.estimate
    if est is None:
        return None
    return {"observed": est.observed, "estimate": est.estimate,
            "interval": None if est.interval is None else list(est.interval),
            "method": est.method, "confidence": est.confidence, "q1": est.q1,
            "q2": est.q2, "n_models": est.n_models,
            "models_needed": est.models_needed(0.01), "summary": est.summary()}


def interval_numbers(iv: Intervals) -> dict[str, Any]:
    """The overall intervals: measure -> ``{"low", "high", "std_error"}``."""
    ci = iv.overall
    return {"confidence": iv.level, "n_resamples": iv.n_resamples,
            "random_state": int(ci.attrs["random_state"]),
            "measures": {str(m): {"low": float(r["low"]), "high": float(r["high"]),
                                  "std_error": float(r["std_error"])}
                         for m, r in ci.iterrows()}}


# ------------------------------------------------------------------------ groups
def add_group_intervals(table: pd.DataFrame, ci: pd.DataFrame) -> pd.DataFrame:
    """``table`` (a :meth:`MultiplicityProfile.by_group` table) with the ends of the
    interval of every measure ``ci`` has (``ambiguity_low``, ``ambiguity_high``, ...)
    after the measure's column, for every group, ``overall`` and the ``max-min gap``."""
    out = table.copy()
    measures = set(ci.index.get_level_values("measure"))
    for m in table.columns:
        if m not in measures:
            continue
        part = ci.xs(m, level="measure").reindex(out.index)
        at = out.columns.get_loc(m) + 1
        out.insert(at, f"{m}_low", part["low"].to_numpy(dtype=float))
        out.insert(at + 1, f"{m}_high", part["high"].to_numpy(dtype=float))
    out.attrs = dict(table.attrs)
    return out


def gap_supported(ci: pd.DataFrame, measure: str) -> bool:
    """Whether the interval of the max-min gap of ``measure`` excludes 0."""
    return bool(ci.loc[(measure, _GAP), "excludes_zero"])


def gap_paragraphs(name: str, ci: pd.DataFrame, subject: str) -> list[str]:
    """Whether the intervals support ranking the groups of ``name``: a sentence on the
    ambiguity gap, one on the other measures of the group table, and the caveat on how
    the two groups compared were chosen."""
    level = float(ci.attrs["confidence"])
    n_groups = len(ci.xs("ambiguity", level="measure")) - 2
    if n_groups < 2:
        return []
    hi_g, lo_g = ci.attrs["gap_groups"]["ambiguity"]
    row = ci.loc[("ambiguity", _GAP)]
    between = f"{hi_g} and {lo_g}"
    if gap_supported(ci, "ambiguity"):
        paras = [f"The {_level(level)} interval of the ambiguity gap by {name} "
                 f"({_points(row['low'], row['high'])}) excludes 0: among {subject} like "
                 f"those audited, ambiguity is higher for {hi_g} than for {lo_g} with "
                 "these models."]
    else:
        paras = [f"The {_level(level)} interval of the ambiguity gap by {name} "
                 f"({_points(row['low'], row['high'])}) includes 0, so it does not "
                 f"support a ranking: these data do not show that ambiguity differs "
                 f"between {between}. Do not name a worst group of {name} by ambiguity; "
                 f"{hi_g} ranks highest only in this sample of {subject}, and more "
                 f"{subject} per group would be needed to tell."]
    unsupported = [m for m in dict.fromkeys(ci.index.get_level_values("measure"))
                   if m != "ambiguity" and not gap_supported(ci, m)]
    if unsupported:
        also = "as well" if not gap_supported(ci, "ambiguity") else "too"
        paras.append(f"By {name}, the interval of the gap includes 0 for "
                     f"{_and(unsupported)} {also}: the worst group the table shows for "
                     f"{'this measure' if len(unsupported) == 1 else 'these measures'} is "
                     "not supported by these data.")
    if n_groups > 2:
        paras.append(f"The gap compares the two groups of {name} with the largest and the "
                     f"smallest value in this sample, out of {n_groups}; its interval does "
                     "not correct for that choice, so read it as optimistic.")
    return paras


def group_ci_text(ci: pd.DataFrame, group: Any) -> str:
    """The interval of the ambiguity of ``group``, as percentages."""
    r = ci.loc[("ambiguity", group)]
    return _pct_interval(float(r["low"]), float(r["high"]), float(ci.attrs["confidence"]))


def gap_numbers(ci: pd.DataFrame) -> dict[str, Any]:
    """The gap intervals of a feature, keyed as in the report's JSON."""
    gaps = ci.xs(_GAP, level="group")
    return {"gap_intervals": {str(m): [float(r["low"]), float(r["high"])]
                              for m, r in gaps.iterrows()},
            "supported_gaps": [str(m) for m in ci.attrs["supported_gaps"]],
            "gap_groups": {str(m): [str(a), str(b)]
                           for m, (a, b) in ci.attrs["gap_groups"].items()}}
