"""The report's sections for a Rashomon set of regressors.

A regressor predicts a number, so the audit asks how far apart the equally good models'
predictions are: regression ambiguity and discrepancy at ``delta`` (target units),
decision ambiguity at a ``threshold``, the width of each person's prediction range, the
losses (the profile is a ``RegressionProfile``), the same by group, each with its interval
over people (:meth:`RegressionProfile.confidence`, through the helpers of
:mod:`._intervals`) when the audit passes them, and, for ridge and least-squares
regression, the exact prediction and coefficient ranges over the level set.
Each builder reads the :class:`~._context.AuditContext` and returns a finished
:class:`~._report.Section`; the classification-only parts (probabilities, Rashomon
capacity, the selective vote, the MIP, permutation importance) have no counterpart here.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from .._groups import small_groups
from ..rashomon import RegressionProfile
from . import _figures
from . import _intervals as _iv
from ._boosting import boosting_sentence
from ._context import AuditContext
from ._exact import ExactRuns
from ._measures import AnnotationStats
from ._prose import count, dropped_sentence, pct, slug, where_measured
from ._report import Figure, Section

__all__ = ["LOSS_NAMES", "regression_exact_section", "regression_groups_section",
           "regression_headline", "regression_overview_section",
           "regression_per_person", "regression_section"]

# The loss of the set -> (its name in the text, its abbreviation).
LOSS_NAMES = {"squared_error": ("mean squared error", "MSE"),
              "absolute_error": ("mean absolute error", "MAE")}
_GROUP_BARS = ["ambiguity", "discrepancy", "decision_ambiguity"]
# Parts of a classification audit that a regression audit leaves out, and why.
_NOT_FOR_REGRESSION = (
    "Predicted probabilities, Rashomon capacity, the selective ensemble's abstention, the "
    "exact MIP and the permutation-importance ranges are measures of classifiers; they are "
    "not part of a regression audit.")


def loss_name(loss: str) -> tuple[str, str]:
    """``(name, abbreviation)`` of the set's loss (``"squared_error"`` -> MSE)."""
    return LOSS_NAMES.get(loss, (str(loss), str(loss)))


def _loss_text(value: float | None, loss: str) -> str:
    """``"2,913.4 (RMSE 53.98)"`` for a squared error, the value alone otherwise."""
    if value is None or not np.isfinite(value):
        return "n/a"
    text = f"{value:.6g}"
    if loss == "squared_error":
        text += f" (RMSE {np.sqrt(value):.6g})"
    return text


def regression_overview_section(ctx: AuditContext, perturbation: Literal[
        "seed", "bootstrap", "subsample"]) -> Section:
    """The set audited: how it was found, its size, its losses, and where the measures
    are computed (held-out or in-sample)."""
    rs, prof, src = ctx.rset, ctx.profile, ctx.source
    name, abbr = loss_name(prof.loss)
    losses = np.asarray(src.candidate_losses, dtype=np.float64)
    base_loss = float(losses[src.baseline_index])
    n_cand = int(src.n_candidates)
    mode = getattr(rs, "epsilon_mode", "relative")
    within = (f"at most {100 * ctx.eps:g}% above the best one's ({base_loss:.6g})"
              if mode == "relative" else
              f"at most {ctx.eps:g} above the best one's ({base_loss:.6g}, in squared "
              "units of the target)" if prof.loss == "squared_error" else
              f"at most {ctx.eps:g} above the best one's ({base_loss:.6g})")
    if src.boosting is not None:
        first = boosting_sentence(src, len(rs), ctx.eps, base_loss, f"{name} ({abbr})",
                                  within=(f"at most {100 * ctx.eps:g}% above"
                                          if mode == "relative" else None))
    elif src.refitted:
        how = {"bootstrap": "each on a bootstrap resample of the rows",
               "seed": "each with its own random seed",
               "subsample": "each on a random half of the rows"}[perturbation]
        first = (f"We trained the regression model {n_cand} times, {how}. {len(rs)} of "
                 f"these models have a training {name} ({abbr}) {within}: they are equally "
                 "good by that standard, and together they form the sampled Rashomon set.")
    else:
        first = (f"The audit was given {src.what} and did not retrain anything. "
                 f"{len(rs)} of its {n_cand} models have a training loss ({rs.loss}) "
                 f"{within} and form the Rashomon set audited here.")
        first += dropped_sentence(n_cand, len(rs), src.kind, float(rs.threshold_), ".6g")
    n_m = prof.n_samples
    where = where_measured(ctx, n_m)
    paras = [
        first + (" The greedy path" if src.boosting is not None else " The best model")
        + " is the baseline every comparison below is made against.",
        where,
        f"Their {abbr} on the {ctx.subject} audited ranges from "
        f"{_loss_text(prof.min_loss, prof.loss)} to {_loss_text(prof.max_loss, prof.loss)}; "
        f"the baseline's is {_loss_text(prof.baseline_loss, prof.loss)}. A deployer could "
        "have picked any of them.",
        "The set is a sample: a larger search can only find more disagreement, so the "
        "measures below are lower bounds (the exact level set, when it applies, gives the "
        "full picture for ridge and least-squares regression).",
        _NOT_FOR_REGRESSION,
    ]
    if len(rs) == 1:
        paras.append("Only one model is in the set, so no disagreement can be measured; "
                     "a larger epsilon or more models would show the multiplicity.")
    rows = {("boosting paths drawn" if src.boosting is not None else "models trained"
             if src.refitted else "models given"): n_cand,
            "models in the Rashomon set": len(rs),
            f"baseline training {abbr}": base_loss,
            f"largest training {abbr} allowed in the set": float(rs.threshold_),
            f"baseline {abbr}": prof.baseline_loss,
            f"lowest {abbr} in the set": prof.min_loss,
            f"highest {abbr} in the set": prof.max_loss}
    if prof.loss == "squared_error":
        rows["baseline RMSE"] = (None if prof.baseline_loss is None
                                 else float(np.sqrt(prof.baseline_loss)))
    table = pd.DataFrame({"value": list(rows.values())},
                         index=pd.Index(list(rows), name="quantity"), dtype=object)
    tables = {"set": ("The Rashomon set", table)}
    pool = getattr(rs, "pool_", None)
    if src.kind == "models" and isinstance(pool, pd.DataFrame):
        tables["pool"] = ("The given models: training loss and whether the set kept them",
                          pool)
    return Section("overview", "Overview", paras,
                   numbers={"task": "regression", "n_models": n_cand, "n_in_set": len(rs),
                            "models": src.kind, "refitted": bool(src.refitted),
                            "evaluation": "held-out" if ctx.held_out else "in-sample",
                            "n_measured": int(n_m),
                            "baseline_index": int(src.baseline_index),
                            "loss": prof.loss, "epsilon_mode": mode,
                            "baseline_training_loss": base_loss,
                            "threshold_training_loss": float(rs.threshold_),
                            "candidate_losses": losses.tolist(),
                            "baseline_loss": prof.baseline_loss,
                            "min_loss": prof.min_loss, "max_loss": prof.max_loss},
                   tables=tables)


def _people_paragraph(ctx: AuditContext, iv: _iv.Intervals) -> str:
    """What the intervals over people of a regression audit do and do not say."""
    n, who = ctx.profile.n_samples, ctx.subject
    return (f"The intervals ({_iv.level_text(iv)}, in the text and in the low and high "
            f"columns of the table) are a bootstrap over the {n:,} {who} audited "
            f"({iv.n_resamples:,} resamples of them with replacement): they say how much "
            f"each figure depends on which {who} happened to be in the data. They are "
            "percentile intervals for the shares, the range widths and the baseline's "
            "loss, and basic intervals (the percentiles reflected about the figure) for "
            "the discrepancy and the smallest and largest loss: an extreme over many "
            "models is pushed outwards on a sample, and the basic interval corrects for "
            "it. The largest range width has none, since a resample of people cannot "
            "show how far a maximum over people would go with other people. The models "
            "are held fixed, so the intervals say nothing about what more or other "
            "equally good models would show.")


def _with_ci(iv: _iv.Intervals | None, name: str, value: float, fmt: str = ".6g") -> str:
    """``value`` in ``fmt``, with its interval over people when there is one."""
    text = f"{value:{fmt}}"
    if iv is None or name not in iv.overall.index:
        return text
    low, high = (float(iv.overall.loc[name, k]) for k in ("low", "high"))
    if not (np.isfinite(low) and np.isfinite(high)):
        return text
    return f"{text} ({_iv.level_text(iv)} CI {low:{fmt}}–{high:{fmt}})"


def _share_ci(iv: _iv.Intervals | None, name: str, value: float) -> str:
    """A share with its interval (``0.1459 (95% CI 0.130–0.162)``) when there is one."""
    return f"{value:.4f}" if iv is None else _iv.measure_ci(iv, name, value)


def regression_section(ctx: AuditContext, iv: _iv.Intervals | None = None) -> Section:
    """The regression profile of the sampled set, in words and as a table, with the
    intervals over people of ``iv`` (:func:`~._intervals.intervals`) when given."""
    p, n, who = ctx.profile, ctx.profile.n_samples, ctx.subject
    name, abbr = loss_name(p.loss)
    paras = [
        (f"Measured on the held-out data: {n:,} {who} the models were not trained on."
         if ctx.held_out else f"Measured in-sample: on the {n:,} {who} the models were "
         "trained on (see the overview)."),
        f"delta = {p.delta:.6g}, in the units of the target ({ctx.delta_how}): two "
        "predictions at least delta apart count as different.",
        f"Regression ambiguity {_share_ci(iv, 'ambiguity', p.ambiguity)}: for "
        f"{pct(p.ambiguity)} of {who} "
        f"({count(p.ambiguity, n)} of {n:,}), at least one equally good model predicts a "
        f"value at least {p.delta:.6g} away from the baseline's.",
        f"Regression discrepancy {_share_ci(iv, 'discrepancy', p.discrepancy)}: "
        "replacing the baseline by a single "
        f"other equally good model would move the prediction by at least {p.delta:.6g} for "
        f"up to {pct(p.discrepancy)} of {who} at once.",
    ]
    if p.threshold is not None:
        paras.append(
            f"Decision ambiguity "
            f"{_share_ci(iv, 'decision_ambiguity', p.decision_ambiguity)} (threshold "
            f"{p.threshold:.6g}, "
            f"the decision being prediction >= {p.threshold:.6g}): for "
            f"{pct(p.decision_ambiguity)} of {who} some equally good model decides "
            "otherwise than the baseline.")
    else:
        paras.append("No decision threshold was given; pass threshold= when the "
                     "predictions are turned into decisions (approve when the prediction "
                     "is at least t) to see for whom the decision depends on the model.")
    rel = ("" if not np.isfinite(p.relative_range_width) else
           f", {_with_ci(iv, 'relative_range_width', p.relative_range_width, '.4f')} "
           "times the standard deviation of the baseline's predictions")
    paras += [
        f"Prediction range: across the set, the prediction for one person spans "
        f"{_with_ci(iv, 'mean_range_width', p.mean_range_width)} on average (largest "
        f"minus smallest prediction){rel}; the widest range is {p.max_range_width:.6g}.",
        f"Losses on these {who} ({name}, {abbr}): baseline "
        f"{_loss_text(p.baseline_loss, p.loss)}, from {_loss_text(p.min_loss, p.loss)} to "
        f"{_loss_text(p.max_loss, p.loss)} over the set."
        + ("" if iv is None or p.baseline_loss is None else
           f" {_iv.level_text(iv)} intervals over people: baseline "
           f"{_ci_only(iv, 'baseline_loss')}, lowest {_ci_only(iv, 'min_loss')}, highest "
           f"{_ci_only(iv, 'max_loss')}."),
    ]
    if iv is not None:
        paras.append(_people_paragraph(ctx, iv))
    summary = p.summary().to_frame()
    summary.index.name = "measure"
    if p.loss == "squared_error" and p.baseline_loss is not None:
        summary.loc["baseline RMSE", "value"] = float(np.sqrt(p.baseline_loss))
    numbers: dict[str, Any] = {k: (None if getattr(p, k) is None else float(getattr(p, k)))
                               for k in p.SCALAR_LABELS}
    if iv is not None:
        summary = _iv.measures_table(summary, iv, RegressionProfile.SCALAR_LABELS)
        numbers["intervals"] = _iv.interval_numbers(iv)
    numbers |= {"n_samples": n, "delta": p.delta, "delta_how": ctx.delta_how,
                "threshold": p.threshold, "loss": p.loss,
                "baseline_rmse": (None if p.loss != "squared_error" or p.baseline_loss is None
                                  else float(np.sqrt(p.baseline_loss)))}
    figures = ([Figure("profile", "Left: each person's prediction range over the set "
                       "against the baseline's prediction; middle: range widths (dashed: "
                       f"delta); right: share of {who} affected.",
                       _figures.regression_figure(p))] if ctx.figures else [])
    return Section("multiplicity", "Predictive multiplicity of the regression", paras,
                   numbers=numbers,
                   tables={"profile": ("Measures of the sampled Rashomon set" + (
                       "" if iv is None else f", with {_iv.level_text(iv)} intervals over "
                       f"the {who} audited"), summary)},
                   figures=figures)


def regression_exact_section(ctx: AuditContext, runs: ExactRuns) -> Section:
    """The exact ranges over the ridge / least-squares level set, or why not."""
    sec = Section("exact", "Exact ranges (ridge and least-squares regression)")
    lin = runs.linear
    if lin is None:
        sec.status = "skipped"
        for reason in runs.skipped.values():
            sec.paragraphs.append("Exact prediction and coefficient ranges (linear level "
                                  f"set): skipped because {reason}.")
        sec.numbers = {"skipped": dict(runs.skipped)}
        return sec
    p = ctx.profile
    table = lin.coef_table
    unstable = [str(f) for f, s in zip(table.index, table["sign_stable"], strict=True)
                if not s]
    what = ("least-squares regression" if lin.model == "LinearRegression"
            else f"ridge regression (alpha = {lin.alpha:g})")
    sec.paragraphs += [
        f"Over every {what} on the same features whose mean objective is within "
        f"{lin.epsilon:.6g} of the smallest ({lin.how_epsilon}), the prediction for one "
        f"person spans {lin.mean_width:.6g} on average (the retrained sample found "
        f"{p.mean_range_width:.6g}); these ranges are exact, not sampled.",
        f"Coefficients: {len(table) - len(unstable)} of {len(table)} keep their sign over "
        "the whole level set"
        + (f"; for {', '.join(unstable[:10])}"
           + (" and others" if len(unstable) > 10 else "")
           + " some equally good model gives the feature the opposite sign or none, so "
           "the direction of its effect is not settled by the data." if unstable else ".")
        + f" The intercept ranges from {lin.intercept_range[0]:.6g} to "
        f"{lin.intercept_range[1]:.6g}.",
    ]
    if not ctx.held_out:
        sec.paragraphs.append("The ranges are computed on the training data, in-sample.")
    comparison = pd.DataFrame(
        {"exact": [lin.mean_width, float(lin.width.max())],
         "sampled": [p.mean_range_width, p.max_range_width]},
        index=pd.Index(["mean prediction range width", "largest prediction range width"],
                       name="measure"))
    sec.tables["comparison"] = ("Exact ranges against the retrained sample", comparison)
    sec.tables["coefficients"] = ("Coefficients of the baseline and their range over the "
                                  "level set", table)
    sec.numbers = runs.numbers() | {"sign_unstable": unstable,
                                    "intercept_range": lin.intercept_range.tolist()}
    return sec


def _ci_only(iv: _iv.Intervals, name: str) -> str:
    """``2,810–3,290``: the ends of the interval of ``name``."""
    low, high = (float(iv.overall.loc[name, k]) for k in ("low", "high"))
    return f"{low:.6g}–{high:.6g}"


def regression_groups_section(ctx: AuditContext, iv: _iv.Intervals | None = None
                              ) -> Section:
    """The regression measures within each group of each sensitive feature, with the
    intervals over people of ``iv`` (each group's value and the gap) and whether they
    support ranking the groups, when given."""
    sec = Section("groups", "Who is affected: measures by group")
    if not ctx.groups:
        sec.status = "skipped"
        sec.paragraphs.append("No sensitive features were given. Pass "
                              "sensitive_features= (for example sex or age group) to see "
                              "whether the arbitrariness of the model choice falls more on "
                              "some groups than on others.")
        return sec
    sec.paragraphs.append(
        "Each row repeats the measures within one group. A gap between groups means that "
        "the arbitrary choice between equally good models weighs more on some groups."
        + ("" if iv is None else
           f" The intervals ({_iv.level_text(iv)}) are a bootstrap over the {ctx.subject} "
           "audited, resampled within each group; a worst group is supported only where "
           "the interval of the gap excludes 0."))
    for name, g in ctx.groups.items():
        table = ctx.profile.by_group(pd.Categorical(g.labels, categories=g.names,
                                                    ordered=True), bins=None)
        worst = dict(table.attrs.get("worst_large_group") or
                     table.attrs.get("worst_group", {}))
        size = g.sizes
        large = ~small_groups(size, int(size.sum()))
        groups_only = table.drop(index=["overall", "max-min gap"])
        if g.description:
            sec.paragraphs.append(f"{name}: {g.description}")
        amb = groups_only["ambiguity"]
        lo_g, hi_g = amb.idxmin(), amb.idxmax()
        width = groups_only["mean_range_width"]
        ci = None if iv is None else iv.by_group[name]
        lo_ci, hi_ci = (("", "") if ci is None else
                        (f"; {_iv.group_ci_text(ci, lo_g)}", f"; {_iv.group_ci_text(ci, hi_g)}"))
        text = (f"By {name}: regression ambiguity ranges from {pct(amb[lo_g])} ({lo_g}, "
                f"n = {int(size[g.names.get_loc(lo_g)]):,}{lo_ci}) to {pct(amb[hi_g])} "
                f"({hi_g}, n = {int(size[g.names.get_loc(hi_g)]):,}{hi_ci}) of {ctx.subject} "
                "in a group, a "
                f"gap of {100 * table.loc['max-min gap', 'ambiguity']:.1f} percentage "
                f"points; the mean prediction range width goes from {width.min():.6g} to "
                f"{width.max():.6g}.")
        if "decision_ambiguity" in groups_only.columns:
            dec = groups_only["decision_ambiguity"]
            text += (f" Decision ambiguity goes from {pct(dec.min())} to "
                     f"{pct(dec.max())}.")
        sec.paragraphs.append(text)
        if ci is not None:
            sec.paragraphs.extend(_iv.gap_paragraphs(name, ci, ctx.subject))
        caveat = table.attrs.get("caveat")
        if caveat:
            sec.paragraphs.append(caveat)
        if ci is None:
            sec.tables[f"by_{name}"] = (f"Measures by {name}", table)
        else:
            table = _iv.add_group_intervals(table, ci)
            sec.tables[f"by_{name}"] = (
                f"Measures by {name} (each with the ends of its {_iv.level_text(iv)} "
                f"interval over the {ctx.subject} audited, columns _low and _high)", table)
        sec.numbers[name] = {"worst_group": {k: str(v) for k, v in worst.items()},
                             "group_sizes": {str(k): int(v) for k, v in
                                             zip(g.names, size, strict=True)},
                             "small_groups": [str(k) for k, small in
                                              zip(g.names, ~large, strict=True) if small],
                             "ambiguity_gap": float(table.loc["max-min gap", "ambiguity"]),
                             "range_width_gap": float(table.loc["max-min gap",
                                                                "mean_range_width"])}
        if ci is not None:
            sec.numbers[name] |= _iv.gap_numbers(ci)
        cols = [c for c in _GROUP_BARS if c in table.columns]
        if ctx.figures:
            sec.figures.append(Figure(f"groups_{slug(name)}",
                                      f"Regression ambiguity, discrepancy and decision "
                                      f"ambiguity by {name}" + (
                                          "." if ci is None else
                                          f", with their {_iv.level_text(iv)} intervals "
                                          f"over the {ctx.subject} audited."),
                                      _figures.groups_figure(table, name, cols)))
    return sec


def regression_per_person(ctx: AuditContext, exact: ExactRuns) -> pd.DataFrame:
    """One row per person of the measured data: ``profile.to_frame()`` (the baseline's
    prediction, the range over the set and its width, ``moved``, ``decision_ambiguous``
    with a threshold, ``y_true``), the exact range when the level set ran, the groups."""
    out = ctx.profile.to_frame()
    if isinstance(ctx.Xm, pd.DataFrame | pd.Series):
        out.index = ctx.Xm.index
    if exact.linear is not None:
        out["exact_range_min"] = exact.linear.prediction_range[:, 0]
        out["exact_range_max"] = exact.linear.prediction_range[:, 1]
    for name, g in ctx.groups.items():
        out[f"group:{name}"] = g.labels
    out.attrs["measured_on"] = "X_test" if ctx.held_out else "X"
    return out


def regression_headline(ctx: AuditContext, sections: list[Section], exact: ExactRuns,
                        annotations: AnnotationStats | None) -> pd.DataFrame:
    """The figures :meth:`AuditReport.summary` returns for a regression audit."""
    p, who = ctx.profile, ctx.subject
    _, abbr = loss_name(p.loss)
    d = f"{p.delta:.6g}"
    rows: dict[str, tuple[Any, str]] = {
        "n_samples": (p.n_samples, f"number of {who} audited"),
        "n_models_in_set": (len(ctx.rset), "models within epsilon of the best (the set)"),
        "baseline_loss": (p.baseline_loss, f"{abbr} of the best model (the baseline) on "
                          "the audited data"),
    }
    if p.loss == "squared_error":
        rows["baseline_rmse"] = (None if p.baseline_loss is None else
                                 float(np.sqrt(p.baseline_loss)),
                                 "root mean squared error of the baseline")
    rows |= {
        "min_loss": (p.min_loss, f"lowest {abbr} in the set"),
        "max_loss": (p.max_loss, f"highest {abbr} in the set"),
        "delta": (p.delta, "distance between predictions that counts as different "
                  "(target units)"),
        "ambiguity": (p.ambiguity, f"share of {who} some equally good model moves by at "
                      f"least {d}"),
        "discrepancy": (p.discrepancy, f"largest share of {who} one equally good model "
                        f"moves by at least {d}"),
        "decision_ambiguity": (p.decision_ambiguity,
                               f"share of {who} some model decides otherwise than the "
                               "baseline at the threshold"
                               if p.threshold is not None else "needs a threshold"),
        "mean_range_width": (p.mean_range_width, "average spread of a person's prediction "
                             "across the set"),
        "max_range_width": (p.max_range_width, "largest spread of a person's prediction "
                            "across the set"),
        "relative_range_width": (p.relative_range_width, "mean spread divided by the "
                                 "standard deviation of the baseline's predictions"),
        "exact_mean_range_width": (None if exact.linear is None else exact.linear.mean_width,
                                   "average prediction range over the whole ridge / "
                                   "least-squares level set"),
    }
    group_sec = next(s for s in sections if s.id == "groups")
    for name in ctx.groups:
        rows[f"ambiguity_gap[{name}]"] = (
            group_sec.numbers[name]["ambiguity_gap"],
            f"largest minus smallest regression ambiguity between the groups of {name}")
    if annotations is not None:
        coef = annotations.coefficients
        if coef is not None and "krippendorff_alpha" in coef.index:
            rows["krippendorff_alpha"] = (coef.loc["krippendorff_alpha", "value"],
                                          "annotator agreement beyond chance (1 = perfect)")
        rows["share_items_split"] = (annotations.share_items_split, "share of items the "
                                     "annotators do not label unanimously")
    out = pd.DataFrame({
        "value": pd.Series({k: (np.nan if v is None else float(v))
                            for k, (v, _) in rows.items()}, dtype=np.float64),
        "meaning": pd.Series({k: m for k, (_, m) in rows.items()}, dtype=object)})
    out.index.name = "measure"
    return out
